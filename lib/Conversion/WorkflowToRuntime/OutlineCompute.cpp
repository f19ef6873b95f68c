//===- OutlineCompute.cpp - wf.compute bodies as entry points -------------===//

#include "loom/Conversion/WorkflowToRuntime/OutlineCompute.h"

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::loom::wf;

static bool isScalar(Type t) {
  return t.isInteger(1) || t.isInteger(64) || t.isF64();
}

LogicalResult mlir::loom::wf::outlineComputeBodies(ModuleOp module) {
  SmallVector<ComputeOp> computes;
  for (auto graph : module.getOps<GraphOp>())
    graph.walk([&](ComputeOp c) { computes.push_back(c); });
  if (computes.empty())
    return success();
  // Loaded already when a pass calls this (its dependent dialects).
  MLIRContext *ctx = module.getContext();
  ctx->getOrLoadDialect<func::FuncDialect>();
  ctx->getOrLoadDialect<tensor::TensorDialect>();
  SymbolTable symbols(module);
  OpBuilder b(ctx);
  for (auto [k, compute] : llvm::enumerate(computes)) {
    for (Type t : llvm::concat<const Type>(compute->getOperandTypes(),
                                           compute->getResultTypes()))
      if (!isScalar(t))
        return compute.emitOpError()
               << "passes a " << t
               << " between nodes, which the workflow runtime cannot hold "
                  "yet: keep tensors inside one wf.compute and pass i1, i64 "
                  "or f64 values";
    auto boxed = [](Type t) { return RankedTensorType::get({}, t); };
    SmallVector<Type> inputs, outputs;
    for (Type t : compute->getOperandTypes())
      inputs.push_back(boxed(t));
    for (Type t : compute->getResultTypes())
      outputs.push_back(boxed(t));
    b.setInsertionPointToEnd(module.getBody());
    auto fn = func::FuncOp::create(b, compute.getLoc(),
                                   "__loom_wf_compute_" + std::to_string(k),
                                   b.getFunctionType(inputs, outputs));
    symbols.insert(fn); // renamed if the module has the name already
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    Block &body = compute.getBody().front();
    for (auto [arg, boxedArg] :
         llvm::zip(body.getArguments(), entry->getArguments()))
      map.map(arg, tensor::ExtractOp::create(b, compute.getLoc(), boxedArg,
                                             ValueRange()));
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    SmallVector<Value> results;
    for (Value v : body.getTerminator()->getOperands())
      results.push_back(tensor::FromElementsOp::create(
          b, compute.getLoc(), boxed(v.getType()), map.lookupOrDefault(v)));
    func::ReturnOp::create(b, compute.getLoc(), results);
    compute->setAttr(kComputeEntryAttr, b.getStringAttr(fn.getSymName()));
  }
  return success();
}

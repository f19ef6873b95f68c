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

/// What a compute node cannot pass, or "" if `t` crosses the boundary: a
/// scalar (boxed in a rank-0 tensor for the model ABI) or a tensor of
/// static shape and rank >= 1 of an element type the runtime holds.
static std::string unsupported(Type t) {
  if (isScalar(t))
    return "";
  auto tensor = dyn_cast<RankedTensorType>(t);
  if (!tensor)
    return "is neither i1, i64, f64 nor a tensor";
  if (tensor.getRank() == 0)
    return "is a rank-0 tensor: pass its element type instead";
  if (!tensor.hasStaticShape())
    return "has a dynamic shape";
  Type e = tensor.getElementType();
  if (!(e.isF32() || e.isF64() || e.isF16() || e.isBF16() || e.isInteger(1) ||
        e.isInteger(8) || e.isInteger(16) || e.isInteger(32) ||
        e.isInteger(64)))
    return "has an element type the runtime does not hold";
  return "";
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
      if (std::string why = unsupported(t); !why.empty())
        return compute.emitOpError()
               << "passes a " << t << " between nodes, which " << why;
    auto boxed = [](Type t) {
      return isScalar(t) ? RankedTensorType::get({}, t) : t;
    };
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
      map.map(arg, isScalar(arg.getType())
                       ? tensor::ExtractOp::create(b, compute.getLoc(),
                                                   boxedArg, ValueRange())
                             .getResult()
                       : boxedArg);
    for (Operation &op : body.without_terminator())
      b.clone(op, map);
    SmallVector<Value> results;
    for (Value v : body.getTerminator()->getOperands())
      results.push_back(isScalar(v.getType())
                            ? tensor::FromElementsOp::create(
                                  b, compute.getLoc(), boxed(v.getType()),
                                  map.lookupOrDefault(v))
                                  .getResult()
                            : map.lookupOrDefault(v));
    func::ReturnOp::create(b, compute.getLoc(), results);
    compute->setAttr(kComputeEntryAttr, b.getStringAttr(fn.getSymName()));
  }
  return success();
}

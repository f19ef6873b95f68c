//===- WorkflowToFunc.cpp - Reference lowering of tensor wf graphs --------===//
//
// A graph of tensor computations needs no scheduler: its nodes are already
// in a valid (SSA) order, so running them one after another is a correct
// reference for the runtime-based lowering.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Workflow/IR/WorkflowOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTWORKFLOWTOFUNC
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::wf;

namespace {

bool isWorkflowType(Type t) {
  return isa<TextType, ListType, TokenType, CtxType>(t);
}

/// The nodes this lowering runs directly; anything else needs the runtime.
LogicalResult checkSupported(GraphOp graph) {
  for (Type t : graph.getFunctionType().getInputs())
    if (isWorkflowType(t))
      return graph.emitOpError()
             << "takes a " << t
             << " argument: only graphs of tensor and number values have a "
                "reference lowering; text graphs need the workflow runtime";
  WalkResult walk = graph.getBody().walk<WalkOrder::PreOrder>(
      [&](Operation *op) {
        if (isa<ComputeOp>(op))
          return WalkResult::skip();
        if (isa<ReturnOp, CallOp, FeedbackOp>(op))
          return WalkResult::advance();
        if (isa<ConstOp, ParamGetOp>(op) &&
            !isWorkflowType(op->getResult(0).getType()))
          return WalkResult::advance();
        op->emitOpError()
            << "needs the workflow runtime (convert-wf-to-runtime); the "
               "reference lowering runs graphs of wf.compute, wf.call, "
               "numeric wf.const / wf.param.get and wf.feedback";
        return WalkResult::interrupt();
      });
  return failure(walk.wasInterrupted());
}

/// Replaces `compute` by its body, run in place.
void inlineCompute(IRRewriter &rewriter, ComputeOp compute) {
  Block &body = compute.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> results(yield.getOperands());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(&body, compute, compute.getArgs());
  rewriter.replaceOp(compute, results);
}

void lowerGraph(IRRewriter &rewriter, GraphOp graph) {
  rewriter.setInsertionPoint(graph);
  auto func = func::FuncOp::create(rewriter, graph.getLoc(),
                                   graph.getSymName(), graph.getFunctionType());
  rewriter.inlineRegionBefore(graph.getBody(), func.getBody(),
                              func.getBody().end());
  rewriter.eraseOp(graph);

  SmallVector<Operation *> nodes;
  for (Operation &op : func.getBody().front())
    nodes.push_back(&op);
  for (Operation *op : nodes) {
    rewriter.setInsertionPoint(op);
    if (auto compute = dyn_cast<ComputeOp>(op)) {
      inlineCompute(rewriter, compute);
    } else if (auto ret = dyn_cast<ReturnOp>(op)) {
      rewriter.replaceOpWithNewOp<func::ReturnOp>(ret, ret.getOperands());
    } else if (isa<FeedbackOp>(op)) {
      rewriter.eraseOp(op);
    } else if (auto constant = dyn_cast<ConstOp>(op)) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          constant, cast<TypedAttr>(constant.getValue()));
    } else if (auto get = dyn_cast<ParamGetOp>(op)) {
      auto param = SymbolTable::lookupNearestSymbolFrom<ParamOp>(
          func, get.getParamAttr());
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(
          get, cast<TypedAttr>(param.getInitialValue()));
    }
  }
}

struct ConvertWorkflowToFuncPass
    : loom::impl::ConvertWorkflowToFuncBase<ConvertWorkflowToFuncPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<GraphOp> graphs(module.getOps<GraphOp>());
    for (GraphOp graph : graphs)
      if (failed(checkSupported(graph)))
        return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (GraphOp graph : graphs)
      lowerGraph(rewriter, graph);
    // Calls into graphs, from graphs or from ordinary functions.
    module.walk([&](CallOp call) {
      rewriter.setInsertionPoint(call);
      rewriter.replaceOpWithNewOp<func::CallOp>(
          call, call.getCallee(), call.getResultTypes(), call.getArgs());
    });
    for (Operation &op : llvm::make_early_inc_range(module.getOps()))
      if (isa<ModelOp, ParamOp, ToolDefOp, CodeDefOp>(op))
        rewriter.eraseOp(&op);
  }
};

} // namespace

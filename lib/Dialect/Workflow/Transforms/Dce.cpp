//===- Dce.cpp - The wf-dce pass ------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFDCE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// Whether `op` must stay whatever uses its results: terminators (returns,
/// yields), feedback and checkpoints (outputs and barriers), ops that are
/// not workflow nodes, and nodes with external effects — their own or in a
/// structured node's body.
bool mustStay(Operation *op) {
  if (op->hasTrait<OpTrait::IsTerminator>() ||
      isa<FeedbackOp, CheckpointOp>(op))
    return true;
  // Nodes, parameter reads and catches (an alias of the input with a
  // fallback body) may go; upstream ops inside wf.compute go with it.
  if (!isa<TraceNodeOpInterface, ParamGetOp, CatchOp>(op))
    return true;
  WalkResult effects = op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
    if (nested != op && isa<ComputeOp>(nested))
      return WalkResult::skip();
    auto node = dyn_cast<TraceNodeOpInterface>(nested);
    return node && node.hasExternalEffects() ? WalkResult::interrupt()
                                             : WalkResult::advance();
  });
  return effects.wasInterrupted();
}

/// Erases the dead ops of `region` in one sweep: last first, so a node's
/// readers are gone before it is looked at, and a structured node's body
/// before the node itself, so the ops its body read are looked at after it.
void eraseDead(Region &region) {
  for (Block &block : region)
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
      if (!isa<ComputeOp>(op))
        for (Region &nested : op.getRegions())
          eraseDead(nested);
      if (op.use_empty() && !mustStay(&op))
        op.erase();
    }
}

struct WfDcePass : mlir::loom::wf::impl::WfDceBase<WfDcePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::SmallDenseSet<Attribute> read;
    SymbolTableCollection symbols;
    for (auto graph : module.getOps<GraphOp>()) {
      eraseDead(graph.getBody());
      graph.getBody().walk([&](Operation *op) {
        for (FlatSymbolRefAttr param : referencedParams(op, symbols))
          read.insert(param.getAttr());
      });
    }
    bool failedParams = false;
    for (auto param : module.getOps<ParamOp>()) {
      if (!param.getTrainable() || read.contains(param.getSymNameAttr()))
        continue;
      InFlightDiagnostic diag =
          strictParams ? param.emitError() : param.emitWarning();
      diag << "trainable parameter @" << param.getSymName()
           << " influences no output of any graph: no trace would offer it "
              "to an optimizer";
      failedParams |= strictParams;
    }
    if (failedParams)
      signalPassFailure();
  }
};

} // namespace

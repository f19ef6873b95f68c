//===- Decide.cpp - The loom-decide pass ----------------------------------===//

#include "loom/CostModel/Decide.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/Utils/DecisionFile.h"
#include "loom/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMDECIDE
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// One target and model per decision kind, chosen at its first op.
struct KindModel {
  cost::TargetInfo target;
  std::unique_ptr<cost::CostModel> model;
};
using ModelCache = llvm::StringMap<KindModel>;

struct LoomDecidePass : loom::impl::LoomDecideBase<LoomDecidePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (replay != "keep" && replay != "recompute") {
      emitError(module.getLoc())
          << "loom-decide: replay must be keep or recompute, "
             "got '"
          << replay << "'";
      return signalPassFailure();
    }
    // The options' checks; each kind's class is its own (modelFor).
    llvm::Expected<cost::TargetInfo> target =
        cost::decisionTarget(isa, cpu, costModel, /*decision=*/"");
    if (!target) {
      emitError(module.getLoc())
          << "loom-decide: " << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    if (maxCandidates < 0) {
      emitError(module.getLoc())
          << "loom-decide: max-candidates must be 0 (all) or a count, got "
          << int64_t(maxCandidates);
      return signalPassFailure();
    }
    if (weights != "dram" && weights != "cache") {
      emitError(module.getLoc())
          << "loom-decide: weights must be dram or cache, got '" << weights
          << "'";
      return signalPassFailure();
    }

    SmallVector<cost::TunableOpInterface> ops;
    module.walk([&](cost::TunableOpInterface op) {
      if (op.hasDecision())
        ops.push_back(op);
    });
    SmallVector<DecisionEntry> entries = keyDecisionEntries(ops);
    // A loaded decision is one already made: replay=keep keeps it.
    if (!loadDecisions.empty() &&
        failed(pinLoomDecisions(module, loadDecisions, getArgument(), entries)))
      return signalPassFailure();
    ModelCache models;
    for (DecisionEntry &entry : entries) {
      auto op = cast<cost::TunableOpInterface>(entry.op);
      if (replay == "recompute" || !op->hasAttr(DecisionAttr::kAttrName))
        if (failed(decide(op, models)))
          return signalPassFailure();
      entry.decision = op->getAttr(DecisionAttr::kAttrName);
    }
    if (!dumpDecisions.empty() &&
        failed(saveDecisions(module, dumpDecisions, getArgument(), entries)))
      signalPassFailure();
  }

  /// The target and model of `op`'s decision, chosen once per kind.
  FailureOr<const KindModel *> modelFor(cost::TunableOpInterface op,
                                        ModelCache &models) {
    auto [it, inserted] = models.try_emplace(op.getDecisionKind());
    if (!inserted)
      return &it->second;
    llvm::Expected<cost::TargetInfo> target =
        cost::decisionTarget(isa, cpu, costModel, op.getDecisionKind());
    if (!target)
      return op->emitError() << llvm::toString(target.takeError());
    target->weightsFromDram = weights == "dram";
    it->second.target = *target;
    std::string passedOver;
    auto model = cost::selectCostModel(costModel, *target,
                                       op.getFeatureSchema(), passedOver);
    if (!model)
      return op->emitError() << llvm::toString(model.takeError());
    // A stale shipped model falls back to the roofline, said once.
    if (!passedOver.empty())
      op->emitRemark() << passedOver << "; deciding by the roofline";
    it->second.model = std::move(*model);
    return &it->second;
  }

  LogicalResult decide(cost::TunableOpInterface op, ModelCache &models) {
    FailureOr<const KindModel *> chosen = modelFor(op, models);
    if (failed(chosen))
      return failure();
    const cost::TargetInfo &target = (*chosen)->target;
    const cost::CostModel *model = (*chosen)->model.get();
    cost::KnobSpace space = op.getKnobSpace(target);
    SmallVector<cost::RankedCandidate> ranked = cost::rankCandidates(
        op, space, target, *model, static_cast<size_t>(maxCandidates));
    if (ranked.empty())
      return op->emitError()
             << "no legal candidate for decision " << op.getDecisionKind();

    cost::CostModelInfo info = model->info();
    bool learned = info.source == cost::CostModelInfo::Source::Learned;
    op->setAttr(DecisionAttr::kAttrName,
                DecisionAttr::getForCandidate(
                    op->getContext(), op.getDecisionKind(), space,
                    ranked.front().candidate, learned ? "learned" : "roofline",
                    info.modelId));
    if (remarks)
      cost::remarkRanking(
          op, op.getFeatureSchema(), space, ranked, *model,
          op.getFeatures(space, ranked.front().candidate, target));
    return success();
  }
};

} // namespace

//===- Decide.cpp - The loom-decide pass ----------------------------------===//

#include "DecisionFile.h"

#include "loom/CostModel/Decide.h"
#include "loom/CostModel/ShippedModels.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMDECIDE
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// One model per decision kind, loaded at its first op.
using ModelCache = llvm::StringMap<std::unique_ptr<cost::CostModel>>;

struct LoomDecidePass : loom::impl::LoomDecideBase<LoomDecidePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (replay != "keep" && replay != "recompute") {
      module.emitError() << "loom-decide: replay must be keep or recompute, "
                            "got '"
                         << replay << "'";
      return signalPassFailure();
    }
    std::optional<cost::TargetInfo> target = cost::TargetInfo::forIsa(isa);
    if (!target) {
      module.emitError() << "loom-decide: unknown isa '" << isa << "'";
      return signalPassFailure();
    }
    if (weights != "dram" && weights != "cache") {
      module.emitError() << "loom-decide: weights must be dram or cache, got '"
                         << weights << "'";
      return signalPassFailure();
    }
    target->weightsFromDram = weights == "dram";
    if (costModel != "auto" && costModel != "roofline" &&
        !llvm::sys::fs::is_directory(costModel)) {
      module.emitError() << "loom-decide: cost-model must be auto, roofline "
                            "or a directory of models, got '"
                         << costModel << "'";
      return signalPassFailure();
    }

    // A loaded decision is one already made: replay=keep keeps it.
    if (!loadDecisions.empty() &&
        failed(applyDecisionFile(module, loadDecisions)))
      return signalPassFailure();
    ModelCache models;
    WalkResult result = module.walk([&](cost::TunableOpInterface op) {
      if (replay == "keep" && op->hasAttr(DecisionAttr::kAttrName))
        return WalkResult::advance();
      return failed(decide(op, *target, models)) ? WalkResult::interrupt()
                                                 : WalkResult::advance();
    });
    if (result.wasInterrupted() ||
        (!dumpDecisions.empty() &&
         failed(writeDecisionFile(module, dumpDecisions))))
      signalPassFailure();
  }

  /// The model for `op`'s decision: a trained one where the cost-model
  /// directory (or, with auto, the build) has one for the target class,
  /// else the roofline. Loaded once per kind.
  FailureOr<const cost::CostModel *> modelFor(cost::TunableOpInterface op,
                                              const cost::TargetInfo &target,
                                              ModelCache &models) {
    StringRef kind = op.getDecisionKind();
    auto [it, inserted] = models.try_emplace(kind);
    if (!inserted)
      return it->second.get();
    const cost::FeatureSchema &schema = op.getFeatureSchema();
    auto modelId = [&](StringRef bytes) {
      std::string id;
      llvm::raw_string_ostream(id)
          << target.targetClass << "/" << kind << "@"
          << llvm::format_hex_no_prefix(llvm::xxh3_64bits(bytes) >> 32, 8);
      return id;
    };
    if (costModel == "auto") {
      for (const cost::ShippedModel &shipped : cost::shippedModels()) {
        if (shipped.targetClass != target.targetClass ||
            shipped.decision != kind)
          continue;
        std::string source = "models/" + target.targetClass + "/" + kind.str();
        auto model = cost::loadModel(shipped.model, shipped.meta, schema,
                                     source, modelId(shipped.model));
        if (model) {
          it->second = std::move(*model);
          return it->second.get();
        }
        // A stale shipped model falls back to the roofline, said once.
        op->emitRemark() << llvm::toString(model.takeError())
                         << "; deciding by the roofline";
      }
    } else if (costModel != "roofline") {
      SmallString<128> path(costModel);
      llvm::sys::path::append(path, target.targetClass, kind);
      auto buffer = llvm::MemoryBuffer::getFile(path + ".json");
      auto meta = llvm::MemoryBuffer::getFile(path + ".meta.json");
      if (buffer && meta) {
        auto model =
            cost::loadModel((*buffer)->getBuffer(), (*meta)->getBuffer(),
                            schema, path, modelId((*buffer)->getBuffer()));
        if (!model) {
          op->emitError() << llvm::toString(model.takeError());
          return failure();
        }
        it->second = std::move(*model);
        return it->second.get();
      }
    }
    std::optional<unsigned> roofline = schema.indexOf("roofline_log2_s");
    if (!roofline) {
      op->emitError() << "decision " << kind
                      << " has no roofline_log2_s feature to fall back on";
      return failure();
    }
    it->second = std::make_unique<cost::RooflineCostModel>(schema, *roofline);
    return it->second.get();
  }

  LogicalResult decide(cost::TunableOpInterface op,
                       const cost::TargetInfo &target, ModelCache &models) {
    FailureOr<const cost::CostModel *> model = modelFor(op, target, models);
    if (failed(model))
      return failure();
    cost::KnobSpace space = op.getKnobSpace(target);
    SmallVector<cost::RankedCandidate> ranked = cost::rankCandidates(
        op, space, target, **model, static_cast<size_t>(maxCandidates));
    if (ranked.empty())
      return op->emitError()
             << "no legal candidate for decision " << op.getDecisionKind();

    cost::CostModelInfo info = (*model)->info();
    bool learned = info.source == cost::CostModelInfo::Source::Learned;
    op->setAttr(DecisionAttr::kAttrName,
                DecisionAttr::getForCandidate(
                    op->getContext(), op.getDecisionKind(), space,
                    ranked.front().candidate, learned ? "learned" : "roofline",
                    info.modelId));
    if (remarks) {
      InFlightDiagnostic remark = op->emitRemark()
                                  << op.getDecisionKind() << " by "
                                  << info.modelId << ":";
      for (const cost::RankedCandidate &c : ArrayRef(ranked).take_front(3))
        remark << " [" << space.describe(c.candidate) << "] "
               << llvm::formatv("{0:F3}", c.cost).str() << ";";
      // Trees predict flat beyond their training range: say so.
      llvm::SmallSetVector<unsigned, 4> outside;
      for (const cost::FeatureVector &row :
           op.getFeatures(space, ranked.front().candidate, target))
        for (unsigned f : (*model)->outOfRange(row))
          outside.insert(f);
      if (!outside.empty()) {
        remark << " outside the model's training range:";
        for (unsigned f : outside)
          remark << " " << op.getFeatureSchema().names[f];
      }
    }
    return success();
  }
};

} // namespace

//===- SelectStrategy.cpp - The moe-select-strategy pass ------------------===//

#include "loom/Dialect/MoE/Transforms/Passes.h"

#include "loom/CostModel/Decide.h"
#include "loom/CostModel/Schemas/MoEDispatch.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/Utils/DecisionFile.h"
#include "loom/Dialect/MoE/IR/StrategyModel.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/FormatVariadic.h"

#include <map>

namespace mlir::loom::moe {
#define GEN_PASS_DEF_MOESELECTSTRATEGY
#include "loom/Dialect/MoE/Transforms/Passes.h.inc"
} // namespace mlir::loom::moe

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

/// What one more copy of the layer is worth in the learned model's cost,
/// summed over the T buckets it would serve (see chooseLearned). From
/// `loom-tune evaluate`'s table of the candidates next to the model's pick
/// (held-out moe.dispatch tasks): those within 0.3 take 1.003x and 1.013x
/// the pick's time on average in the two shipped classes (p90 1.04x,
/// 1.08x), where its second to fifth best take 1.030x and 1.040x (p90
/// 1.13x, 1.14x). A copy that gains less than that is time the model
/// cannot tell apart, for a second or more of compile.
constexpr double kCopyCost = 0.3;

struct Choice {
  StrategyCost cost;
  /// The learned model's decision; null for the analytical model's.
  loom::DecisionAttr decision;
  int64_t fromTokens, toTokens; // the bucket range, for the report
};

StrategyAttr toAttr(MLIRContext *ctx, const StrategyCost &c) {
  return StrategyAttr::get(ctx, c.kind,
                           TileAttr::get(ctx, c.rows, c.weightRows));
}

bool sameChoice(const StrategyCost &a, const StrategyCost &b) {
  return a.kind == b.kind && a.rows == b.rows && a.weightRows == b.weightRows;
}

struct MoESelectStrategyPass
    : mlir::loom::moe::impl::MoESelectStrategyBase<MoESelectStrategyPass> {
  using Base::Base;

  void runOnOperation() override {
    if (peakGflops <= 0 || bandwidth <= 0 || threads < 1 ||
        (rowTile == 0) != (weightRows == 0)) {
      emitError(getOperation()->getLoc())
          << "moe-select-strategy: peak-gflops, bandwidth-gbps and threads "
             "must be positive, and row-tile and weight-rows set together";
      return signalPassFailure();
    }
    if (rowTile &&
        failed(TileAttr::verifyInvariants(
            [&] {
              return emitError(getOperation()->getLoc())
                     << "moe-select-strategy: row-tile and weight-rows: ";
            },
            rowTile, weightRows)))
      return signalPassFailure();
    llvm::Expected<loom::cost::TargetInfo> target =
        loom::cost::decisionTarget(isa, cpu, costModel, "moe.dispatch");
    if (!target) {
      emitError(getOperation()->getLoc())
          << "moe-select-strategy: " << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    if (!strategy.empty()) {
      fixedKind = symbolizeStrategyKind(strategy);
      if (!fixedKind) {
        emitError(getOperation()->getLoc())
            << "moe-select-strategy: strategy must be grouped, padded or "
               "dense, got '"
            << strategy << "'";
        return signalPassFailure();
      }
    }
    if (!dumpDecisions.empty() && !llvm::isa<ModuleOp>(getOperation())) {
      emitError(getOperation()->getLoc())
          << "moe-select-strategy: dump-decisions "
             "needs the pass to run on a module";
      return signalPassFailure();
    }
    SmallVector<loom::cost::TunableOpInterface> layers;
    // Low-bit experts run the lut kernels, whose choices lut.gemm decisions
    // make; their layers keep the grouped default.
    getOperation()->walk([&](LayerOp op) {
      if (!op.getStrategyAttr() &&
          llvm::isa<RankedTensorType>(op.getWIn().getType()))
        layers.push_back(op);
    });
    SmallVector<loom::DecisionEntry> entries = loom::keyDecisionEntries(layers);
    if (!loadDecisions.empty() &&
        failed(
            loom::loadDecisions(getOperation(), loadDecisions, getArgument(),
                                entries, [&](Operation *op, Attribute pinned) {
                                  return checkPinned(cast<LayerOp>(op), pinned);
                                })))
      return signalPassFailure();
    // The learned model, where one fits; a fixed tile is the analytical
    // model's experiment.
    std::unique_ptr<loom::cost::CostModel> model;
    if (costModel != "roofline" && !rowTile && !layers.empty()) {
      std::string passedOver;
      auto selected = loom::cost::selectCostModel(
          costModel, *target, loom::cost::moe_dispatch::schema(), passedOver);
      if (!selected) {
        layers.front()->emitError() << llvm::toString(selected.takeError());
        return signalPassFailure();
      }
      if (!passedOver.empty())
        layers.front()->emitRemark()
            << passedOver << "; deciding by the analytical model";
      if ((*selected)->info().source ==
          loom::cost::CostModelInfo::Source::Learned)
        model = std::move(*selected);
    }
    learned = model.get();
    this->target = *target;
    for (loom::DecisionEntry &entry : entries)
      if (fixedKind &&
          failed(checkKind(cast<LayerOp>(entry.op), *fixedKind, "strategy=")))
        return signalPassFailure();
    for (loom::DecisionEntry &entry : entries)
      entry.decision = select(cast<LayerOp>(entry.op), entry.decision);
    if (!dumpDecisions.empty() &&
        failed(loom::saveDecisions(getOperation(), dumpDecisions, getArgument(),
                                   entries)))
      signalPassFailure();
  }

  /// The learned model's choices for `op` at each of `buckets` (token
  /// counts), made together: one candidate per bucket, minimizing the
  /// summed cost plus kCopyCost for each change between neighbouring
  /// buckets, since each change is one more copy of the layer to compile.
  /// (Keeping a bucket's choice while the next ranks it near its best
  /// instead sticks with a lower bucket's tile over larger ones that all
  /// prefer another.)
  SmallVector<Choice> chooseLearned(LayerOp op, ArrayRef<int64_t> buckets) {
    loom::cost::KnobSpace space = op.getKnobSpace(target);
    // The knob space always holds the default tile of every strategy the
    // layer can take.
    std::optional<StrategyKind> pinned = pinnedKind(op);
    auto allowed = [&](const loom::cost::Candidate &c) {
      return !pinned || strategyOf(space, c) == *pinned;
    };
    SmallVector<loom::cost::Candidate> candidates;
    llvm::copy_if(space.enumerate(), std::back_inserter(candidates), allowed);
    auto featuresAt = [&](int64_t tokens) {
      return [&, shape = LayerShape::of(op, tokens)](
                 const loom::cost::Candidate &candidate) {
        return SmallVector<loom::cost::FeatureVector>{
            dispatchFeatures(shape, space, candidate, target)};
      };
    };
    // Each bucket's ranking, and cost[b][i]: candidate i at bucket b.
    SmallVector<SmallVector<loom::cost::RankedCandidate>> rankings;
    SmallVector<SmallVector<double>> cost;
    for (int64_t tokens : buckets) {
      SmallVector<loom::cost::RankedCandidate> &ranked =
          rankings.emplace_back();
      std::map<loom::cost::Candidate, double> byCandidate;
      for (const loom::cost::RankedCandidate &c : loom::cost::rankCandidates(
               space, featuresAt(tokens), *learned, 4096))
        if (allowed(c.candidate)) {
          ranked.push_back(c);
          byCandidate[c.candidate] = c.cost;
        }
      SmallVector<double> &row = cost.emplace_back();
      for (const loom::cost::Candidate &c : candidates)
        row.push_back(byCandidate.at(c));
    }
    SmallVector<size_t> chosen =
        loom::cost::chooseWithChangeCost(cost, kCopyCost);
    SmallVector<Choice> choices;
    for (auto [b, tokens] : llvm::enumerate(buckets)) {
      const loom::cost::Candidate &pick = candidates[chosen[b]];
      if (remarks)
        loom::cost::remarkRanking(op, op.getFeatureSchema(), space, rankings[b],
                                  *learned, featuresAt(tokens)(pick));
      auto decision = loom::DecisionAttr::getForCandidate(
          op.getContext(), op.getDecisionKind(), space, pick, "learned",
          learned->info().modelId);
      choices.push_back({fromDecision(decision, LayerShape::of(op, tokens)),
                         decision, tokens, tokens});
    }
    return choices;
  }

  /// The strategy a decision names, with its analytical cost for the
  /// report.
  StrategyCost fromDecision(loom::DecisionAttr decision,
                            const LayerShape &shape) {
    return estimate(*symbolizeStrategyKind(*decision.getStringKnob("strategy")),
                    *decision.getIntKnob("tile_rows"),
                    *decision.getIntKnob("tile_weight_rows"), shape, host());
  }

  HostThroughput host() const { return {peakGflops, bandwidth, threads}; }

  /// The choices for `op` at each of `buckets` (token counts).
  SmallVector<Choice> choose(LayerOp op, ArrayRef<int64_t> buckets) {
    if (learned)
      return chooseLearned(op, buckets);
    SmallVector<Choice> choices;
    for (int64_t tokens : buckets)
      choices.push_back(
          {chooseAnalytically(op, tokens), nullptr, tokens, tokens});
    return choices;
  }

  StrategyCost chooseAnalytically(LayerOp op, int64_t tokens) {
    return selectStrategy(LayerShape::of(op, tokens), host(), kDefaultTile,
                          {rowTile, weightRows}, pinnedKind(op));
  }

  /// The strategy `op` must take: its layout's (grouped or padded), else
  /// the `strategy` option's.
  std::optional<StrategyKind> pinnedKind(LayerOp op) const {
    if (LayoutAttr layout = op.getLayoutAttr())
      return layout.getKind() == LayoutKind::Padded ? StrategyKind::Padded
                                                    : StrategyKind::Grouped;
    return fixedKind;
  }

  /// Whether `op` can run `kind`, which `what` (an option, a decision
  /// file) asks for.
  LogicalResult checkKind(LayerOp op, StrategyKind kind, StringRef what) const {
    std::optional<StrategyKind> pinned = pinnedKind(op);
    if (pinned && *pinned != kind)
      return op.emitError()
             << "moe-select-strategy: " << what << stringifyStrategyKind(kind)
             << " contradicts the layer's "
             << (op.getLayoutAttr() ? "layout" : "strategy option");
    if (!isApplicable(kind, LayerShape::of(op, 1)))
      return op.emitError()
             << "moe-select-strategy: " << what << stringifyStrategyKind(kind)
             << " cannot compute this layer exactly (it drops "
                "tokens or scales rows before the FFN)";
    return success();
  }

  /// The strategies a decision file pins on `op`: one, or (for a dynamic
  /// T) one per T bucket.
  static SmallVector<StrategyAttr> pinnedStrategies(LayerOp op,
                                                    Attribute pinned) {
    if (auto one = dyn_cast<StrategyAttr>(pinned))
      return {one};
    auto array = dyn_cast<ArrayAttr>(pinned);
    bool dynamic = ShapedType::isDynamic(
        cast<RankedTensorType>(op.getX().getType()).getDimSize(0));
    if (!dynamic || !array || array.size() != std::size(kTokenBuckets) ||
        !llvm::all_of(array, llvm::IsaPred<StrategyAttr>))
      return {};
    return llvm::to_vector(array.getAsRange<StrategyAttr>());
  }

  /// Whether `op` can run what a decision file pins on it.
  LogicalResult checkPinned(LayerOp op, Attribute pinned) const {
    SmallVector<StrategyAttr> strategies = pinnedStrategies(op, pinned);
    if (strategies.empty())
      return op.emitError()
             << "moe-select-strategy: expected a #moe.strategy, or for a "
                "dynamic T an array of one per T bucket ("
             << std::size(kTokenBuckets) << "), got " << pinned;
    for (StrategyAttr strategy : strategies)
      if (failed(checkKind(op, strategy.getKind(), "the decision file's ")))
        return failure();
    return success();
  }

  loom::cost::TargetInfo target;
  /// The learned model of this run; null: the analytical model decides.
  const loom::cost::CostModel *learned = nullptr;
  /// The `strategy` option.
  std::optional<StrategyKind> fixedKind;

  void remark(LayerOp op, const Choice &c) {
    if (!report)
      return;
    auto diag = op.emitRemark();
    if (c.fromTokens == c.toTokens)
      diag << "T = " << c.fromTokens;
    else if (c.toTokens < 0)
      diag << (c.fromTokens ? "T >= " + std::to_string(c.fromTokens)
                            : std::string("any T"));
    else
      diag << "T in [" << c.fromTokens << ", " << c.toTokens << "]";
    const StrategyCost &s = c.cost;
    auto us = [](double ns) { return llvm::formatv("{0:f1}", ns / 1000); };
    diag << ": " << stringifyStrategyKind(s.kind) << ", tile " << s.rows << "x"
         << s.weightRows << ", modeled " << us(s.totalNs()).str()
         << " us (experts " << us(s.expertNs).str() << " us, "
         << (s.memoryBound ? "bandwidth" : "compute") << "-bound; routing "
         << us(s.routingNs).str() << " us)";
    if (c.decision)
      diag << " by " << c.decision.getModel().getValue();
  }

  /// Sets `op`'s strategy, and the decision where a model recorded one.
  static void apply(LayerOp op, const Choice &c) {
    op.setStrategyAttr(toAttr(op.getContext(), c.cost));
    if (c.decision)
      op->setAttr(loom::DecisionAttr::kAttrName, c.decision);
  }

  /// Chooses `op`'s strategies, or takes those a decision file pins
  /// (`pinned`), and sets them; returns them as a decision file records
  /// them.
  Attribute select(LayerOp op, Attribute pinned) {
    int64_t tokens = cast<RankedTensorType>(op.getX().getType()).getDimSize(0);
    bool dynamic = ShapedType::isDynamic(tokens);
    ArrayRef<int64_t> buckets =
        dynamic ? ArrayRef<int64_t>(kTokenBuckets) : ArrayRef<int64_t>(tokens);
    // A decision already made holds for every T.
    auto decision =
        op->getAttrOfType<loom::DecisionAttr>(loom::DecisionAttr::kAttrName);
    if (decision && !pinned) {
      Choice c{fromDecision(decision, LayerShape::of(op, buckets.front())),
               nullptr, tokens, tokens};
      if (dynamic)
        c.fromTokens = 0, c.toTokens = -1;
      remark(op, c);
      apply(op, c);
      return toAttr(op.getContext(), c.cost);
    }
    // A decision file's strategies replace a decision the layer carries.
    if (pinned)
      op->removeAttr(loom::DecisionAttr::kAttrName);
    SmallVector<Choice> choices =
        pinned ? pinnedChoices(op, pinned, buckets) : choose(op, buckets);
    if (!dynamic) {
      remark(op, choices.front());
      apply(op, choices.front());
      return toAttr(op.getContext(), choices.front().cost);
    }
    Attribute record = pinned;
    if (!record)
      record = ArrayAttr::get(
          op.getContext(), llvm::map_to_vector(choices, [&](const Choice &c) {
            return Attribute(toAttr(op.getContext(), c.cost));
          }));
    // Runs of buckets with the same choice; the last bucket stands for
    // every larger T.
    SmallVector<Choice> runs;
    int64_t from = 0;
    for (Choice c : choices) {
      int64_t bound = c.toTokens;
      if (!runs.empty() && sameChoice(runs.back().cost, c.cost)) {
        runs.back().toTokens = bound;
      } else {
        c.fromTokens = from;
        runs.push_back(c);
      }
      from = bound + 1;
    }
    runs.back().toTokens = -1;
    for (const Choice &c : runs)
      remark(op, c);
    if (runs.size() == 1)
      apply(op, runs.front());
    else
      specialize(op, runs);
    return record;
  }

  /// One choice per bucket from the strategies a decision file pins.
  SmallVector<Choice> pinnedChoices(LayerOp op, Attribute pinned,
                                    ArrayRef<int64_t> buckets) {
    SmallVector<StrategyAttr> strategies = pinnedStrategies(op, pinned);
    SmallVector<Choice> choices;
    for (auto [b, tokens] : llvm::enumerate(buckets)) {
      StrategyAttr s = strategies[strategies.size() == 1 ? 0 : b];
      choices.push_back({estimate(s.getKind(), s.getTile().getRows(),
                                  s.getTile().getWeightRows(),
                                  LayerShape::of(op, tokens), host()),
                         nullptr, tokens, tokens});
    }
    return choices;
  }

  /// Replaces `op` by an scf.index_switch on the run T falls in, each case
  /// a copy of `op` with that run's strategy.
  void specialize(LayerOp op, ArrayRef<Choice> runs) {
    OpBuilder builder(op);
    ImplicitLocOpBuilder b(op.getLoc(), builder);
    // The run index: how many runs end below T.
    Value tokens = tensor::DimOp::create(b, op.getX(), 0);
    Value run;
    for (const Choice &c : runs.drop_back()) {
      Value above = arith::IndexCastUIOp::create(
          b, b.getIndexType(),
          arith::CmpIOp::create(
              b, arith::CmpIPredicate::ugt, tokens,
              arith::ConstantIndexOp::create(b, c.toTokens)));
      run = run ? arith::AddIOp::create(b, run, above).getResult() : above;
    }
    SmallVector<int64_t> cases;
    for (int64_t i = 0; i + 1 < int64_t(runs.size()); ++i)
      cases.push_back(i);
    auto sw = scf::IndexSwitchOp::create(b, op->getResultTypes(), run, cases,
                                         cases.size());
    auto fill = [&](Region &region, const Choice &c) {
      OpBuilder::InsertionGuard guard(builder);
      builder.createBlock(&region);
      auto copy = cast<LayerOp>(builder.clone(*op));
      apply(copy, c);
      scf::YieldOp::create(builder, op.getLoc(), copy->getResults());
    };
    for (auto [region, c] : llvm::zip(sw.getCaseRegions(), runs.drop_back()))
      fill(region, c);
    fill(sw.getDefaultRegion(), runs.back());
    op->replaceAllUsesWith(sw->getResults());
    op->erase();
  }
};

} // namespace

//===- SelectStrategy.cpp - The moe-select-strategy pass ------------------===//

#include "loom/Dialect/MoE/Transforms/Passes.h"
#include "loom/Dialect/MoE/Transforms/StrategyModel.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::loom::moe {
#define GEN_PASS_DEF_MOESELECTSTRATEGY
#include "loom/Dialect/MoE/Transforms/Passes.h.inc"
} // namespace mlir::loom::moe

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

/// The largest T of each bucket a dynamic T is specialized for; T above the
/// last takes the last bucket's choice, modeled at 4x its bound.
constexpr int64_t kBucketBounds[] = {1, 8, 32, 128, 512};

/// The grouped kernel's best measured tile on this project's host
/// (bench/run moe): 4 rows x 6 weight rows.
constexpr std::pair<int64_t, int64_t> kDefaultTile = {4, 6};

struct Choice {
  StrategyCost cost;
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
      getOperation()->emitError()
          << "moe-select-strategy: peak-gflops, bandwidth-gbps and threads "
             "must be positive, and row-tile and weight-rows set together";
      return signalPassFailure();
    }
    if (rowTile &&
        failed(TileAttr::verifyInvariants(
            [&] { return getOperation()->emitError(); }, rowTile, weightRows)))
      return signalPassFailure();
    SmallVector<LayerOp> layers;
    // Low-bit experts run the lut kernels, whose choices lut-select-strategy
    // makes; their layers keep the grouped default.
    getOperation()->walk([&](LayerOp op) {
      if (!op.getStrategyAttr() && isa<RankedTensorType>(op.getWIn().getType()))
        layers.push_back(op);
    });
    for (LayerOp op : layers)
      select(op);
  }

  StrategyCost choose(LayerOp op, int64_t tokens) {
    HostThroughput host{peakGflops, bandwidth, threads};
    LayerShape shape = LayerShape::of(op, tokens);
    StrategyCost cost =
        selectStrategy(shape, host, kDefaultTile, {rowTile, weightRows});
    // An explicit layout fixes grouped or padded.
    if (LayoutAttr layout = op.getLayoutAttr()) {
      StrategyKind kind = layout.getKind() == LayoutKind::Padded
                              ? StrategyKind::Padded
                              : StrategyKind::Grouped;
      if (cost.kind != kind)
        cost = estimate(kind, cost.rows, cost.weightRows, shape, host);
    }
    return cost;
  }

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
  }

  void select(LayerOp op) {
    MLIRContext *ctx = op.getContext();
    int64_t tokens = cast<RankedTensorType>(op.getX().getType()).getDimSize(0);
    if (!ShapedType::isDynamic(tokens)) {
      Choice c{choose(op, tokens), tokens, tokens};
      remark(op, c);
      op.setStrategyAttr(toAttr(ctx, c.cost));
      return;
    }
    // Runs of buckets with the same choice.
    SmallVector<Choice> runs;
    int64_t from = 0;
    for (int64_t bound : kBucketBounds) {
      StrategyCost cost = choose(op, bound);
      if (!runs.empty() && sameChoice(runs.back().cost, cost))
        runs.back().toTokens = bound;
      else
        runs.push_back({cost, from, bound});
      from = bound + 1;
    }
    StrategyCost last = choose(op, 4 * kBucketBounds[4]);
    if (sameChoice(runs.back().cost, last))
      runs.back().toTokens = -1;
    else
      runs.push_back({last, from, -1});
    for (const Choice &c : runs)
      remark(op, c);
    if (runs.size() == 1) {
      op.setStrategyAttr(toAttr(ctx, runs.front().cost));
      return;
    }
    specialize(op, runs);
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
      copy.setStrategyAttr(toAttr(op.getContext(), c.cost));
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

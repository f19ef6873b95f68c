//===- MoETunable.cpp - moe.layer's decision: strategy and tile -----------===//
//
// The knobs are the layer's strategy (moe.md §3.2) and the grouped GEMM
// kernel's register tile. Each knob's first option is the hand-tuned
// default (grouped, 4 x 6), so ties keep it. Low-bit experts run the lut
// kernels, whose schedules lut.gemm decides: their only candidate is the
// default.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/Schemas/MoEDispatch.h"
#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "loom/Dialect/MoE/IR/StrategyModel.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

StringRef LayerOp::getDecisionKind() { return "moe.dispatch"; }

const cost::FeatureSchema &LayerOp::getFeatureSchema() {
  return cost::moe_dispatch::schema();
}

static bool hasLowBitExperts(LayerOp op) {
  return !isa<RankedTensorType>(op.getWIn().getType());
}

cost::KnobSpace LayerOp::getKnobSpace(const cost::TargetInfo &target) {
  SmallVector<cost::Knob> knobs = {
      {"strategy",
       {stringifyStrategyKind(StrategyKind::Grouped).str(),
        stringifyStrategyKind(StrategyKind::Padded).str(),
        stringifyStrategyKind(StrategyKind::Dense).str()}},
      {"tile_rows",
       {int64_t(4), int64_t(1), int64_t(2), int64_t(6), int64_t(8)}},
      {"tile_weight_rows",
       {int64_t(6), int64_t(2), int64_t(4), int64_t(8), int64_t(16)}}};
  if (hasLowBitExperts(*this))
    return cost::KnobSpace(std::move(knobs), [](const cost::KnobSpace &,
                                                const cost::Candidate &c) {
      return llvm::all_of(c, [](unsigned i) { return i == 0; });
    });
  LayerShape shape = LayerShape::of(*this, /*tokens=*/1);
  // An explicit layout fixes grouped or padded.
  std::optional<StrategyKind> pinned;
  if (LayoutAttr layout = getLayoutAttr())
    pinned = layout.getKind() == LayoutKind::Padded ? StrategyKind::Padded
                                                    : StrategyKind::Grouped;
  return cost::KnobSpace(
      std::move(knobs), [shape, pinned](const cost::KnobSpace &space,
                                        const cost::Candidate &candidate) {
        StrategyKind kind = strategyOf(space, candidate);
        return (!pinned || kind == *pinned) && isApplicable(kind, shape) &&
               tileFitsRegisters(space.intValue(candidate, "tile_rows"),
                                 space.intValue(candidate, "tile_weight_rows"));
      });
}

SmallVector<cost::FeatureVector>
LayerOp::getFeatures(const cost::KnobSpace &space,
                     const cost::Candidate &candidate,
                     const cost::TargetInfo &target) {
  if (hasLowBitExperts(*this))
    return {cost::FeatureVector(cost::moe_dispatch::NumFeatures, NAN)};
  // A dynamic T is judged at every bucket's T.
  SmallVector<int64_t, 6> tokens(std::begin(kTokenBuckets),
                                 std::end(kTokenBuckets));
  int64_t t = cast<RankedTensorType>(getX().getType()).getDimSize(0);
  if (!ShapedType::isDynamic(t))
    tokens = {t};
  SmallVector<cost::FeatureVector> rows;
  for (int64_t t : tokens)
    rows.push_back(
        dispatchFeatures(LayerShape::of(*this, t), space, candidate, target));
  return rows;
}

std::optional<cost::WorkEstimate> LayerOp::estimateWork() {
  auto x = cast<RankedTensorType>(getX().getType());
  if (!x.hasStaticShape())
    return std::nullopt;
  LayerShape s = LayerShape::of(*this, x.getDimSize(0));
  double expertIn = s.gated ? 2.0 * s.h : s.h;
  double expertWeights = (expertIn + s.h) * s.d;
  // Stored bytes per expert weight: the element type's, or the packed
  // weight's bit planes.
  double weightBytes = s.elementBytes;
  if (auto stacked = dyn_cast<lut::StackedType>(getWIn().getType()))
    weightBytes = stacked.getElement().getQuant().getNumPlanes() / 8.0;
  Occupancy occ = occupancy(s, /*allExperts=*/false);
  double sharedWeights =
      s.sharedH ? (s.gated ? 3.0 : 2.0) * s.sharedH * s.d : 0;
  cost::WorkEstimate work = cost::zeroWork();
  // The router, the kept rows through their experts, the shared expert.
  work.ops[cost::kF32Fma] =
      double(s.tokens) * s.experts * s.d +
      occ.activeExperts * occ.rowsPerExpert * expertWeights +
      double(s.tokens) * sharedWeights;
  work.bytes[cost::kDram] =
      occ.activeExperts * expertWeights * weightBytes +
      (double(s.experts) * s.d + sharedWeights) * s.elementBytes +
      2.0 * s.tokens * s.d * s.elementBytes;
  return work;
}

//===- LinalgTileModel.cpp - What the cost model knows of linalg tiles ----===//
//
// The linalg.tile decision of a contraction: the register tile tile_m x
// tile_n x tile_k that loom-tile-linalg tiles and vectorizes it to, and the
// dim its vectors run along: n (outer products; the tile's n extent is the
// vector length) or k (partial sums; its k extent is). Each knob's first
// option is the hand-picked default (4 x 16 x 1 along n: four rows of one
// 16-lane vector), so ties keep it.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/Schemas/LinalgTile.h"
#include "loom/CostModel/TargetInfo.h"
#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Transforms/ContractionTiling.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
namespace lt = mlir::loom::cost::linalg_tile;

namespace {

using Tile = RegisterTile;

Tile tileOf(const cost::KnobSpace &space, const cost::Candidate &candidate) {
  return {space.intValue(candidate, "tile_m"),
          space.intValue(candidate, "tile_n"),
          space.intValue(candidate, "tile_k"),
          std::get<std::string>(space.value(candidate, "vector_dim")) == "k"};
}

/// What one step of the tile's innermost loop does.
struct Step {
  /// Vectors spanning the tile's extent along its vector dim, and the share
  /// of their lanes it fills.
  double vectors, laneFill;
  /// Vector registers the accumulators take.
  double accumulators;
  /// Vector FMAs and loads (a gathered element counts as a load) per step,
  /// the elements of those loads that a transposed read shuffles, and the
  /// k the step covers.
  double fmas, loads, shuffles, k;
  /// Operand vectors and broadcast elements converted to f32 per step,
  /// where the sums are kept in f32 (ContractionTiling::sumsInF32).
  double conversions;
};

/// Along n, a step is the outer product of tile_m broadcast lhs elements and
/// a row of rhs vectors, gathered element by element unless rhs is
/// contiguous along n. Along k, it multiplies tile_m lhs and tile_n rhs
/// vectors pairwise into tile_m x tile_n partial sums.
Step stepOf(const ContractionTiling &tiling, const Tile &tile,
            const cost::TargetInfo &target) {
  double lanes = tiling.lanes(target);
  if (!tile.alongK) {
    double vectors = std::ceil(tile.n / lanes);
    // A rhs laid out along k is read along k and transposed: about one
    // shuffle per element.
    double shuffles = tiling.rhsContiguousN ? 0 : tile.n;
    Step step;
    step.vectors = vectors;
    step.laneFill = tile.n / (vectors * lanes);
    step.accumulators = step.fmas = tile.m * vectors;
    step.loads = tile.m + vectors + shuffles;
    step.shuffles = shuffles;
    step.k = 1;
    step.conversions = tiling.sumsInF32(target) ? tile.m + vectors : 0;
    return step;
  }
  // Operands not laid out along k are gathered element by element.
  double vectors = std::ceil(tile.k / lanes);
  double lhsShuffles = tiling.lhsContiguousK ? 0 : tile.m * tile.k;
  double rhsShuffles = tiling.rhsContiguousK ? 0 : tile.n * tile.k;
  Step step;
  step.vectors = vectors;
  step.laneFill = tile.k / (vectors * lanes);
  step.accumulators = step.fmas = tile.m * tile.n * vectors;
  step.loads = (lhsShuffles ? lhsShuffles : tile.m * vectors) +
               (rhsShuffles ? rhsShuffles : tile.n * vectors);
  step.shuffles = lhsShuffles + rhsShuffles;
  step.k = tile.k;
  step.conversions = tiling.sumsInF32(target) ? (tile.m + tile.n) * vectors : 0;
  return step;
}

/// Whether the tile fits its loops and its accumulators, the operand
/// vectors a step keeps and one more fit the vector registers. A tile that
/// does not divide a loop leaves a remainder part (splitExtents; dynamic
/// rows: splitDynamicRows). Along k the tile must be wider than one
/// element.
bool isLegal(const ContractionTiling &tiling, const Tile &tile,
             const cost::TargetInfo &target) {
  bool rowsFit = ShapedType::isDynamic(tiling.m) || tile.m <= tiling.m;
  if (!rowsFit || tile.n > tiling.n || tile.k > tiling.k ||
      (tile.alongK && tile.k == 1))
    return false;
  Step step = stepOf(tiling, tile, target);
  double operands = tile.alongK ? tile.m * step.vectors : step.vectors;
  return step.accumulators + operands + 1 <= target.vectorRegisters;
}

/// A core's cycles per second, for the work the roofline counts in cycles
/// (loop iterations, partial sums, the packed rhs's copy).
constexpr double kCoreHz = 3e9;

/// A tiled part's work on one core: its vector FMAs (counted in f32 lanes:
/// an f16 FMA does twice the lanes in the time of an f32 one), its loads
/// and, where the sums are kept in f32, the operands' conversions
/// (two per cycle), a cycle per iteration of the k loop, rhs streaming
/// from L2 once per row tile (from DRAM when it outgrows L2), and along k
/// the final sums of the partial sums (a cycle per partial sum, and
/// charged as if they went through L2 once; the lowering keeps them in
/// registers, so this overestimates their cost a little).
cost::WorkEstimate partWork(const ContractionTiling &tiling, const Tile &tile,
                            const cost::TargetInfo &target) {
  Step step = stepOf(tiling, tile, target);
  double f32Lanes = target.vectorBytes / 4.0;
  double tiles = double(tiling.outerIterations) * (tiling.m / tile.m) *
                 (tiling.n / tile.n);
  double steps = tiles * tiling.k / step.k;
  // The accumulators are read and written once per tile, element by
  // element when the output is not contiguous along the vectors.
  double outAccesses =
      2 * (tile.alongK || tiling.outContiguousN ? step.accumulators
                                                : tile.m * tile.n);

  cost::WorkEstimate work = cost::zeroWork();
  work.ops[cost::kF32Fma] = steps * step.fmas * f32Lanes;
  // A conversion issues beside the FMAs, like the load it follows.
  work.bytes[cost::kL1] =
      (steps * (step.loads + step.conversions) + tiles * outAccesses) *
      target.vectorBytes;
  double rhsBytes = double(tiling.k) * tiling.n * tiling.rhsElementBytes;
  double rhsTraffic =
      double(tiling.outerIterations) * (tiling.m / tile.m) * rhsBytes;
  work.bytes[cost::kL2] = rhsTraffic;
  // One core's L2 (1 MiB on the Zen cores of the development VM).
  constexpr double kL2Bytes = 1 << 20;
  if (rhsBytes > kL2Bytes)
    work.bytes[cost::kDram] = rhsTraffic;
  double kIterations = tile.alongK ? steps : steps / tile.k;
  work.overheadSeconds = kIterations / kCoreHz;
  if (tile.alongK) {
    double partials =
        double(tiling.outerIterations) * tiling.m * tiling.n * tile.k;
    double partialBytes = tiling.sumsInF32(target) ? 4 : tiling.elementBytes;
    work.bytes[cost::kL2] += 2 * partials * partialBytes;
    work.overheadSeconds += partials / kCoreHz;
  }
  return work;
}

/// The parts loom-tile-linalg splits the contraction into for `tile`, each
/// with the tile it runs (one part where the tile divides every loop), at
/// the rows `tiling.m` (a row count it is judged at, for dynamic rows).
SmallVector<std::pair<ContractionTiling, Tile>, 8>
partsOf(const ContractionTiling &tiling, const Tile &tile) {
  SmallVector<std::pair<int64_t, int64_t>, 4> rowParts;
  if (tiling.dynamicRows)
    rowParts = splitDynamicRows(tiling.m, tile.m);
  else
    for (int64_t m : splitExtents(tiling.m, tile.m))
      rowParts.push_back({m, tile.m});
  SmallVector<std::pair<ContractionTiling, Tile>, 8> parts;
  for (auto [m, tileM] : rowParts)
    for (int64_t n : splitExtents(tiling.n, tile.n))
      for (int64_t k : splitExtents(tiling.k, tile.k)) {
        ContractionTiling part = tiling;
        part.m = m, part.n = n, part.k = k;
        Tile rowsTile = tile;
        rowsTile.m = tileM;
        parts.push_back({part, clipToPart(rowsTile, m, n, k)});
      }
  return parts;
}

/// The parts' work, one after the other.
cost::WorkEstimate partsWork(ArrayRef<std::pair<ContractionTiling, Tile>> parts,
                             const cost::TargetInfo &target) {
  cost::WorkEstimate total = cost::zeroWork();
  for (const auto &[part, partTile] : parts)
    cost::accumulate(total, partWork(part, partTile, target));
  return total;
}

template <typename OpTy>
struct LinalgTileModel
    : cost::TunableOpInterface::ExternalModel<LinalgTileModel<OpTy>, OpTy> {
  static FailureOr<ContractionTiling> tilingOf(Operation *op) {
    return ContractionTiling::of(cast<linalg::LinalgOp>(op));
  }

  StringRef getDecisionKind(Operation *) const { return "linalg.tile"; }

  bool hasDecision(Operation *op) const { return succeeded(tilingOf(op)); }

  const cost::FeatureSchema &getFeatureSchema(Operation *) const {
    return lt::schema();
  }

  cost::KnobSpace getKnobSpace(Operation *op,
                               const cost::TargetInfo &target) const {
    SmallVector<cost::Knob> knobs = {
        {"tile_m",
         {int64_t(4), int64_t(1), int64_t(2), int64_t(6), int64_t(8)}},
        {"tile_n",
         {int64_t(16), int64_t(8), int64_t(32), int64_t(64), int64_t(1)}},
        {"tile_k", {int64_t(1), int64_t(4), int64_t(16)}},
        {"vector_dim", {std::string("n"), std::string("k")}}};
    FailureOr<ContractionTiling> tiling = tilingOf(op);
    return cost::KnobSpace(
        std::move(knobs), [tiling, target](const cost::KnobSpace &space,
                                           const cost::Candidate &candidate) {
          return succeeded(tiling) &&
                 isLegal(*tiling, tileOf(space, candidate), target);
        });
  }

  SmallVector<cost::FeatureVector>
  getFeatures(Operation *op, const cost::KnobSpace &space,
              const cost::Candidate &candidate,
              const cost::TargetInfo &target) const {
    FailureOr<ContractionTiling> tiling = tilingOf(op);
    if (failed(tiling))
      return {cost::FeatureVector(lt::NumFeatures, NAN)};
    Tile tile = tileOf(space, candidate);
    // Dynamic rows are judged at decode, a short and a long prompt, those
    // they run at.
    if (!ShapedType::isDynamic(tiling->m))
      return {featuresAt(*tiling, tile, target)};
    SmallVector<cost::FeatureVector> rows;
    for (int64_t m : {1, 16, 128}) {
      if (m < tiling->minRows)
        continue;
      ContractionTiling at = *tiling;
      at.m = m;
      rows.push_back(featuresAt(at, tile, target));
    }
    return rows;
  }

  /// The features of `candidate` at the rows `tiling.m`. The tile's own
  /// features are those of the tile the first part runs: `candidate`'s (a
  /// legal tile fits a static contraction), or one row for dynamic rows
  /// fewer than its tile_m.
  static cost::FeatureVector featuresAt(const ContractionTiling &original,
                                        const Tile &candidate,
                                        const cost::TargetInfo &target) {
    // A packed rhs is laid out along n; its copy is one load and one store
    // per element.
    ContractionTiling tiling = original;
    bool packed = packsRhs(original, candidate, target);
    tiling.rhsContiguousN |= packed;
    auto parts = partsOf(tiling, candidate);
    Tile tile = parts.front().second;
    Step step = stepOf(tiling, tile, target);
    cost::WorkEstimate work = partsWork(parts, target);
    if (packed) {
      work.bytes[cost::kL1] +=
          2.0 * tiling.rhsElements * tiling.rhsElementBytes;
      work.overheadSeconds += 2.0 * tiling.rhsElements / kCoreHz;
    }
    cost::RooflineTime time = cost::rooflineTime(work, target.throughput);

    cost::FeatureVector row(lt::NumFeatures, 0);
    row[lt::M] = cost::encodeCount(tiling.m);
    row[lt::N] = cost::encodeCount(tiling.n);
    row[lt::K] = cost::encodeCount(tiling.k);
    row[lt::OuterIterations] = cost::encodeCount(tiling.outerIterations);
    row[lt::LhsContiguousK] = tiling.lhsContiguousK;
    row[lt::RhsContiguousN] = tiling.rhsContiguousN;
    row[lt::RhsContiguousK] = tiling.rhsContiguousK;
    row[lt::OutContiguousN] = tiling.outContiguousN;
    row[lt::ElementBytes] = tiling.elementBytes;
    row[lt::PromotedArithmetic] = tiling.sumsInF32(target);
    row[lt::TileM] = tile.m;
    row[lt::TileN] = tile.n;
    row[lt::TileK] = tile.k;
    row[lt::VectorAlongK] = tile.alongK;
    row[lt::AccumulatorRegisters] = step.accumulators;
    row[lt::LaneFill] = step.laneFill;
    row[lt::LoadsPerFma] = step.loads / step.fmas;
    row[lt::ShufflesPerFma] = step.shuffles / step.fmas;
    // Along n the k loop is unrolled by tile_k steps; along k a step is one
    // iteration.
    row[lt::BodyFmas] =
        cost::encodeCount(step.fmas * (tile.alongK ? 1 : tile.k));
    row[lt::KTrips] = cost::encodeCount(tiling.k / tile.k);
    // The remainder parts: how many, and their share of the multiply-adds.
    double mainMultiplyAdds = parts.front().first.multiplyAdds();
    row[lt::RemainderParts] = parts.size() - 1;
    row[lt::RemainderShare] = 1 - mainMultiplyAdds / tiling.multiplyAdds();
    row[lt::RhsBytes] =
        cost::encodeCount(double(tiling.k) * tiling.n * tiling.rhsElementBytes);
    row[lt::RooflineLog2Seconds] = std::log2(time.seconds);
    row[lt::MemoryBound] = time.memoryBound;
    return row;
  }
};

template <typename... OpTys> void attach(MLIRContext *context) {
  (OpTys::template attachInterface<LinalgTileModel<OpTys>>(*context), ...);
}

} // namespace

void mlir::loom::registerLinalgTileExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, linalg::LinalgDialect *) {
    attach<linalg::GenericOp, linalg::MatmulOp, linalg::BatchMatmulOp,
           linalg::ContractOp>(context);
  });
}

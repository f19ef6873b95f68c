//===- LinalgTileModel.cpp - What the cost model knows of linalg tiles ----===//
//
// The linalg.tile decision of a contraction: the register tile tile_m x
// tile_n x tile_k that loom-tile-linalg tiles and vectorizes it to. Its n
// extent is the vector length, so the vector width is a knob too. Each
// knob's first option is the hand-picked default (4 x 16 x 1: four rows of
// one 16-lane vector), so ties keep it.
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

/// A candidate's register tile.
struct Tile {
  int64_t m, n, k;
};

Tile tileOf(const cost::KnobSpace &space, const cost::Candidate &candidate) {
  return {space.intValue(candidate, "tile_m"),
          space.intValue(candidate, "tile_n"),
          space.intValue(candidate, "tile_k")};
}

int64_t vectorsPerRow(const Tile &tile, const cost::TargetInfo &target) {
  int64_t lanes = target.vectorBytes / 4;
  return (tile.n + lanes - 1) / lanes;
}

/// Whether the tile divides its loops and its accumulators, one row of rhs
/// vectors and a broadcast lhs element fit the vector registers.
bool isLegal(const ContractionTiling &tiling, const Tile &tile,
             const cost::TargetInfo &target) {
  if (tiling.m % tile.m || tiling.n % tile.n || tiling.k % tile.k)
    return false;
  int64_t vectors = vectorsPerRow(tile, target);
  return tile.m * vectors + vectors + 1 <= target.vectorRegisters;
}

/// The tiled nest's time on one core. Per k step the tile issues tile_m x
/// vectors FMAs, tile_m broadcast loads of lhs and a row of rhs vectors
/// (gathered element by element when rhs is not contiguous along n); the
/// loop itself costs a cycle per k iteration. rhs streams from L2 once per
/// row tile, and from DRAM when it outgrows L2.
cost::RooflineTime roofline(const ContractionTiling &tiling, const Tile &tile,
                            const cost::TargetInfo &target) {
  double vectors = vectorsPerRow(tile, target);
  double lanes = target.vectorBytes / 4.0;
  double steps = double(tiling.outerIterations) * (tiling.m / tile.m) *
                 (tiling.n / tile.n) * tiling.k;
  double rhsLoads =
      tiling.rhsContiguousN
          ? vectors
          : tile.n / double(std::min<int64_t>(tile.k, lanes)) + vectors;
  double tiles = double(tiling.outerIterations) * (tiling.m / tile.m) *
                 (tiling.n / tile.n);
  // The accumulators are read and written once per tile, element by element
  // when the output is not contiguous along n.
  double outAccesses = 2 * tile.m * (tiling.outContiguousN ? vectors : tile.n);

  cost::WorkEstimate work = cost::zeroWork();
  work.ops[cost::kF32Fma] = steps * tile.m * vectors * lanes;
  work.bytes[cost::kL1] =
      (steps * (tile.m + rhsLoads) + tiles * outAccesses) * target.vectorBytes;
  double rhsBytes = double(tiling.k) * tiling.n * 4;
  double rhsTraffic =
      double(tiling.outerIterations) * (tiling.m / tile.m) * rhsBytes;
  work.bytes[cost::kL2] = rhsTraffic;
  constexpr double kL2Bytes = 1 << 20;
  if (rhsBytes > kL2Bytes)
    work.bytes[cost::kDram] = rhsTraffic;
  work.overheadSeconds = steps / tile.k / 3e9;
  return cost::rooflineTime(work, target.throughput);
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
        {"tile_k", {int64_t(1), int64_t(4), int64_t(16)}}};
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
    double vectors = vectorsPerRow(tile, target);
    double lanes = target.vectorBytes / 4.0;
    double rhsLoads = tiling->rhsContiguousN ? vectors : double(tile.n);
    cost::RooflineTime time = roofline(*tiling, tile, target);

    cost::FeatureVector row(lt::NumFeatures, 0);
    row[lt::M] = cost::encodeCount(tiling->m);
    row[lt::N] = cost::encodeCount(tiling->n);
    row[lt::K] = cost::encodeCount(tiling->k);
    row[lt::OuterIterations] = cost::encodeCount(tiling->outerIterations);
    row[lt::LhsContiguousK] = tiling->lhsContiguousK;
    row[lt::RhsContiguousN] = tiling->rhsContiguousN;
    row[lt::OutContiguousN] = tiling->outContiguousN;
    row[lt::TileM] = tile.m;
    row[lt::TileN] = tile.n;
    row[lt::TileK] = tile.k;
    row[lt::AccumulatorRegisters] = tile.m * vectors;
    row[lt::LaneFill] = tile.n / (vectors * lanes);
    row[lt::LoadsPerFma] = (tile.m + rhsLoads) / (tile.m * vectors);
    row[lt::KTrips] = cost::encodeCount(tiling->k / tile.k);
    row[lt::RooflineLog2Seconds] = std::log2(time.seconds);
    row[lt::MemoryBound] = time.memoryBound;
    return {row};
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

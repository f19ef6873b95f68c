//===- StrategyModel.cpp - Analytical cost of the moe strategies ----------===//

#include "loom/Dialect/MoE/IR/StrategyModel.h"

#include "loom/CostModel/Schemas/MoEDispatch.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

/// Lanes of a vector<16xf32>: K advances this much per kernel step.
constexpr int64_t kLanes = 16;
/// Vector FMAs and loads a core issues per cycle (two of each on the
/// AVX-512 cores Loom targets).
constexpr double kFmasPerCycle = 2, kLoadsPerCycle = 2;
/// Cycles before an FMA's sum feeds the next FMA into the same
/// accumulator: a step takes at least this long, so tiles of fewer than
/// latency x issue accumulators leave the FMA units idle.
constexpr double kFmaLatency = 4;
/// Vector registers: accumulators, the tile's row vectors and one weight
/// vector must fit, or the tile spills (measured: 4 x 8 is slower than 4 x 6).
constexpr int64_t kVectorRegisters = 32;
/// Max over mean expert load of a random router at the anchor (moe.md §0):
/// the expected capacity of a dropless padded buffer.
constexpr double kRandomMaxOverMean = 1.27;
/// Scalar steps per (token, expert) of top-k and per slot of assign.
constexpr double kTopkCyclesPerScore = 1, kAssignCyclesPerSlot = 8;

double ceilDiv(double a, double b) { return std::ceil(a / b); }

double cycleNs(const HostThroughput &host) {
  // peak = cycles/ns x FMAs per cycle x 16 lanes x 2 flops.
  return kFmasPerCycle * kLanes * 2 / host.peakGflops;
}

/// Cycles of one tile of `rows` x `weightRows` over K.
double tileCycles(double rows, int64_t weightRows, int64_t k) {
  double step = std::max({rows * weightRows / kFmasPerCycle,
                          (rows + weightRows) / kLoadsPerCycle, kFmaLatency});
  // The butterfly: about three shuffles and adds per accumulator.
  double fold = 1.5 * rows * weightRows;
  return ceilDiv(k, kLanes) * step + fold;
}

/// One grouped GEMM: `n` weight rows by `kDim`, `out` result columns.
double gemmNs(Occupancy occ, int64_t n, int64_t kDim, int64_t out, int64_t rows,
              int64_t weightRows, const LayerShape &s,
              const HostThroughput &host, bool &memoryBound) {
  if (occ.activeExperts == 0)
    return 0;
  // Tiles cover whole rows: a sliver of an expected row is no extra tile.
  double expertRows = std::max(1.0, std::round(occ.rowsPerExpert));
  double fullTiles = std::floor(expertRows / rows);
  double rest = expertRows - fullTiles * rows;
  double perColumnTile = fullTiles * tileCycles(rows, weightRows, kDim);
  if (rest > 0)
    perColumnTile += tileCycles(rest, weightRows, kDim);
  double cycles = ceilDiv(n, weightRows) * perColumnTile;
  // The kernel's threading rule (kParallelMacs): a large expert splits its
  // columns; small experts split them together when all of them are large
  // enough and none has a panel's rows.
  double macs = occ.rowsPerExpert * n * kDim;
  bool together = expertRows < kPanelRowTiles * rows &&
                  occ.activeExperts * macs >= kParallelMacs;
  double threads = macs >= kParallelMacs || together ? host.threads : 1;
  double computeNs = occ.activeExperts * cycles * cycleNs(host) / threads;
  double bytes = occ.activeExperts *
                 (double(n) * kDim + occ.rowsPerExpert * (kDim + out)) *
                 s.elementBytes;
  double memoryNs = bytes / host.bytesPerNs;
  memoryBound = memoryBound || memoryNs > computeNs;
  return std::max(computeNs, memoryNs);
}

} // namespace

Occupancy mlir::loom::moe::occupancy(const LayerShape &s, bool allExperts) {
  double e = s.experts, t = s.tokens;
  if (allExperts)
    return {e, t};
  double active = e * (1 - std::pow(1 - double(s.k) / e, t));
  if (active <= 0)
    return {0, 0};
  double rows = t * s.k / active;
  if (s.capacityFactor != 0) {
    double q = ceilDiv(t, e);
    double c = s.k * std::floor(std::abs(s.capacityFactor) * q);
    c = ceilDiv(c, s.capacityAlign) * s.capacityAlign;
    rows = std::min(rows, c);
  }
  return {active, rows};
}

double mlir::loom::moe::paddedRowsPerExpert(const LayerShape &s) {
  Occupancy occ = occupancy(s, /*allExperts=*/false);
  return s.capacityFactor == 0 ? occ.rowsPerExpert * kRandomMaxOverMean
                               : occ.rowsPerExpert;
}

HostThroughput HostThroughput::of(const cost::TargetInfo &target) {
  // One FMA is two flops; one core, as the target's figures are.
  return {2 * target.throughput.opsPerSecond[cost::kF32Fma] / 1e9,
          target.throughput.bytesPerSecond[cost::kDram] / 1e9, 1};
}

LayerShape LayerShape::of(LayerOp op, int64_t tokens) {
  auto x = cast<RankedTensorType>(op.getX().getType());
  auto wOut = cast<RankedTensorType>(op.getWOut().getType());
  LayerShape s;
  s.tokens = tokens;
  s.experts = wOut.getDimSize(0);
  s.k = op.getRouting().getK();
  s.d = x.getDimSize(1);
  s.h = wOut.getDimSize(2);
  s.sharedH =
      op.getSharedOut()
          ? cast<RankedTensorType>(op.getSharedOut().getType()).getDimSize(1)
          : 0;
  s.gated = op.getFfn().isGated();
  s.elementBytes = x.getElementType().getIntOrFloatBitWidth() / 8;
  s.capacityFactor = op.getCapacity().getFactor().convertToDouble();
  s.capacityAlign = op.getCapacity().getAlign();
  s.postScore = op.getScoreAt() == ScoreAt::Post;
  return s;
}

bool mlir::loom::moe::tileFitsRegisters(int64_t rows, int64_t weightRows) {
  return rows * weightRows + rows + 1 <= kVectorRegisters;
}

bool mlir::loom::moe::isApplicable(StrategyKind kind, const LayerShape &shape) {
  if (kind == StrategyKind::Dense)
    return shape.capacityFactor == 0 && shape.postScore;
  return true;
}

StrategyCost mlir::loom::moe::estimate(StrategyKind kind, int64_t rows,
                                       int64_t weightRows, const LayerShape &s,
                                       const HostThroughput &host) {
  bool dense = kind == StrategyKind::Dense;
  Occupancy occ = occupancy(s, dense);
  int64_t n1 = s.gated ? 2 * s.h : s.h;
  bool memoryBound = false;
  double expertNs =
      gemmNs(occ, n1, s.d, s.h, rows, weightRows, s, host, memoryBound) +
      gemmNs(occ, s.d, s.h, s.d, rows, weightRows, s, host, memoryBound);
  if (s.sharedH) {
    Occupancy all{1, double(s.tokens)};
    int64_t ns = s.gated ? 2 * s.sharedH : s.sharedH;
    expertNs += gemmNs(all, ns, s.d, s.sharedH, rows, weightRows, s, host,
                       memoryBound) +
                gemmNs(all, s.d, s.sharedH, s.d, rows, weightRows, s, host,
                       memoryBound);
  }

  double t = s.tokens, e = s.experts, k = s.k;
  bool unused = false;
  // The router's logits: a one-expert GEMM of E weight rows.
  double routingNs =
      gemmNs({1, t}, s.experts, s.d, s.experts, rows, weightRows, s, host,
             unused) +
      (t * e * k * kTopkCyclesPerScore + t * k * kAssignCyclesPerSlot) *
          cycleNs(host);
  double rowBytes = double(s.d) * s.elementBytes;
  if (dense) {
    // Each expert's masked output is written, then summed into y.
    routingNs += 2 * e * t * rowBytes / host.bytesPerNs;
  } else {
    // Dispatch reads x and writes the rows; combine reads them and y.
    routingNs += 4 * t * k * rowBytes / host.bytesPerNs;
    if (kind == StrategyKind::Padded) {
      routingNs += e * paddedRowsPerExpert(s) * (s.d + s.h) * s.elementBytes /
                   host.bytesPerNs;
    }
  }
  return {kind, rows, weightRows, expertNs, routingNs, memoryBound};
}

StrategyKind mlir::loom::moe::strategyOf(const cost::KnobSpace &space,
                                         const cost::Candidate &candidate) {
  return *symbolizeStrategyKind(
      std::get<std::string>(space.value(candidate, "strategy")));
}

mlir::loom::cost::FeatureVector mlir::loom::moe::dispatchFeatures(
    const LayerShape &s, const cost::KnobSpace &space,
    const cost::Candidate &candidate, const cost::TargetInfo &target) {
  using namespace cost::moe_dispatch;
  StrategyKind kind = strategyOf(space, candidate);
  int64_t rows = space.intValue(candidate, "tile_rows"),
          weightRows = space.intValue(candidate, "tile_weight_rows");
  StrategyCost c =
      estimate(kind, rows, weightRows, s, HostThroughput::of(target));
  Occupancy occ = occupancy(s, kind == StrategyKind::Dense);
  double expertRows = std::max(1.0, std::round(occ.rowsPerExpert));
  double rest = std::fmod(expertRows, double(rows));

  cost::FeatureVector row(NumFeatures);
  row[Tokens] = cost::encodeCount(s.tokens);
  row[Experts] = cost::encodeCount(s.experts);
  row[TopK] = s.k;
  row[DModel] = cost::encodeCount(s.d);
  row[DFf] = cost::encodeCount(s.h);
  row[SharedDFf] = cost::encodeCount(s.sharedH);
  row[Gated] = s.gated;
  row[CapacityFactor] = s.capacityFactor;
  row[Decode] = s.tokens <= s.experts;
  row[ActiveExperts] = cost::encodeCount(occ.activeExperts);
  row[RowsPerExpert] = cost::encodeCount(occ.rowsPerExpert);
  row[PaddedRowsPerExpert] = cost::encodeCount(paddedRowsPerExpert(s));
  row[Grouped] = kind == StrategyKind::Grouped;
  row[Padded] = kind == StrategyKind::Padded;
  row[Dense] = kind == StrategyKind::Dense;
  row[TileRows] = rows;
  row[TileWeightRows] = weightRows;
  row[RowTileFill] = rest == 0 ? 1 : rest / rows;
  row[ExpertShare] = c.totalNs() > 0 ? c.expertNs / c.totalNs() : 0;
  row[RooflineLog2Seconds] = std::log2(std::max(c.totalNs(), 1.0) * 1e-9);
  row[MemoryBound] = c.memoryBound;
  return row;
}

StrategyCost
mlir::loom::moe::selectStrategy(const LayerShape &shape,
                                const HostThroughput &host,
                                std::pair<int64_t, int64_t> defaultTile,
                                std::pair<int64_t, int64_t> fixedTile,
                                std::optional<StrategyKind> onlyKind) {
  SmallVector<std::pair<int64_t, int64_t>> tiles;
  if (fixedTile.first) {
    tiles.push_back(fixedTile);
  } else {
    tiles.push_back(defaultTile);
    for (int64_t weightRows = 2; weightRows <= 16; weightRows += 2)
      for (int64_t rows = 1; rows <= 8; ++rows)
        if (tileFitsRegisters(rows, weightRows))
          tiles.push_back({rows, weightRows});
  }
  std::optional<StrategyCost> best;
  for (StrategyKind kind :
       {StrategyKind::Grouped, StrategyKind::Padded, StrategyKind::Dense}) {
    if (!isApplicable(kind, shape) || (onlyKind && kind != *onlyKind))
      continue;
    for (auto [rows, weightRows] : tiles) {
      StrategyCost cost = estimate(kind, rows, weightRows, shape, host);
      if (!best || cost.totalNs() < best->totalNs() / 1.02)
        best = cost;
    }
  }
  return *best;
}

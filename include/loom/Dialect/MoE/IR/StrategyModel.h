//===- StrategyModel.h - Analytical cost of the moe strategies --*- C++ -*-===//
//
// The roofline fallback of moe.md §3.2: the time of a moe.layer under each
// strategy and register tile, from the kernels convert-moe-to-vector emits.
//
//   expert GEMM: per active expert, its column tiles times its row tiles
//                (full tiles, then one tile of the rows left), each
//                ceil(K / 16) steps of rows x weight rows FMAs (two issue per
//                cycle) and rows + weight rows loads (two per cycle), plus a
//                butterfly per tile; against the expert's weight bytes and
//                the rows streamed once from memory.
//   routing:     the router GEMM, top-k and assign, dispatch and combine
//                (bytes moved); `dense` has no dispatch or combine but sums
//                E masked outputs.
//
// Expected active experts are E (1 - (1 - k / E)^T) (moe.md §3.2) sharing
// the T k routed rows evenly; `padded` adds the zero fill of its E C rows.
// The learned cost model of costmodel.md is to replace the host figures
// and, later, the formulas.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_MOE_IR_STRATEGYMODEL_H
#define LOOM_DIALECT_MOE_IR_STRATEGYMODEL_H

#include "loom/CostModel/FeatureSchema.h"
#include "loom/CostModel/Knobs.h"
#include "loom/CostModel/TargetInfo.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"

#include "llvm/ADT/SmallVector.h"

namespace mlir::loom::moe {

/// The vector kernel's threading rule, which the model follows: an expert
/// from kParallelMacs multiply-adds on runs its column tiles on every
/// thread (below, one OpenMP fork and join, 10-20 us on this VM, costs more
/// than the GEMM); experts with fewer than kPanelRowTiles row tiles each
/// but kParallelMacs together split the columns once (decode); weight
/// rows are copied into panels from kPanelRowTiles row tiles on.
constexpr int64_t kParallelMacs = 1 << 20;
constexpr int64_t kPanelRowTiles = 4;

/// The token counts a dynamic T is judged at: the largest T of each bucket
/// (1, <= 8, <= 32, <= 128, <= 512), then 2048 standing for the T above.
inline constexpr int64_t kTokenBuckets[] = {1, 8, 32, 128, 512, 2048};

/// What the host sustains.
struct HostThroughput {
  /// f32 GFLOP/s of one core at full FMA issue.
  double peakGflops;
  /// DRAM read bandwidth at `threads` threads, bytes per ns (= GB/s).
  double bytesPerNs;
  int64_t threads;

  /// One core of `target`, from its built-in figures: what the learned
  /// model's analytical features assume.
  static HostThroughput of(const cost::TargetInfo &target);
};

/// The sizes and options of one moe.layer that the strategies' costs
/// depend on, at a given token count.
struct LayerShape {
  int64_t tokens, experts, k, d, h, sharedH;
  bool gated;
  int64_t elementBytes;
  /// Tutel's capacity factor (0: dropless) and the C alignment.
  double capacityFactor;
  int64_t capacityAlign;
  /// Post-score combine (the dense form multiplies the combine weights in).
  bool postScore;

  static LayerShape of(LayerOp op, int64_t tokens);
};

/// One candidate and its modeled time in ns.
struct StrategyCost {
  StrategyKind kind;
  int64_t rows, weightRows;
  double expertNs, routingNs;
  /// Whether the expert GEMMs are modeled bandwidth-bound.
  bool memoryBound;
  double totalNs() const { return expertNs + routingNs; }
};

/// Rows each active expert computes, and how many experts are active.
struct Occupancy {
  double activeExperts, rowsPerExpert;
};

/// The expected occupancy of a uniform router: E (1 - (1 - k / E)^T)
/// active experts sharing the T k rows (capped by the capacity), or every
/// expert over all T rows (`allExperts`, the dense form).
Occupancy occupancy(const LayerShape &shape, bool allExperts);

/// Rows per expert of the padded buffer: the capacity, or for a dropless
/// layer the expected largest load.
double paddedRowsPerExpert(const LayerShape &shape);

/// Whether a rows x weightRows tile's accumulators, row vectors and one
/// weight vector fit the 32 vector registers.
bool tileFitsRegisters(int64_t rows, int64_t weightRows);

/// Whether `kind` computes `shape` exactly: `dense` cannot drop tokens nor
/// scale rows before the FFN.
bool isApplicable(StrategyKind kind, const LayerShape &shape);

/// The modeled cost of `kind` with a rows x weightRows register tile.
StrategyCost estimate(StrategyKind kind, int64_t rows, int64_t weightRows,
                      const LayerShape &shape, const HostThroughput &host);

/// The strategy a candidate of moe.layer's knob space (MoETunable.cpp)
/// names.
StrategyKind strategyOf(const cost::KnobSpace &space,
                        const cost::Candidate &candidate);

/// The moe.dispatch feature row (Schemas/MoEDispatch.h) of a candidate of
/// moe.layer's knob space on `shape`; the analytical figures assume one
/// core of `target`.
cost::FeatureVector dispatchFeatures(const LayerShape &shape,
                                     const cost::KnobSpace &space,
                                     const cost::Candidate &candidate,
                                     const cost::TargetInfo &target);

/// The grouped kernel's best measured tile on this project's host
/// (bench/run moe): 4 rows x 6 weight rows.
constexpr std::pair<int64_t, int64_t> kDefaultTile = {4, 6};

/// The cheapest applicable (strategy, tile); `defaultTile` (rows, weight
/// rows) is kept unless another tile is modeled faster by more than 2 %,
/// and only tiles whose accumulators and row vectors fit the 32 vector
/// registers are tried. A nonzero `fixedTile` is the only tile tried, and
/// `onlyKind`, when given and applicable, the only strategy.
StrategyCost selectStrategy(const LayerShape &shape, const HostThroughput &host,
                            std::pair<int64_t, int64_t> defaultTile,
                            std::pair<int64_t, int64_t> fixedTile = {0, 0},
                            std::optional<StrategyKind> onlyKind = {});

} // namespace mlir::loom::moe

#endif // LOOM_DIALECT_MOE_IR_STRATEGYMODEL_H

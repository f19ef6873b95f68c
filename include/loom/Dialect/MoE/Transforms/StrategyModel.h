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
#ifndef LOOM_DIALECT_MOE_TRANSFORMS_STRATEGYMODEL_H
#define LOOM_DIALECT_MOE_TRANSFORMS_STRATEGYMODEL_H

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

/// What the host sustains.
struct HostThroughput {
  /// f32 GFLOP/s of one core at full FMA issue.
  double peakGflops;
  /// DRAM read bandwidth at `threads` threads, bytes per ns (= GB/s).
  double bytesPerNs;
  int64_t threads;
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

/// Whether `kind` computes `shape` exactly: `dense` cannot drop tokens nor
/// scale rows before the FFN.
bool isApplicable(StrategyKind kind, const LayerShape &shape);

/// The modeled cost of `kind` with a rows x weightRows register tile.
StrategyCost estimate(StrategyKind kind, int64_t rows, int64_t weightRows,
                      const LayerShape &shape, const HostThroughput &host);

/// The cheapest applicable (strategy, tile); `defaultTile` (rows, weight
/// rows) is kept unless another tile is modeled faster by more than 2 %,
/// and only tiles whose accumulators and row vectors fit the 32 vector
/// registers are tried. A nonzero `fixedTile` is the only tile tried.
StrategyCost selectStrategy(const LayerShape &shape, const HostThroughput &host,
                            std::pair<int64_t, int64_t> defaultTile,
                            std::pair<int64_t, int64_t> fixedTile = {0, 0});

} // namespace mlir::loom::moe

#endif // LOOM_DIALECT_MOE_TRANSFORMS_STRATEGYMODEL_H

//===- GroupedGemmKernel.h - moe.grouped_matmul on the GPU ------*- C++ -*-===//
//
// One launch over every expert's segment (moe.md §3.6): each block takes a
// block of one expert's rows (found from the offsets, so no expert gets a
// block per possible row) and of output columns, stages 16-deep slices of
// its rows (gathered through the row map when given) and of the expert's
// weight rows in workgroup memory, and keeps a register tile per thread
// (two for gated epilogues, whose gate and up rows it reads together so
// that act(g) * u is formed in the epilogue). Further blocks zero the rows
// no segment covers, so the result is written whole. The block shape is
// chosen at run time on the rows per expert (the M bucket): 64 x 64 blocks
// of 4 x 4 tiles; for fewer than 32 rows per expert 16 x 128 blocks of
// 2 x 4, or 16 x 32 blocks of 2 x 1 when those would be too few to fill
// the GPU; for fewer than 4 (decode steps) row vectors, each warp's lanes
// striding K over its columns' weight rows.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_GROUPEDGEMMKERNEL_H
#define LOOM_CONVERSION_GROUPEDGEMMKERNEL_H

#include "loom/Dialect/MoE/IR/MoEOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir::loom::moe {

struct GroupedGemmKernel {
  /// Weights [E, n, k]; outColumns is n, or n / 2 for gated epilogues.
  int64_t experts, n, k, outColumns;
  Activation epilogue;
  /// input [rows or T, k], weights [E * n * k], offsets [E + 1] and counts
  /// [E] (i32), optional bias [E * n], row scale [R] and gather map [R]
  /// (i32); out [R, outColumns].
  Value input, weights, offsets, counts, bias, rowScale, gather, out;
  /// The wide tile on tensor cores: mma.sync m16n8k16 when input and
  /// weights are f16, else TF32 m16n8k8 (operands rounded to 10-bit
  /// mantissas); sums in f32.
  bool tensorCores = false;
  /// Grids of fewer short-tile blocks than this take the narrow tile (0:
  /// never); the pass option `fill-blocks`.
  int64_t fillBlocks = 0;
  /// The fewest rows the kernel will be run on: block shapes for fewer
  /// rows per expert are not emitted.
  int64_t leastRows = 0;
  /// Weights stored coded rather than dense (a lut GEMM's bit planes): the
  /// f32 value of row `row` (of all experts' E * n rows) at K `k`, built
  /// wherever the kernel would load `weights` (then null). Each block
  /// decodes what it reads, so the dense weight is never written.
  std::function<Value(ImplicitLocOpBuilder &, Value row, Value k)>
      decodeWeight = {};
  /// The offsets and counts come from a kernel (the dropless assign),
  /// whose segments partition the rows: the grid is then sized by a bound
  /// on their row blocks, as counting them on the host would need them
  /// copied back. Blocks past the segments return at once.
  bool segmentsOnDevice = false;
};

void emitGroupedGemmKernel(ImplicitLocOpBuilder &b,
                           const GroupedGemmKernel &kernel, bool interpret);

/// Writes the block shapes the kernel chooses among at run time and the
/// rows per expert that choose them, for remarks.
void describeBlockShapes(llvm::raw_ostream &os,
                         const GroupedGemmKernel &kernel);

/// Fails with an error at `op` that names `pass` when the `fill-blocks`
/// option is negative.
LogicalResult checkFillBlocks(Operation *op, StringRef pass,
                              int64_t fillBlocks);

/// The rows of one block of the kernel over `rows` rows of `experts`
/// experts (its run-time tile choice), for costs that go per block.
int64_t groupedGemmBlockRows(int64_t rows, int64_t experts);

} // namespace mlir::loom::moe

#endif // LOOM_CONVERSION_GROUPEDGEMMKERNEL_H

//===- LookupKernel.h - The GPU table-lookup GEMM kernel --------*- C++ -*-===//
//
// The body of the bit-serial table-lookup kernel (lut.md §4.5), built once
// for two hosts: inside a gpu.launch (threads, a barrier, workgroup memory)
// or, for the interpreter, inside host loops over blocks and threads.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOGPU_LOOKUPKERNEL_H
#define LOOM_LIB_CONVERSION_LUTTOGPU_LOOKUPKERNEL_H

#include "PlaneWords.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::lut {

struct LookupKernel {
  /// Y[N, M] = X[N, K] * W^T: the problem and the kernel's tiling. A block
  /// of `blockRows` threads computes `columns` columns (tokens) of
  /// `rowsPerThread` x `blockRows` rows: each weight word a thread reads
  /// serves every column, and each table the block builds every row.
  int64_t m, k, blockRows, rowsPerThread, kChunk, columns;
  /// K is cut into `splits` ranges of `chunksPerSplit` chunks, one per
  /// block along the grid's z (split-K: enough blocks to fill the GPU at
  /// N = 1); with more than one, blocks add their sums into a zeroed y.
  int64_t splits, chunksPerSplit;
  const PlaneWords &weight;
  /// kappa * 2^p per plane and c (lut.md §2.1), with kappa folded in.
  SmallVector<double> planeWeights;
  double groupConstant;
  /// Memrefs: x [N, K] (f32, f16 or bf16; i8 when exact), the folded
  /// weight (i32) and its scale and offset tables (f32; offset null when
  /// all 0 or, exact, when integer zero points replace it), y [N, M].
  Value x, words, scale, offset, y;

  /// Int8 activations, the `exact` contract (lut.md §1.4): integer tables,
  /// each segment's sum Σ x·(v(q) − z) exact in int32 and closed with
  /// fl(s_x·s)·fl(sum); the segment is the op's lookup segment.
  bool exact = false;
  /// Exact: the activation scales, [N] or [N, K / xScaleBlock]; the zero
  /// points (i32, as the scale table; null without).
  Value xScale = {}, zeroPoints = {};
  int64_t xScaleBlock = 0;

  /// Entries of one column's tables of one K chunk: 16 per lookup group of
  /// 4; a block holds `columns` of them.
  int64_t chunkEntries() const { return 4 * kChunk; }
  int64_t tableEntries() const { return columns * chunkEntries(); }
  /// Rows of a block: thread t computes rows t, t + blockRows, ...
  int64_t blockSpan() const { return blockRows * rowsPerThread; }
  /// f32 entries, or exact i32 ones.
  Type tableType(OpBuilder &b) const;

  /// What a thread carries from chunk to chunk: per column its f32 result,
  /// and when exact the open segment's integer sum (and activation sum,
  /// for weights with mins).
  SmallVector<Type> stateTypes(OpBuilder &b) const;
  SmallVector<Value> initialState(ImplicitLocOpBuilder &b) const;

  /// Thread `thread` stores entries thread, thread + blockRows, ... of the
  /// tables of columns `firstColumn` .. + columns - 1 of the K chunk at
  /// `chunk` into `tables` (columns past N read zeros).
  void buildTables(ImplicitLocOpBuilder &b, Value tables, Value thread,
                   Value firstColumn, Value chunk) const;

  /// `state` after the lookups of row `row` over the K chunk at `chunk`.
  SmallVector<Value> lookupChunk(ImplicitLocOpBuilder &b, Value tables,
                                 Value row, Value firstColumn, Value chunk,
                                 ValueRange state) const;

  /// y[firstColumn + c, row] = the result in `state` of column c (+= with
  /// several splits, atomic) for rows inside M and columns inside N.
  void storeRow(ImplicitLocOpBuilder &b, Value row, Value firstColumn,
                ValueRange state) const;

  /// The weight at (row, col), inside M and K, that the lookups sum with:
  /// s * (sum_p kappa 2^p (2 b_p - 1) + c) + o (not exact: the fp
  /// contract), for a GEMM that reads the weight packed.
  Value decodeWeight(ImplicitLocOpBuilder &b, Value row, Value col) const;

private:
  int64_t stateStride() const;
  SmallVector<Value> lookupWord(ImplicitLocOpBuilder &b, Value tables,
                                Value row, Value wordIndex, Value w,
                                ValueRange state) const;
  SmallVector<Value> lookupWordExact(ImplicitLocOpBuilder &b, Value tables,
                                     Value row, Value firstColumn,
                                     Value wordIndex, Value w,
                                     ValueRange state) const;
};

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOGPU_LOOKUPKERNEL_H

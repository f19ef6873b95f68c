//===- LookupKernel.h - What the table-lookup kernels share -----*- C++ -*-===//
//
// The S16/T3 kernel (one byte shuffle per 16-byte table) and the P64 kernel
// (one vpermb over four tables, vpdpbusd) differ in their innermost loops;
// the plan of a chain and the loops around its segments are theirs alike.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_LOOKUPKERNEL_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_LOOKUPKERNEL_H

#include "BitplaneStream.h"
#include "ByteOps.h"

namespace mlir::loom::lut {

/// What the loop nest needs to know about one chain.
struct KernelPlan {
  int64_t m, k, segment;
  PackedType weight;
  QuantAttr quant;
  /// Groups summed in int16 before a flush to int32.
  int64_t chunk;
  /// How far ahead of the loads the index stream is prefetched (bytes, 0:
  /// never).
  int64_t prefetchDistance;
  /// Columns of y (rows of the activations) that share each index load.
  int64_t columnTile;
  /// Bytes of activation tables one block of columns may hold.
  int64_t tableBudget;
  /// Exact int16 tables (int8 activations) instead of int8 ones: each is
  /// looked up as two byte tables, its unsigned low bytes and its signed
  /// high bytes, summed apart in int16 and joined (hi * 256 + lo) in int32.
  bool wideTables;
  /// trit3 weights: groups of 3, 14-entry tables, lookups signed by the
  /// stream's sign words.
  bool trit3;
};

/// Where the kernel reads its columns' tables, activation sums and table
/// scales: rows of these tensors, or with `rows`, rows rows[n] of them (a
/// lut.gather_rows the kernel reads through instead of copying).
struct ColumnSource {
  Value table, tscale, xsum, rows;
};

/// How a kernel's loops are cut.
struct KernelLoops {
  int64_t rowsPerBlock;
  /// Columns per tile, and per block of columns (a multiple of the tile).
  int64_t tileN, columnBlock;
  /// The f32 result vectors of one column, rows in order.
  int64_t vectorsPerColumn;
  VectorType resultVector;
};

/// One segment of a tile of columns: from the table rows `cols` (`valid`:
/// whether each is a row the source's row map names, empty without one) of
/// row block `block` and the tile's f32 results so far `y`
/// (vectorsPerColumn per column), the results with segment `s` added.
using SegmentBody = function_ref<SmallVector<Value>(
    OpBuilder &, ArrayRef<Value> cols, ArrayRef<Value> valid, Value block,
    Value s, ValueRange y)>;

/// The loops around the segments: blocks of columns, each one scf.forall
/// over the row blocks whose iterations own a slice [columns, rows] of y
/// (and reuse their stream from L2 across the block's columns), within it
/// tiles of columns, then the segments. Returns y [N, M].
Value buildKernelLoops(OpBuilder &b, Location loc, const KernelPlan &plan,
                       const ColumnSource &source, RankedTensorType resultType,
                       const KernelLoops &loops, SegmentBody segment);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_LOOKUPKERNEL_H

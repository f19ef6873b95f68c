//===- KernelBuilders.h - Builders shared by the vector kernels -*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_KERNELBUILDERS_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_KERNELBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::loom::lut {

/// The knobs of the lut.gemm decision that shape a kernel.
struct KernelSchedule {
  /// Columns of y sharing each load of the weight stream.
  int64_t columnTile;
  /// Bytes ahead of the loads at which the weight stream is prefetched.
  int64_t prefetchDistance;
  /// The N from which weights whose tables fit the P64 quad layout take
  /// it (0: never; below it, S16 or T3); none: the kernels' own rule.
  std::optional<int64_t> quadFromN = std::nullopt;
  /// Where N is dynamic, the prefetch distance of its GEMV (N = 1), when
  /// the decision gives it one of its own: weights that stay cached want
  /// none there but some at larger N.
  std::optional<int64_t> gemvPrefetch = std::nullopt;
  /// The N from which the int8-dot kernel serves instead of the lookups
  /// (0: never); none where the decision has no such knob.
  std::optional<int64_t> dotFromN = std::nullopt;

  /// Whether a kernel over a dynamic N takes its GEMV apart.
  bool splitsGemv() const {
    return gemvPrefetch && *gemvPrefetch != prefetchDistance;
  }

  /// The schedule of the kernel that serves N from `from` on and below
  /// `below` (none: unbounded): one that never sees N = 1 or only sees it
  /// needs no GEMV kernel of its own.
  KernelSchedule serving(int64_t from, std::optional<int64_t> below) const;

  /// The schedule of the lookup kernels, which serve N below dot_from_n.
  KernelSchedule forLookups() const {
    return serving(0, dotFromN && *dotFromN > 0 ? dotFromN : std::nullopt);
  }
  /// The schedule of the int8-dot kernel, which serves N from dot_from_n.
  KernelSchedule forDots() const {
    return serving(dotFromN.value_or(0), std::nullopt);
  }
};

/// The schedule of the kernel built from `epilogue`: the one loom-decide
/// recorded on it (lut-decompose-mpgemm carries it there), else `defaults`
/// (the pass options).
KernelSchedule scheduleOf(Operation *epilogue, KernelSchedule defaults);

/// A kernel's y built under an scf.if on its dynamic column count `n`:
/// `below` where n < `bound`, `from` elsewhere.
Value branchOnColumns(OpBuilder &b, Location loc, Value n, int64_t bound,
                      Type resultType, function_ref<Value(OpBuilder &)> below,
                      function_ref<Value(OpBuilder &)> from);

/// An index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t value);

/// A constant vector of `type` with every element `value`.
Value splatConst(OpBuilder &b, Location loc, VectorType type, TypedAttr value);

/// tensor.empty of `type`, whose dynamic dim 0 (if any) is `rows`.
Value emptyWithRows(OpBuilder &b, Location loc, RankedTensorType type,
                    Value rows);

/// scf.for iv = 0 to `ub` with `iters`; `body` returns the values to yield.
/// Returns the loop's results.
ValueRange buildLoop(
    OpBuilder &b, Location loc, Value ub, ValueRange iters,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body);

/// One scf.forall over the row blocks of y [N, `m`] (blocks of
/// `rowsPerBlock` rows, the last one shorter when `m` is no multiple): each
/// iteration owns the slice y[colStart .. colStart + colCount, its rows] and
/// `body` (block index, slice) returns the slice's new value. Returns the
/// new y.
Value forEachRowBlock(OpBuilder &b, Location loc, Value y, int64_t m,
                      int64_t rowsPerBlock, OpFoldResult colStart,
                      OpFoldResult colCount,
                      function_ref<Value(OpBuilder &, Value, Value)> body);

/// Columns [0, `count`) of `slice` in tiles of `tile` columns, then the
/// columns left over in at most one tile of each smaller power of two: `body`
/// (the tile's column indices, slice) returns the slice's new value. Returns
/// the final slice.
Value forEachColumnTile(
    OpBuilder &b, Location loc, Value count, int64_t tile, Value slice,
    function_ref<Value(OpBuilder &, ArrayRef<Value>, Value)> body);

/// Stores a tile's f32 results into the 2-D `result` slice: vectors[c * V
/// + v] (V = vectors.size() / cols.size()) at result[cols[c], v * lanes],
/// converted to the slice's element type; masked where rows may run past
/// the slice. Returns the new slice.
Value storeTileRows(OpBuilder &b, Location loc, ValueRange vectors,
                    ArrayRef<Value> cols, Value result, bool masked);

/// A read prefetch of the 1-D byte stream `stream` (`streamBytes` long) at
/// `offset`, clamped to its last 64-byte line: the hardware prefetcher alone
/// leaves DRAM latency exposed (lut.md §4.3).
void prefetchStream(OpBuilder &b, Location loc, Value stream, Value offset,
                    int64_t streamBytes);

/// A private constant memref.global holding `bytes`, 64-byte aligned, in
/// the module of `anchor` (renamed when the name is taken; the one already
/// there when another kernel holds the same bytes); returns its memref.
Value globalStream(OpBuilder &b, Location loc, Operation *anchor,
                   ArrayRef<int8_t> bytes);
/// A constant tensor over `values`.
template <typename T>
Value constantTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                     Type elt, ArrayRef<T> values) {
  auto type = RankedTensorType::get(shape, elt);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
}

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_KERNELBUILDERS_H

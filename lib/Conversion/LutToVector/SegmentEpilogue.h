//===- SegmentEpilogue.h - Epilogue of the vector kernels -------*- C++ -*-===//
//
// Both kernels of convert-lut-to-vector end every segment with the
// arithmetic of lut.scale_combine (lut.md §2.4) on exact int32 sums:
//
//   y += s * (kappa * tau * acc + c * xsum) - (s z + min) * xsum
//
// with s and s z + min per row (folded constants), tau and xsum per column.
// With int8 activations (the exact contract, lut.md §1.4) the segment's
// integer sum X_int * (v(q) - z) is formed exactly first, X_int = xsum /
// tau recovered exactly (once per GEMM, for every column and segment), and
// the segment closes with
// fl(s * tau) * fl(sum) (- min * xsum). Without zero points the offset
// term stays integer: fl(kappa s * tau) * float(acc + (c / kappa) X_int),
// the same value with one multiply fewer per accumulator.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_SEGMENTEPILOGUE_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_SEGMENTEPILOGUE_H

#include "BitplaneStream.h"

namespace mlir::loom::lut {

class SegmentEpilogue {
public:
  /// The row coefficients of `weight` in blocks of `rowsPerBlock` rows and
  /// segments of `segment`; `tscale` and `xsum` are the [N, K/S] column
  /// terms. `sumsHoldOffset`: the kernel's int32 sums already hold
  /// (c / kappa) * X_int, its values being shifted by
  /// integerOffsetUnitsOf(...) (which must then be set).
  SegmentEpilogue(OpBuilder &b, Location loc, PackedType weight,
                  const RowCoefficients &coefficients, int64_t rowsPerBlock,
                  int64_t segment, Value tscale, Value xsum,
                  bool integerActivations, bool sumsHoldOffset = false);

  /// c / kappa where a segment's integer sums over int8 activations can
  /// take the encoding offset c * X_int exactly (no zero points, and the
  /// sum stays below 2^24); the epilogue's scales then hold kappa * s.
  static std::optional<int64_t>
  integerOffsetUnitsOf(PackedType weight, const RowCoefficients &coefficients,
                       int64_t segment);

  /// The row terms of `lanes` rows from row `first` of block `block`.
  struct Rows {
    Value scale, offset, zeroPoint;
  };
  Rows rows(OpBuilder &b, Value block, Value s, Value first,
            int64_t lanes) const;

  /// The column terms of column `col` (row of tscale and xsum), broadcast
  /// to `lanes`; zero where the i1 `valid` (if given) is false, so that the
  /// column's outputs are exactly 0.
  struct Column {
    Value tau, factor, sum, offsetSum, integerSum;
    /// (c / kappa) * X_int as i32 lanes, added to the integer sums where
    /// the epilogue folds the encoding offset into them (null otherwise).
    Value sumOffset;
  };
  Column column(OpBuilder &b, Value col, Value s, int64_t lanes,
                Value valid = Value()) const;

  /// y + the segment's contribution of the int32 sums `acc`.
  Value apply(OpBuilder &b, Value acc, const Rows &rows, const Column &column,
              Value y) const;

  /// `apply` over a tile of columns `cols` (table rows; `valid` as for
  /// `column`, or empty) of row block `block`: `acc` and `y` hold, per
  /// column, vectors of `lanes` rows in the block's order. Returns the new
  /// y.
  SmallVector<Value> applyTile(OpBuilder &b, Value block, Value s,
                               ArrayRef<Value> cols, ArrayRef<Value> valid,
                               int64_t lanes, ValueRange acc,
                               ValueRange y) const;

  /// Folded once per GEMM from tscale and xsum (int8 activations): `units`
  /// * X_int [N, K/S] as i32, or without units X_int as f32.
  Value foldIntegerSums(OpBuilder &b, std::optional<int64_t> units) const;

private:
  Location loc;
  QuantAttr quant;
  double kappa;
  bool integerActivations;

  /// c / kappa where the integer sums take the encoding offset exactly
  /// (int8 activations without zero points; `scale` then holds kappa * s).
  std::optional<int64_t> integerOffsetUnits;
  Value integerSums;
  Value scale, offset, zeroPoint, tscale, xsum;
};

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_SEGMENTEPILOGUE_H

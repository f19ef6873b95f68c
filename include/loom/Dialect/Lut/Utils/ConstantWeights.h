//===- ConstantWeights.h - A lut.pack of constants, folded ------*- C++ -*-===//
//
// The optimized kernels (CPU and GPU) fold a weight built by `lut.pack` from
// constants into their own streams at compile time; these read the pack's
// logical content for them.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_LUT_UTILS_CONSTANTWEIGHTS_H
#define LOOM_DIALECT_LUT_UTILS_CONSTANTWEIGHTS_H

#include "loom/Dialect/Lut/IR/LutOps.h"

#include "llvm/ADT/APFloat.h"

#include <vector>

namespace mlir::loom::lut {

/// The [M, K] codes of `pack`, row-major, when they are a constant.
FailureOr<std::vector<uint8_t>> foldConstantCodes(PackOp pack);

/// The per-row constants of a kernel epilogue, for row blocks of R rows.
struct RowCoefficients {
  /// At (rb * segments + s) * R + r: the scale s of the row's segment
  /// (exactly as stored: its scale type), and -s * z - min, the part of the
  /// activation-sum coefficient s * (c - z) - min (lut.md §2.4) that varies
  /// by row (c is one constant per encoding); 0 past M.
  std::vector<APFloat> scale;
  std::vector<float> offset;
  /// The zero point z alone, at the same places (empty without zero
  /// points): the exact int8 contract subtracts z * X_S as an integer.
  std::vector<float> zeroPoint;
  /// Whether the weight has zero points or mins (`offset` is non-zero).
  bool hasOffset = false;
};

/// Folds the scales and offsets of `pack` for row blocks of `rows` rows and
/// segments of `segment` K elements; fails when they are not constants.
FailureOr<RowCoefficients> foldRowCoefficients(PackOp pack, int64_t segment,
                                               int64_t rows);

} // namespace mlir::loom::lut

#endif // LOOM_DIALECT_LUT_UTILS_CONSTANTWEIGHTS_H

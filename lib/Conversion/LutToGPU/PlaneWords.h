//===- PlaneWords.h - Weights folded for the GPU kernel ---------*- C++ -*-===//
//
// The GPU lookup kernel reads a constant weight as 32-bit words of bit-plane
// indices, laid out so that the threads of a warp (one output row each)
// read consecutive words, plus fp32 tables of the per-(segment, row) scale
// and offset.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOGPU_PLANEWORDS_H
#define LOOM_LIB_CONVERSION_LUTTOGPU_PLANEWORDS_H

#include "loom/Dialect/Lut/IR/LutOps.h"

#include <vector>

namespace mlir::loom::lut {

/// K elements per word: eight lookup groups of 4.
constexpr int64_t kWordK = 32;

struct PlaneWords {
  /// Bit planes of a code; rows padded to a multiple of the block rows; K
  /// padded to a multiple of the chunk (`words` words of kWordK); segments
  /// (one scale each) of `segment` K, `segments` of them over padded K.
  int64_t planes, paddedRows, words, segment, segments;
  /// Word w of plane p of row m at (w * planes + p) * paddedRows + m; its
  /// nibble i is the index of lookup group 8 w + i (bit l: plane p's bit of
  /// the code at K = 4 (8 w + i) + l). Codes past K and rows past M are 0.
  std::vector<int32_t> words32;
  /// At s * paddedRows + m: the scale of row m's segment s, and
  /// -s * z - min; 0 past M and K.
  std::vector<float> scale, offset;
  bool hasOffset;
  /// Zero points only (exact int8 path): z at s * paddedRows + m, so that
  /// the integer sums can subtract z * X_S before any rounding; empty for
  /// weights without zero points.
  std::vector<int32_t> zeroPoint;
};

/// Folds `pack` (constant codes, scales and offsets) for blocks of
/// `blockRows` rows and K chunks of `kChunk`, segments of `segment` K
/// elements; fails when an operand is not a constant.
FailureOr<PlaneWords> foldPlaneWords(PackOp pack, int64_t segment,
                                     int64_t blockRows, int64_t kChunk);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOGPU_PLANEWORDS_H

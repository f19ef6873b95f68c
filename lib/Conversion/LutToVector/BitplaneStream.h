//===- BitplaneStream.h - Constant weights folded for the S16 kernel -*- C++
//-*-===//
//
// The table-lookup kernel of convert-lut-to-vector reads a constant weight
// as one byte stream of plane indices and two per-row coefficient tables;
// this folds a `lut.pack` of constants into them at compile time.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_BITPLANESTREAM_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_BITPLANESTREAM_H

#include "loom/Dialect/Lut/IR/LutOps.h"

#include <vector>

namespace mlir::loom::lut {

/// Rows one 64-lane lookup serves, and rows per 64-byte load (two nibbles).
constexpr int64_t kLookupLanes = 64;
constexpr int64_t kStreamRows = 2 * kLookupLanes;

struct BitplaneStream {
  /// For row block rb (kStreamRows rows), lookup group j and plane p, the 64
  /// bytes at ((rb * groups + j) * planes + p) * 64: byte r holds the 4-bit
  /// index of row rb * 128 + r in its low nibble and of row rb * 128 + 64 + r
  /// in its high nibble. Rows past M read index 0 and are never stored.
  std::vector<int8_t> indices;
  /// At (rb * segments + s) * kStreamRows + r: the scale s of the row's
  /// segment (exactly as stored: its scale type), and -s * z - min, the
  /// part of the activation-sum coefficient s * (c - z) - min (lut.md §2.4)
  /// that varies by row (c is one constant per encoding); 0 past M.
  std::vector<APFloat> scale;
  std::vector<float> offset;
  /// Whether the weight has zero points or mins (`offset` is non-zero).
  bool hasOffset = false;
};

/// Folds `pack` (constant codes, scales and offsets) for segments of
/// `segment` K elements and lookup groups of 4; fails when an operand is
/// not a constant.
FailureOr<BitplaneStream> foldBitplaneStream(PackOp pack, int64_t segment);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_BITPLANESTREAM_H

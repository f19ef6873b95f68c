//===- BitplaneStream.h - Constant weights folded for kernels ---*- C++ -*-===//
//
// The table-lookup kernel of convert-lut-to-vector reads a constant weight
// as one byte stream of plane indices and two per-row coefficient tables;
// this folds a `lut.pack` of constants into them at compile time.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_BITPLANESTREAM_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_BITPLANESTREAM_H

#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Dialect/Lut/Utils/ConstantWeights.h"

#include <vector>

namespace mlir::loom::lut {

/// Bytes of one index load (and lanes of one byte lookup).
constexpr int64_t kLoadBytes = 64;

/// How the plane indices of a row block share the bytes of a load.
struct StreamGeometry {
  /// Planes of one row in adjacent bytes: 1, or 2 when the plane count is
  /// even (one vpmaddubsw then weighs and adds both planes' lookups).
  int64_t planesPerRow;

  static StreamGeometry forPlanes(unsigned planes) {
    return {planes % 2 == 0 ? 2 : 1};
  }
  /// Rows one nibble half of a load covers, and rows per block.
  int64_t lanes() const { return kLoadBytes / planesPerRow; }
  int64_t rowsPerBlock() const { return 2 * lanes(); }
};

struct BitplaneStream {
  StreamGeometry geometry;
  /// For row block rb, lookup group j and load v (planes v * P .. v * P +
  /// P - 1, P = planesPerRow), the 64 bytes at ((rb * groups + j) * loads +
  /// v) * 64: byte r * P + q holds the 4-bit index of plane v * P + q of
  /// row rb * R + r (R = rowsPerBlock) in its low nibble and of row
  /// rb * R + lanes + r in its high nibble. Rows past M read index 0 and
  /// are never stored.
  std::vector<int8_t> indices;
  /// trit3 only (lut.md §2.5): for row block rb and lookup group j, the 16
  /// bytes at (rb * groups + j) * 16 hold the sign bits of the block's low
  /// rows (bytes 0-7) and high rows (bytes 8-15), bit r % 8 of byte r / 8
  /// for row r of the half: the lookup of a row whose triple's first
  /// non-zero trit is -1 is negated.
  std::vector<int8_t> signs;
  RowCoefficients coefficients;
};

/// Folds `pack` (constant codes, scales and offsets) for segments of
/// `segment` K elements and lookup groups of 4; fails when an operand is
/// not a constant.
FailureOr<BitplaneStream> foldBitplaneStream(PackOp pack, int64_t segment);

/// The stream of the P64 kernel (lut.md §4.3): one plane per byte, four
/// consecutive lookup groups of a row in a byte quad.
struct QuadStream {
  static constexpr int64_t kRowsPerBlock = 64;
  /// Planes (trit3: 1) and quads of lookup groups per segment (the last
  /// one padded with index 0 where a segment's groups are no multiple of
  /// 4; only trit3's, whose index 0 is the zero pattern).
  int64_t planes, quadsPerSegment;
  /// For row block rb, quad q, plane p and load v (rows 32 v .. 32 v +
  /// 31), the 64 bytes at (((rb * quads + q) * planes + p) * 2 + v) * 64:
  /// byte 4 i + l holds the index of group 4 q' + l (q' the quad within its
  /// segment) of row 32 v + i in its low nibble, of row 32 v + 16 + i in
  /// its high nibble.
  std::vector<int8_t> indices;
  /// trit3: at ((rb * quads + q) * 2 + v) * 16, the sign words of that
  /// load's low (bytes 0-7) and high (8-15) nibble half, bit b for byte b.
  std::vector<int8_t> signs;
  RowCoefficients coefficients;
};

/// Folds `pack` (trit3, or bit planes with segments of whole quads of
/// groups) into the P64 stream for segments of `segment` K elements.
FailureOr<QuadStream> foldQuadStream(PackOp pack, int64_t segment);

/// Folds a trit3 `pack` for segments of `segment` K elements: one plane of
/// 4-bit indices of sign-canonical triples (a segment's last triple padded
/// with zero trits) and their sign bits.
FailureOr<BitplaneStream> foldTrit3Stream(PackOp pack, int64_t segment);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_BITPLANESTREAM_H

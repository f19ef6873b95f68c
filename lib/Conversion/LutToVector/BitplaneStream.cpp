//===- BitplaneStream.cpp - Constant weights folded for the S16 kernel ----===//

#include "BitplaneStream.h"

using namespace mlir;
using namespace mlir::loom::lut;

/// `stream` with the row coefficients of `pack` for row blocks of `rows`.
template <typename Stream>
static FailureOr<Stream> withCoefficients(Stream stream, PackOp pack,
                                          int64_t segment, int64_t rows) {
  FailureOr<RowCoefficients> coefficients =
      foldRowCoefficients(pack, segment, rows);
  if (failed(coefficients))
    return failure();
  stream.coefficients = std::move(*coefficients);
  return stream;
}

/// The sign-canonical index of table group j of a trit3 row (lut.md §2.5)
/// and whether its lookup is negated.
static std::pair<int64_t, bool> trit3Index(PackedType type,
                                           const uint8_t *rowCodes,
                                           int64_t segment, int64_t j) {
  // The triple's pattern v = 9 d0 + 3 d1 + d2 over digits d = t + 1;
  // padded lanes hold trit 0 (digit 1).
  int64_t perSegment = groupsPerSegment(segment, 3);
  int64_t start = j / perSegment * segment + j % perSegment * 3;
  int64_t end = (j / perSegment + 1) * segment;
  int64_t v = 0;
  for (int64_t l = 0; l < 3; ++l) {
    int64_t digit =
        start + l < end ? type.getLookupValue(rowCodes[start + l]) + 1 : 1;
    v = 3 * v + digit;
  }
  bool negative = v < 13;
  return {(negative ? 26 - v : v) - 13, negative};
}

/// The 4-bit index of bit plane p of group j (K = 4 j .. 4 j + 3) of a row.
static int64_t planeIndex(QuantAttr quant, const uint8_t *rowCodes, int64_t j,
                          unsigned p) {
  int64_t index = 0;
  for (int l = 0; l < 4; ++l)
    index |= int64_t(quant.getPlaneBit(rowCodes[4 * j + l], p)) << l;
  return index;
}

FailureOr<BitplaneStream> mlir::loom::lut::foldBitplaneStream(PackOp pack,
                                                              int64_t segment) {
  FailureOr<std::vector<uint8_t>> constant = foldConstantCodes(pack);
  if (failed(constant))
    return failure();
  const std::vector<uint8_t> &codes = *constant;
  PackedType type = pack.getResult().getType();
  QuantAttr quant = type.getQuant();
  int64_t m = type.getM(), k = type.getK();
  int64_t groups = k / 4;
  unsigned planes = quant.getNumPlanes();
  BitplaneStream stream;
  StreamGeometry geometry = stream.geometry = StreamGeometry::forPlanes(planes);
  int64_t per = geometry.planesPerRow, lanes = geometry.lanes(),
          rows = geometry.rowsPerBlock(), loads = planes / per;
  int64_t blocks = llvm::divideCeil(m, rows);

  stream.indices.assign(blocks * groups * planes * lanes, 0);
  for (int64_t row = 0; row < m; ++row) {
    int64_t block = row / rows, lane = row % lanes;
    int shift = (row % rows) < lanes ? 0 : 4;
    const uint8_t *rowCodes = codes.data() + row * k;
    for (int64_t j = 0; j < groups; ++j)
      for (unsigned p = 0; p < planes; ++p) {
        int64_t index = planeIndex(quant, rowCodes, j, p);
        int8_t &byte =
            stream
                .indices[((block * groups + j) * loads + p / per) * kLoadBytes +
                         lane * per + p % per];
        byte =
            static_cast<int8_t>(static_cast<uint8_t>(byte) | (index << shift));
      }
  }

  return withCoefficients(std::move(stream), pack, segment, rows);
}

FailureOr<BitplaneStream> mlir::loom::lut::foldTrit3Stream(PackOp pack,
                                                           int64_t segment) {
  FailureOr<std::vector<uint8_t>> constant = foldConstantCodes(pack);
  if (failed(constant))
    return failure();
  const std::vector<uint8_t> &codes = *constant;
  PackedType type = pack.getResult().getType();
  int64_t m = type.getM(), k = type.getK();
  int64_t groups = tableGroups(k, segment, 3);
  BitplaneStream stream;
  StreamGeometry geometry = stream.geometry = {/*planesPerRow=*/1};
  int64_t lanes = geometry.lanes(), rows = geometry.rowsPerBlock();
  int64_t blocks = llvm::divideCeil(m, rows);
  constexpr int64_t kSignBytes = 16;

  stream.indices.assign(blocks * groups * kLoadBytes, 0);
  stream.signs.assign(blocks * groups * kSignBytes, 0);
  for (int64_t row = 0; row < m; ++row) {
    int64_t block = row / rows, lane = row % lanes;
    int64_t half = (row % rows) < lanes ? 0 : 1;
    const uint8_t *rowCodes = codes.data() + row * k;
    for (int64_t j = 0; j < groups; ++j) {
      auto [index, negative] = trit3Index(type, rowCodes, segment, j);
      int8_t &byte = stream.indices[(block * groups + j) * kLoadBytes + lane];
      byte = static_cast<int8_t>(static_cast<uint8_t>(byte) |
                                 (index << (4 * half)));
      if (negative) {
        int8_t &signByte =
            stream
                .signs[(block * groups + j) * kSignBytes + half * 8 + lane / 8];
        signByte = static_cast<int8_t>(static_cast<uint8_t>(signByte) |
                                       (1 << (lane % 8)));
      }
    }
  }

  return withCoefficients(std::move(stream), pack, segment, rows);
}

FailureOr<QuadStream> mlir::loom::lut::foldQuadStream(PackOp pack,
                                                      int64_t segment) {
  PackedType type = pack.getResult().getType();
  bool trit3 = type.getLayout().getKind() == LayoutKind::Trit3;
  QuantAttr quant = type.getQuant();
  FailureOr<std::vector<uint8_t>> codes = foldConstantCodes(pack);
  if (failed(codes))
    return failure();
  int64_t m = type.getM(), k = type.getK();
  int64_t g = trit3 ? 3 : 4;
  int64_t perSegment = groupsPerSegment(segment, g);
  QuadStream stream;
  stream.planes = trit3 ? 1 : quant.getNumPlanes();
  stream.quadsPerSegment = llvm::divideCeil(perSegment, 4);
  int64_t quads = k / segment * stream.quadsPerSegment;
  int64_t rows = QuadStream::kRowsPerBlock;
  int64_t blocks = llvm::divideCeil(m, rows);
  int64_t planes = stream.planes;
  stream.indices.assign(blocks * quads * planes * 2 * kLoadBytes, 0);
  if (trit3)
    stream.signs.assign(blocks * quads * 2 * 16, 0);
  for (int64_t row = 0; row < m; ++row) {
    // Row r of a block: load v = r / 32, nibble half (r / 16) % 2, byte
    // quad r % 16.
    int64_t block = row / rows, v = row % rows / 32, half = row % 32 / 16,
            quad = row % 16;
    const uint8_t *rowCodes = codes->data() + row * k;
    for (int64_t q = 0; q < quads; ++q)
      for (int64_t l = 0; l < 4; ++l) {
        int64_t jj = q % stream.quadsPerSegment * 4 + l;
        if (jj >= perSegment)
          continue; // index 0: trit3's zero pattern, whose entries are 0
        int64_t j = q / stream.quadsPerSegment * perSegment + jj;
        int64_t byteInLoad = 4 * quad + l;
        for (int64_t p = 0; p < planes; ++p) {
          int64_t index = 0;
          bool negative = false;
          if (trit3)
            std::tie(index, negative) = trit3Index(type, rowCodes, segment, j);
          else
            index = planeIndex(quant, rowCodes, j, p);
          int8_t &byte =
              stream.indices[(((block * quads + q) * planes + p) * 2 + v) *
                                 kLoadBytes +
                             byteInLoad];
          byte = static_cast<int8_t>(static_cast<uint8_t>(byte) |
                                     (index << (4 * half)));
          if (negative) {
            int8_t &signByte = stream.signs[((block * quads + q) * 2 + v) * 16 +
                                            half * 8 + byteInLoad / 8];
            signByte = static_cast<int8_t>(static_cast<uint8_t>(signByte) |
                                           (1 << (byteInLoad % 8)));
          }
        }
      }
  }
  return withCoefficients(std::move(stream), pack, segment, rows);
}

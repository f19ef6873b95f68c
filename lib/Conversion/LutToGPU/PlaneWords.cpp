//===- PlaneWords.cpp - Constant weights folded for the GPU kernel --------===//

#include "PlaneWords.h"

#include "loom/Dialect/Lut/Utils/ConstantWeights.h"

using namespace mlir;
using namespace mlir::loom::lut;

FailureOr<PlaneWords> mlir::loom::lut::foldPlaneWords(PackOp pack,
                                                      int64_t segment,
                                                      int64_t blockRows,
                                                      int64_t kChunk) {
  FailureOr<std::vector<uint8_t>> codes = foldConstantCodes(pack);
  if (failed(codes))
    return failure();
  PackedType type = pack.getResult().getType();
  QuantAttr quant = type.getQuant();
  int64_t m = type.getM(), k = type.getK();
  PlaneWords folded;
  folded.planes = quant.getNumPlanes();
  folded.paddedRows = llvm::alignTo(m, blockRows);
  folded.words = llvm::alignTo(k, kChunk) / kWordK;
  folded.segment = segment;
  folded.segments = llvm::divideCeil(folded.words * kWordK, segment);

  folded.words32.assign(folded.words * folded.planes * folded.paddedRows, 0);
  for (int64_t row = 0; row < m; ++row)
    for (int64_t col = 0; col < k; ++col) {
      uint8_t code = (*codes)[row * k + col];
      int64_t word = col / kWordK, bit = col % kWordK;
      for (int64_t p = 0; p < folded.planes; ++p)
        if (quant.getPlaneBit(code, p))
          folded
              .words32[(word * folded.planes + p) * folded.paddedRows + row] |=
              int32_t(uint32_t(1) << bit);
    }

  // One block of all rows: the coefficients come out segment-major.
  FailureOr<RowCoefficients> coefficients =
      foldRowCoefficients(pack, segment, folded.paddedRows);
  if (failed(coefficients))
    return failure();
  size_t size = folded.segments * folded.paddedRows;
  folded.scale.assign(size, 0.f);
  folded.offset.assign(size, 0.f);
  if (!coefficients->zeroPoint.empty())
    folded.zeroPoint.assign(size, 0);
  for (size_t i = 0; i < coefficients->scale.size(); ++i) {
    APFloat scale = coefficients->scale[i];
    bool lost;
    scale.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
    folded.scale[i] = scale.convertToFloat();
    folded.offset[i] = coefficients->offset[i];
    if (!folded.zeroPoint.empty())
      folded.zeroPoint[i] = static_cast<int32_t>(coefficients->zeroPoint[i]);
  }
  folded.hasOffset = coefficients->hasOffset;
  return folded;
}

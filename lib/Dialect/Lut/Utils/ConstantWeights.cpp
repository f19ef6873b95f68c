//===- ConstantWeights.cpp - A lut.pack of constants, folded --------------===//

#include "loom/Dialect/Lut/Utils/ConstantWeights.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::loom::lut;

static std::vector<float> toFloats(DenseElementsAttr attr) {
  std::vector<float> values;
  values.reserve(attr.getNumElements());
  for (APFloat v : attr.getValues<APFloat>()) {
    bool lost;
    v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(v.convertToFloat());
  }
  return values;
}

FailureOr<std::vector<uint8_t>>
mlir::loom::lut::foldConstantCodes(PackOp pack) {
  DenseElementsAttr codesAttr;
  if (!matchPattern(pack.getCodes(), m_Constant(&codesAttr)))
    return failure();
  std::vector<uint8_t> codes;
  codes.reserve(codesAttr.getNumElements());
  for (int8_t c : codesAttr.getValues<int8_t>())
    codes.push_back(static_cast<uint8_t>(c));
  return codes;
}

FailureOr<RowCoefficients> mlir::loom::lut::foldRowCoefficients(PackOp pack,
                                                                int64_t segment,
                                                                int64_t rows) {
  DenseElementsAttr scalesAttr, offsetsAttr;
  if (!matchPattern(pack.getScales(), m_Constant(&scalesAttr)) ||
      (pack.getOffsets() &&
       !matchPattern(pack.getOffsets(), m_Constant(&offsetsAttr))))
    return failure();
  PackedType type = pack.getResult().getType();
  QuantAttr quant = type.getQuant();
  int64_t m = type.getM(), k = type.getK();
  int64_t segments = k / segment, blocks = llvm::divideCeil(m, rows);
  RowCoefficients coefficients;
  SmallVector<APFloat> scales(scalesAttr.getValues<APFloat>());
  std::vector<float> mins, zeroPoints;
  if (quant.getOffset() == OffsetKind::Min)
    mins = toFloats(offsetsAttr);
  if (quant.getOffset() == OffsetKind::ZeroPoint)
    for (int8_t z : offsetsAttr.getValues<int8_t>())
      zeroPoints.push_back(static_cast<uint8_t>(z) &
                           ((1 << quant.getBits()) - 1));
  coefficients.hasOffset = quant.getOffset() != OffsetKind::None;
  int64_t groupSize = quant.getGroupSizeFor(k);
  int64_t scaleCols = quant.getScaleShape(m, k)[1];
  APFloat zero = APFloat::getZero(scales.front().getSemantics());
  coefficients.scale.assign(blocks * segments * rows, zero);
  coefficients.offset.assign(coefficients.scale.size(), 0.f);
  if (!zeroPoints.empty())
    coefficients.zeroPoint.assign(coefficients.scale.size(), 0.f);
  std::vector<float> scaleValues = toFloats(scalesAttr);
  for (int64_t row = 0; row < m; ++row)
    for (int64_t s = 0; s < segments; ++s) {
      int64_t at = quant.getGroupKind() == GroupKind::PerTensor
                       ? 0
                       : row * scaleCols + s * segment / groupSize;
      int64_t slot = ((row / rows) * segments + s) * rows + row % rows;
      coefficients.scale[slot] = scales[at];
      coefficients.offset[slot] =
          -scaleValues[at] * (zeroPoints.empty() ? 0.f : zeroPoints[at]) -
          (mins.empty() ? 0.f : mins[at]);
      if (!zeroPoints.empty())
        coefficients.zeroPoint[slot] = zeroPoints[at];
    }
  return coefficients;
}

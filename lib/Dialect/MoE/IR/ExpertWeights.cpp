//===- ExpertWeights.cpp - ExpertWeightsType models -----------------------===//

#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Dialect/MoE/IR/MoEDialect.h"

#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

#include "loom/Dialect/MoE/IR/MoETypeInterfaces.cpp.inc"

namespace {

/// A static [E, rows, columns] float tensor.
struct TensorExpertWeights
    : ExpertWeightsType::ExternalModel<TensorExpertWeights, RankedTensorType> {
  SmallVector<int64_t> getExpertShape(Type type) const {
    auto tensor = cast<RankedTensorType>(type);
    if (tensor.getRank() != 3 || !tensor.hasStaticShape() ||
        !isa<FloatType>(tensor.getElementType()))
      return {};
    return SmallVector<int64_t>(tensor.getShape());
  }

  Value buildExpert(Type type, OpBuilder &b, Location loc, Value weights,
                    int64_t expert) const {
    auto tensor = cast<RankedTensorType>(type);
    SmallVector<OpFoldResult> offsets(3, b.getIndexAttr(0)),
        sizes = {b.getIndexAttr(1), b.getIndexAttr(tensor.getDimSize(1)),
                 b.getIndexAttr(tensor.getDimSize(2))},
        strides(3, b.getIndexAttr(1));
    offsets[0] = b.getIndexAttr(expert);
    auto matrix = RankedTensorType::get(tensor.getShape().drop_front(),
                                        tensor.getElementType());
    return tensor::ExtractSliceOp::create(b, loc, matrix, weights, offsets,
                                          sizes, strides);
  }
};

/// E packed low-bit matrices.
struct LutExpertWeights
    : ExpertWeightsType::ExternalModel<LutExpertWeights, lut::StackedType> {
  SmallVector<int64_t> getExpertShape(Type type) const {
    auto stacked = cast<lut::StackedType>(type);
    lut::PackedType packed = stacked.getElement();
    return {stacked.getCount(), packed.getM(), packed.getK()};
  }

  Value buildExpert(Type type, OpBuilder &b, Location loc, Value weights,
                    int64_t expert) const {
    return b.createOrFold<lut::ExpertOp>(
        loc, cast<lut::StackedType>(type).getElement(), weights,
        b.getI64IntegerAttr(expert));
  }
};

} // namespace

void MoEDialect::registerTensorExpertWeights() {
  RankedTensorType::attachInterface<TensorExpertWeights>(*getContext());
}

void mlir::loom::moe::registerExpertWeightsExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, lut::LutDialect *) {
    lut::StackedType::attachInterface<LutExpertWeights>(*ctx);
  });
}

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

  Value buildExpert(Type, OpBuilder &b, Location loc, Value weights,
                    int64_t expert) const {
    return buildLeadingSlice(b, loc, weights, expert);
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

Value mlir::loom::moe::buildLeadingSlice(OpBuilder &b, Location loc, Value t,
                                         int64_t index) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      sizes = tensor::getMixedSizes(b, loc, t),
      strides(rank, b.getIndexAttr(1));
  offsets[0] = b.getIndexAttr(index);
  sizes[0] = b.getIndexAttr(1);
  auto sliceType = RankedTensorType::get(type.getShape().drop_front(),
                                         type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, sliceType, t, offsets, sizes,
                                        strides);
}

void MoEDialect::registerTensorExpertWeights() {
  RankedTensorType::attachInterface<TensorExpertWeights>(*getContext());
}

void mlir::loom::moe::registerExpertWeightsExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, lut::LutDialect *) {
    lut::StackedType::attachInterface<LutExpertWeights>(*ctx);
  });
}

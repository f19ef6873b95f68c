//===- LoweringHelpers.cpp - Builders shared by the lut lowerings ---------===//

#include "LoweringHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom::lut;

namespace mlir::loom::lut::lowering {

Value floatConst(OpBuilder &b, Location loc, Type type, double value) {
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value intConst(OpBuilder &b, Location loc, Type type, int64_t value) {
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

/// Converts a float scalar to `type` (both float, any widths).
Value castFloat(OpBuilder &b, Location loc, Value v, Type type) {
  unsigned from = v.getType().getIntOrFloatBitWidth();
  unsigned to = type.getIntOrFloatBitWidth();
  if (v.getType() == type)
    return v;
  if (from < to)
    return arith::ExtFOp::create(b, loc, type, v);
  if (from == to) // f16 <-> bf16: go through f32.
    return arith::TruncFOp::create(
        b, loc, type, arith::ExtFOp::create(b, loc, b.getF32Type(), v));
  return arith::TruncFOp::create(b, loc, type, v);
}

/// An empty [rows, cols] tensor whose dynamic row count is `x`'s dim 0.
Value emptyLike(OpBuilder &b, Location loc, Value x, int64_t cols, Type elt) {
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, x, 0),
                                     b.getIndexAttr(cols)};
  return tensor::EmptyOp::create(b, loc, sizes, elt);
}

/// out[i, j] = fn(in[i, j]) for rank-2 tensors, into `init`.
Value map2D(OpBuilder &b, Location loc, Value in, Value init,
            function_ref<Value(OpBuilder &, Location, Value)> fn) {
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, b.getContext());
  return linalg::GenericOp::create(
             b, loc, init.getType(), in, init, ArrayRef<AffineMap>{id, id},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args[0]));
             })
      .getResult(0);
}

/// max_j |x[n, b*block + j]| as an [N, K/block] f32 tensor.
Value activationAbsMax(OpBuilder &b, Location loc, Value x, int64_t k,
                       int64_t block) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t blocks = k / block;
  auto blockedType = RankedTensorType::get({xType.getDimSize(0), blocks, block},
                                           xType.getElementType());
  SmallVector<OpFoldResult> blockedShape = {tensor::getMixedSize(b, loc, x, 0),
                                            b.getIndexAttr(blocks),
                                            b.getIndexAttr(block)};
  Value blocked = tensor::ExpandShapeOp::create(
      b, loc, blockedType, x, SmallVector<ReassociationIndices>{{0}, {1, 2}},
      blockedShape);
  Value init = zerosLike(b, loc, x, {ShapedType::kDynamic, blocks});
  AffineMap in = AffineMap::getMultiDimIdentityMap(3, ctx);
  AffineMap out = AffineMap::get(
      3, 0, {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)}, ctx);
  return linalg::GenericOp::create(
             b, loc, init.getType(), blocked, init,
             ArrayRef<AffineMap>{in, out},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value a =
                   math::AbsFOp::create(nb, l, castFloat(nb, l, args[0], f32));
               linalg::YieldOp::create(
                   nb, l,
                   arith::MaximumFOp::create(nb, l, args[1], a).getResult());
             })
      .getResult(0);
}

/// Rounds x / s half to even and clamps to [-127, 127]; 0 where s == 0.
Value quantizeActivation(OpBuilder &b, Location loc, Value x, Value scale) {
  Type f32 = b.getF32Type();
  Value zero = floatConst(b, loc, f32, 0.0);
  Value q = math::RoundEvenOp::create(b, loc,
                                      arith::DivFOp::create(b, loc, x, scale));
  q = arith::MaximumFOp::create(b, loc, q, floatConst(b, loc, f32, -127.0));
  q = arith::MinimumFOp::create(b, loc, q, floatConst(b, loc, f32, 127.0));
  Value isZero =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, scale, zero);
  return arith::SelectOp::create(b, loc, isZero, zero, q);
}

/// A zero-filled tensor of `shape` (f32 unless `elt` says otherwise) whose
/// dim 0 is `like`'s dim 0.
Value zerosLike(OpBuilder &b, Location loc, Value like, ArrayRef<int64_t> shape,
                Type elt) {
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, like, 0)};
  for (int64_t d : shape.drop_front())
    sizes.push_back(b.getIndexAttr(d));
  if (!elt)
    elt = b.getF32Type();
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elt);
  Value zero = isa<FloatType>(elt) ? floatConst(b, loc, elt, 0.0)
                                   : intConst(b, loc, elt, 0);
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

} // namespace mlir::loom::lut::lowering

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

/// Decodes one stored code into w = s * v(q) + o, computed in `type`.
/// Codes are masked to the encoding's width, so any byte decodes to a
/// defined value.
Value decodeWeight(OpBuilder &b, Location loc, QuantAttr quant, Type type,
                   Value code, Value scale, Value offset) {
  Type i32 = b.getI32Type();
  bool ternary = quant.getEncoding() == Encoding::Ternary;
  unsigned bits = ternary ? 2 : quant.getBits();
  Value mask = intConst(b, loc, i32, (1 << bits) - 1);
  Value q = arith::AndIOp::create(
      b, loc, arith::ExtUIOp::create(b, loc, i32, code), mask);
  Value v;
  switch (quant.getEncoding()) {
  case Encoding::Unsigned:
    v = q;
    break;
  case Encoding::Signed:
    v = arith::SubIOp::create(b, loc, q,
                              intConst(b, loc, i32, 1 << (bits - 1)));
    break;
  case Encoding::Binary:
    v = arith::SubIOp::create(
        b, loc, arith::ShLIOp::create(b, loc, q, intConst(b, loc, i32, 1)),
        intConst(b, loc, i32, 1));
    break;
  case Encoding::Ternary:
    v = arith::SubIOp::create(
        b, loc, arith::MinSIOp::create(b, loc, q, intConst(b, loc, i32, 2)),
        intConst(b, loc, i32, 1));
    break;
  }
  if (quant.getOffset() == OffsetKind::ZeroPoint) {
    Value z = arith::AndIOp::create(
        b, loc, arith::ExtUIOp::create(b, loc, i32, offset), mask);
    v = arith::SubIOp::create(b, loc, v, z);
  }
  Value w = arith::MulFOp::create(b, loc, castFloat(b, loc, scale, type),
                                  arith::SIToFPOp::create(b, loc, type, v));
  if (quant.getOffset() == OffsetKind::Min)
    w = arith::SubFOp::create(b, loc, w, castFloat(b, loc, offset, type));
  return w;
}

/// Map from the (m, k) iteration dimensions to the scale tensor of `quant`.
AffineMap scaleMap(QuantAttr quant, AffineExpr m, AffineExpr k,
                   unsigned numDims) {
  MLIRContext *ctx = m.getContext();
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  switch (quant.getGroupKind()) {
  case GroupKind::Group:
    return AffineMap::get(numDims, 0, {m, k.floorDiv(quant.getGroupSize())},
                          ctx);
  case GroupKind::PerChannel:
    return AffineMap::get(numDims, 0, {m, zero}, ctx);
  case GroupKind::PerTensor:
    return AffineMap::get(numDims, 0, {zero, zero}, ctx);
  }
  llvm_unreachable("unknown group kind");
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

Value zeroFilled(OpBuilder &b, Location loc, Value x, int64_t cols, Type elt) {
  Value empty = emptyLike(b, loc, x, cols, elt);
  return linalg::FillOp::create(b, loc, floatConst(b, loc, elt, 0.0), empty)
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
  Value init = zeroFilled(b, loc, x, blocks, f32);
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

/// x [N, K] viewed as [N, K/inner, inner].
Value splitInner(OpBuilder &b, Location loc, Value x, int64_t inner) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t k = type.getDimSize(1);
  auto split = RankedTensorType::get({type.getDimSize(0), k / inner, inner},
                                     type.getElementType());
  SmallVector<OpFoldResult> shape = {tensor::getMixedSize(b, loc, x, 0),
                                     b.getIndexAttr(k / inner),
                                     b.getIndexAttr(inner)};
  return tensor::ExpandShapeOp::create(
      b, loc, split, x, SmallVector<ReassociationIndices>{{0}, {1, 2}}, shape);
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

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

Value padSegments(OpBuilder &b, Location loc, Value x, int64_t segment,
                  int64_t padded, TypedAttr pad) {
  if (padded == segment)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  int64_t segments = type.getDimSize(1) / segment;
  Value split = splitInner(b, loc, x, segment);
  SmallVector<OpFoldResult> low(3, b.getIndexAttr(0));
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(padded - segment)};
  auto paddedType = RankedTensorType::get(
      {type.getDimSize(0), segments, padded}, type.getElementType());
  Value value = arith::ConstantOp::create(b, loc, pad);
  Value grown =
      tensor::PadOp::create(b, loc, paddedType, split, low, high, value);
  return tensor::CollapseShapeOp::create(
      b, loc, grown, SmallVector<ReassociationIndices>{{0}, {1, 2}});
}

/// Bit `plane` of a code for the bit-serial decomposition of lut.md §2.1:
/// bit i of the masked code, or for ternary the planes (q >= 1, q >= 2) of
/// t = q - 1 = ((q >= 1 ? 1 : -1) + (q >= 2 ? 1 : -1)) / 2. Returns an i32
/// 0 or 1.
Value planeBit(OpBuilder &b, Location loc, QuantAttr quant, Value code,
               unsigned plane) {
  Type i32 = b.getI32Type();
  Value q = arith::ExtUIOp::create(b, loc, i32, code);
  if (quant.getEncoding() == Encoding::Ternary) {
    q = arith::MinSIOp::create(
        b, loc, arith::AndIOp::create(b, loc, q, intConst(b, loc, i32, 3)),
        intConst(b, loc, i32, 2));
    Value on = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, q,
                                     intConst(b, loc, i32, plane + 1));
    return arith::ExtUIOp::create(b, loc, i32, on);
  }
  return arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, q, intConst(b, loc, i32, plane)),
      intConst(b, loc, i32, 1));
}

/// The lookup value of a code (PackedType::getLookupValue) as an i32.
Value lookupValue(OpBuilder &b, Location loc, PackedType packed, Value code) {
  Type i32 = b.getI32Type();
  QuantAttr quant = packed.getQuant();
  if (packed.getLayout().getKind() == LayoutKind::Trit3) {
    Value q = arith::MinSIOp::create(
        b, loc,
        arith::AndIOp::create(b, loc, arith::ExtUIOp::create(b, loc, i32, code),
                              intConst(b, loc, i32, 3)),
        intConst(b, loc, i32, 2));
    return arith::SubIOp::create(b, loc, q, intConst(b, loc, i32, 1));
  }
  // sum_i pw_i (2 bit_i - 1) = 2 sum_i pw_i bit_i - sum_i pw_i.
  Value weighted = intConst(b, loc, i32, 0);
  int64_t total = 0;
  for (unsigned plane = 0; plane < quant.getNumPlanes(); ++plane) {
    int64_t weight = quant.getPlaneWeight(plane);
    total += weight;
    weighted = arith::AddIOp::create(
        b, loc, weighted,
        arith::MulIOp::create(b, loc, planeBit(b, loc, quant, code, plane),
                              intConst(b, loc, i32, weight)));
  }
  return arith::SubIOp::create(
      b, loc, arith::ShLIOp::create(b, loc, weighted, intConst(b, loc, i32, 1)),
      intConst(b, loc, i32, total));
}

/// xsum[n, s] = sum over segment s of toF32(x[n, k]), as [N, K/segment] f32.
Value segmentSums(OpBuilder &b, Location loc, Value x, int64_t segment,
                  function_ref<Value(OpBuilder &, Location, Value)> toF32) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  int64_t k = cast<RankedTensorType>(x.getType()).getDimSize(1);
  Value xsum = zerosLike(b, loc, x, {ShapedType::kDynamic, k / segment});
  return linalg::GenericOp::create(
             b, loc, xsum.getType(), splitInner(b, loc, x, segment), xsum,
             ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(3, ctx),
                                 AffineMap::get(3, 0, {d(0), d(1)}, ctx)},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l,
                   arith::AddFOp::create(nb, l, args[1], toF32(nb, l, args[0]))
                       .getResult());
             })
      .getResult(0);
}

/// int8 activations x = scale * x_int: returns (xsum * scale, scale) per
/// row and segment, from a per-row [N] or per-block [N, K/Ga] x_scale.
std::pair<Value, Value> applyActivationScale(OpBuilder &b, Location loc,
                                             Value sums, Value scale,
                                             int64_t segment, Value x) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto scaleType = cast<RankedTensorType>(scale.getType());
  int64_t k = cast<RankedTensorType>(x.getType()).getDimSize(1);
  AffineMap scaleMap =
      scaleType.getRank() == 1
          ? AffineMap::get(2, 0, {d(0)}, ctx)
          : AffineMap::get(
                2, 0,
                {d(0), d(1).floorDiv((k / scaleType.getDimSize(1)) / segment)},
                ctx);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  Value init = tensor::EmptyOp::create(
      b, loc,
      SmallVector<OpFoldResult>{tensor::getMixedSize(b, loc, sums, 0),
                                b.getIndexAttr(k / segment)},
      b.getF32Type());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType(), init.getType()},
      ValueRange{sums, scale}, ValueRange{init, init},
      ArrayRef<AffineMap>{id, scaleMap, id, id},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                    utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value scaled = arith::MulFOp::create(nb, l, args[0], args[1]);
        linalg::YieldOp::create(nb, l, ValueRange{scaled, args[1]});
      });
  return {generic.getResult(0), generic.getResult(1)};
}

} // namespace mlir::loom::lut::lowering

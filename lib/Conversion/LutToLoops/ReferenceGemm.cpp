//===- ReferenceGemm.cpp - lut.pack, dequantize and mpgemm as loops -------===//
//
// The formula of lut.md §1 evaluated in f64 from logical codes: the oracle
// every other lowering is checked against.
//
//===----------------------------------------------------------------------===//

#include "LoweringHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom::lut;
using namespace mlir::loom::lut::lowering;

namespace {

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

struct PackOpLowering : OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PackOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> logical;
    for (ValueRange operand : adaptor.getOperands())
      llvm::append_range(logical, operand);
    rewriter.replaceOpWithMultiple(op, {logical});
    return success();
  }
};

struct DequantizeOpLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    QuantAttr quant = op.getWeight().getType().getQuant();
    ValueRange weight = adaptor.getWeight();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    Value init = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                         resultType.getElementType());
    AffineExpr m = getAffineDimExpr(0, ctx), k = getAffineDimExpr(1, ctx);
    AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
    SmallVector<AffineMap> maps = {id, scaleMap(quant, m, k, 2)};
    if (weight.size() == 3)
      maps.push_back(maps.back());
    maps.push_back(id);
    Type elt = resultType.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, weight, init, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value offset = args.size() == 4 ? args[2] : Value();
          Value w = decodeWeight(b, l, quant, b.getF32Type(), args[0], args[1],
                                 offset);
          linalg::YieldOp::create(b, l, castFloat(b, l, w, elt));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct MpGemmOpLowering : OpConversionPattern<MpGemmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MpGemmOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    PackedType packed = op.getWeight().getType();
    QuantAttr quant = packed.getQuant();
    int64_t m = packed.getM(), k = packed.getK();
    Value x = adaptor.getX().front();
    ValueRange weight = adaptor.getWeight();
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type();
    bool i8 = getElementTypeOrSelf(x.getType()).isInteger(8);

    // Per-row or per-block activation scales: given with i8 x, computed
    // (absmax / 127) under act_quant.
    Value actScale;
    int64_t actBlock = k;
    if (i8) {
      actScale = adaptor.getXScale().front();
      auto scaleType = cast<RankedTensorType>(actScale.getType());
      if (scaleType.getRank() == 2)
        actBlock = k / scaleType.getDimSize(1);
    } else if (ActQuantAttr actQuant = op.getActQuantAttr()) {
      if (actQuant.getBlock() != 0)
        actBlock = actQuant.getBlock();
      actScale = activationAbsMax(rewriter, loc, x, k, actBlock);
    }
    bool perRowScale =
        actScale && cast<RankedTensorType>(actScale.getType()).getRank() == 1;

    AffineExpr dn = getAffineDimExpr(0, ctx), dm = getAffineDimExpr(1, ctx),
               dk = getAffineDimExpr(2, ctx);
    SmallVector<Value> inputs = {x};
    SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {dn, dk}, ctx),
                                   AffineMap::get(3, 0, {dm, dk}, ctx),
                                   scaleMap(quant, dm, dk, 3)};
    llvm::append_range(inputs, weight);
    if (weight.size() == 3)
      maps.push_back(maps.back());
    if (actScale) {
      inputs.push_back(actScale);
      maps.push_back(
          perRowScale ? AffineMap::get(3, 0, {dn}, ctx)
                      : AffineMap::get(3, 0, {dn, dk.floorDiv(actBlock)}, ctx));
    }
    maps.push_back(AffineMap::get(3, 0, {dn, dm}, ctx));

    bool quantizeInline = actScale && !i8;
    Value acc = zerosLike(rewriter, loc, x, {ShapedType::kDynamic, m}, f64);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, acc.getType(), inputs, acc, maps,
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                      utils::IteratorType::parallel,
                                      utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          unsigned next = 1;
          Value code = args[next++], scale = args[next++];
          Value offset = weight.size() == 3 ? args[next++] : Value();
          Value xs = actScale ? args[next++] : Value();
          Value out = args[next];
          Value w = decodeWeight(b, l, quant, f64, code, scale, offset);
          Value xv;
          if (i8) {
            xv = arith::MulFOp::create(
                b, l, arith::SIToFPOp::create(b, l, f64, args[0]),
                castFloat(b, l, xs, f64));
          } else if (quantizeInline) {
            Value s =
                arith::DivFOp::create(b, l, xs, floatConst(b, l, f32, 127.0));
            Value q =
                quantizeActivation(b, l, castFloat(b, l, args[0], f32), s);
            xv = arith::MulFOp::create(b, l, castFloat(b, l, s, f64),
                                       castFloat(b, l, q, f64));
          } else {
            xv = castFloat(b, l, args[0], f64);
          }
          Value sum = arith::AddFOp::create(b, l, out,
                                            arith::MulFOp::create(b, l, xv, w));
          linalg::YieldOp::create(b, l, sum);
        });

    // Round once to f32, then to the result type.
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    Type elt = resultType.getElementType();
    Value init = emptyLike(rewriter, loc, x, m, elt);
    Value result = map2D(rewriter, loc, generic.getResult(0), init,
                         [&](OpBuilder &b, Location l, Value v) {
                           return castFloat(b, l, castFloat(b, l, v, f32), elt);
                         });
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::lut::lowering::populateReferenceGemmPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<PackOpLowering, DequantizeOpLowering, MpGemmOpLowering>(
      converter, patterns.getContext());
}

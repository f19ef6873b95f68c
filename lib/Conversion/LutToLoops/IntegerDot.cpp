//===- IntegerDot.cpp - The int8-dot path of lut.md §4.2 as loops ---------===//
//
// Activation sums and per-segment int8 dot products over logical codes:
// the reference semantics the vector kernel of convert-lut-to-vector is
// checked against.
//
//===----------------------------------------------------------------------===//

#include "LoweringHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom::lut;
using namespace mlir::loom::lut::lowering;

namespace {

struct ActivationSumsLowering : OpConversionPattern<ActivationSumsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ActivationSumsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t segment = op.getSegment();
    Value x = adaptor.getX();
    // int8 sums are exact in f32 (|sum| <= 128 K < 2^24 for K < 2^17).
    Value sums =
        segmentSums(rewriter, loc, x, segment,
                    [](OpBuilder &b, Location l, Value v) -> Value {
                      return arith::SIToFPOp::create(b, l, b.getF32Type(), v);
                    });
    auto [xsum, tscale] = applyActivationScale(rewriter, loc, sums,
                                               adaptor.getXScale(), segment, x);
    rewriter.replaceOp(op, {xsum, tscale});
    return success();
  }
};

struct DotAccumulateLowering : OpConversionPattern<DotAccumulateOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DotAccumulateOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    PackedType packed = op.getWeight().getType();
    int64_t m = packed.getM(), k = packed.getK(), segment = op.getSegment();
    Value x = adaptor.getX().front();
    Value codes = adaptor.getWeight().front();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };

    // acc[n, m, s] += x[n, s, kk] * value(codes[m, s, kk]).
    auto codes3Type =
        RankedTensorType::get({m, k / segment, segment}, rewriter.getI8Type());
    Value codes3 = tensor::ExpandShapeOp::create(
        rewriter, loc, codes3Type, codes,
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    auto accType = cast<RankedTensorType>(op.getAcc().getType());
    Value acc =
        zerosLike(rewriter, loc, x, accType.getShape(), rewriter.getI32Type());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, acc.getType(),
        ValueRange{splitInner(rewriter, loc, x, segment), codes3}, acc,
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(0), d(2), d(3)}, ctx),
                            AffineMap::get(4, 0, {d(1), d(2), d(3)}, ctx),
                            AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
        ArrayRef<utils::IteratorType>{
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::parallel, utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value xv = arith::ExtSIOp::create(b, l, b.getI32Type(), args[0]);
          Value product = arith::MulIOp::create(
              b, l, xv, lookupValue(b, l, packed, args[1]));
          linalg::YieldOp::create(
              b, l, arith::AddIOp::create(b, l, args[2], product).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::loom::lut::lowering::populateIntegerDotPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ActivationSumsLowering, DotAccumulateLowering>(
      converter, patterns.getContext());
}

//===- StackedWeights.cpp - lut.stack, lut.expert, lut.gather_rows --------===//
//
// A stacked weight converts to its experts' logical tensors one after the
// other, so lut.stack and lut.expert only regroup converted values.
//
//===----------------------------------------------------------------------===//

#include "LoweringHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

namespace {

struct StackOpLowering : OpConversionPattern<StackOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(StackOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Value> logical;
    for (ValueRange weight : adaptor.getWeights())
      llvm::append_range(logical, weight);
    rewriter.replaceOpWithMultiple(op, {logical});
    return success();
  }
};

struct ExpertOpLowering : OpConversionPattern<ExpertOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ExpertOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    size_t perExpert = op.getType().getLogicalTypes().size();
    ValueRange all = adaptor.getStacked();
    rewriter.replaceOpWithMultiple(
        op,
        {SmallVector<Value>(all.slice(op.getIndex() * perExpert, perExpert))});
    return success();
  }
};

/// result[n, ...] = source[rows[n], ...], zero where rows[n] is out of range.
struct GatherRowsOpLowering : OpConversionPattern<GatherRowsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherRowsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value source = adaptor.getSource(), rows = adaptor.getRows();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, rows, 0)};
    for (int64_t d = 1; d < rank; ++d)
      sizes.push_back(tensor::getMixedSize(rewriter, loc, source, d));
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                         resultType.getElementType());
    Value sourceRows = tensor::DimOp::create(rewriter, loc, source, 0);
    MLIRContext *ctx = rewriter.getContext();
    AffineMap rowMap = AffineMap::get(rank, 0, getAffineDimExpr(0, ctx));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, rows, init,
        ArrayRef<AffineMap>{rowMap, rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value row =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zeroIndex = arith::ConstantIndexOp::create(b, l, 0);
          Value inRange = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, row,
                                    zeroIndex),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, row,
                                    sourceRows));
          SmallVector<Value> indices = {
              arith::SelectOp::create(b, l, inRange, row, zeroIndex)};
          for (int64_t d = 1; d < rank; ++d)
            indices.push_back(linalg::IndexOp::create(b, l, d));
          Value value = tensor::ExtractOp::create(b, l, source, indices);
          Type elt = resultType.getElementType();
          Value zero = isa<FloatType>(elt)
                           ? lowering::floatConst(b, l, elt, 0.0)
                           : lowering::intConst(b, l, elt, 0);
          linalg::YieldOp::create(
              b, l,
              arith::SelectOp::create(b, l, inRange, value, zero).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::loom::lut::lowering::populateStackedWeightPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<StackOpLowering, ExpertOpLowering, GatherRowsOpLowering>(
      converter, patterns.getContext());
}

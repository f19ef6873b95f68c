//===- LinearToMpGemm.cpp - lut.linear -> lut.mpgemm ----------------------===//

#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTCANONICALIZE
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// Flattens x[..., K] to [N, K], multiplies, adds the bias and restores the
/// batch dimensions.
struct LinearToMpGemm : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getResult().getType());
    int64_t rank = xType.getRank();
    int64_t k = xType.getShape().back();
    int64_t m = yType.getShape().back();

    // Rows of the flattened problem: the product of the batch dimensions.
    int64_t rows = 1;
    for (int64_t dim : xType.getShape().drop_back())
      rows = ShapedType::isDynamic(dim) || ShapedType::isDynamic(rows)
                 ? ShapedType::kDynamic
                 : rows * dim;
    SmallVector<ReassociationIndices> reassoc;
    if (rank == 1) {
      reassoc = {{0, 1}};
    } else {
      ReassociationIndices batch;
      for (int64_t i = 0; i + 1 < rank; ++i)
        batch.push_back(i);
      reassoc = {batch, {rank - 1}};
    }

    auto x2Type = RankedTensorType::get({rows, k}, xType.getElementType());
    Value x2 = op.getX();
    if (rank == 1)
      x2 = tensor::ExpandShapeOp::create(rewriter, loc, x2Type, x2, reassoc);
    else if (rank > 2)
      x2 = tensor::CollapseShapeOp::create(rewriter, loc, x2Type, x2, reassoc);

    auto y2Type = RankedTensorType::get({rows, m}, yType.getElementType());
    Value y2 = MpGemmOp::create(rewriter, loc, y2Type, x2, op.getWeight(),
                                /*x_scale=*/Value(), /*accuracy=*/nullptr,
                                /*act_quant=*/nullptr);
    if (Value bias = op.getBias()) {
      MLIRContext *ctx = rewriter.getContext();
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      AffineMap col = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
      y2 = linalg::GenericOp::create(
               rewriter, loc, y2Type, ValueRange{bias}, ValueRange{y2},
               ArrayRef<AffineMap>{col, id},
               ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                             utils::IteratorType::parallel},
               [](OpBuilder &b, Location l, ValueRange args) {
                 Value sum = arith::AddFOp::create(b, l, args[1], args[0]);
                 linalg::YieldOp::create(b, l, sum);
               })
               .getResult(0);
    }

    Value y = y2;
    if (rank == 1) {
      y = tensor::CollapseShapeOp::create(rewriter, loc, yType, y2, reassoc);
    } else if (rank > 2) {
      SmallVector<OpFoldResult> outShape;
      for (int64_t i = 0; i + 1 < rank; ++i)
        outShape.push_back(tensor::getMixedSize(rewriter, loc, op.getX(), i));
      outShape.push_back(rewriter.getIndexAttr(m));
      y = tensor::ExpandShapeOp::create(rewriter, loc, yType, y2, reassoc,
                                        outShape);
    }
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct LutCanonicalizePass
    : mlir::loom::lut::impl::LutCanonicalizeBase<LutCanonicalizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateLinearToMpGemmPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::loom::lut::populateLinearToMpGemmPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LinearToMpGemm>(patterns.getContext());
}

//===- ShareTables.cpp - table precompute before row gathers --------------===//

#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTSHARETABLES
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// `t` with its leading (row) dimension that of `rowsLike`.
RankedTensorType withRowsOf(Type t, Value rowsLike) {
  auto type = cast<RankedTensorType>(t);
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = cast<RankedTensorType>(rowsLike.getType()).getDimSize(0);
  return RankedTensorType::get(shape, type.getElementType());
}

struct PrecomputeBeforeGather : OpRewritePattern<TablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    auto gather = op.getX().getDefiningOp<GatherRowsOp>();
    if (!gather || op.getXScale())
      return rewriter.notifyMatchFailure(
          op, "not fp activations gathered by lut.gather_rows");
    Value source = gather.getSource();
    Type tscale =
        op.getTscale() ? withRowsOf(op.getTscale().getType(), source) : Type();
    auto tables = TablePrecomputeOp::create(
        rewriter, op.getLoc(), withRowsOf(op.getTable().getType(), source),
        withRowsOf(op.getXsum().getType(), source), tscale, source,
        /*x_scale=*/Value(), op.getG(), op.getSegment(), op.getMirror(),
        op.getAccuracyAttr());
    SmallVector<Value> gathered;
    for (auto [result, built] : llvm::zip(op.getResults(), tables.getResults()))
      gathered.push_back(GatherRowsOp::create(
          rewriter, op.getLoc(), result.getType(), built, gather.getRows()));
    rewriter.replaceOp(op, gathered);
    return success();
  }
};

struct LutShareTablesPass
    : mlir::loom::lut::impl::LutShareTablesBase<LutShareTablesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PrecomputeBeforeGather>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

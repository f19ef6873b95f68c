//===- QuantizeTables.cpp - int8 activation tables for table_i8 GEMMs -----===//

#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTQUANTIZETABLES
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// Rewrites a precompute -> lookups -> epilogues chain at once, since the
/// table, the sums and the epilogue operands all change type together.
struct QuantizeTable : OpRewritePattern<TablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    auto table = cast<RankedTensorType>(op.getTable().getType());
    if (!table.getElementType().isF32() || !op.getAccuracy() ||
        *op.getAccuracy() != Accuracy::TableI8)
      return rewriter.notifyMatchFailure(op, "not an f32 table_i8 table");
    SmallVector<LookupAccumulateOp> lookups;
    for (Operation *user : op.getTable().getUsers()) {
      auto lookup = dyn_cast<LookupAccumulateOp>(user);
      if (!lookup || !llvm::all_of(lookup.getAcc().getUsers(), [](Operation *u) {
            return isa<ScaleCombineOp>(u);
          }))
        return rewriter.notifyMatchFailure(op, "tables feed other ops");
      lookups.push_back(lookup);
    }

    Location loc = op.getLoc();
    auto i8Table = RankedTensorType::get(table.getShape(), rewriter.getI8Type());
    auto xsum = cast<RankedTensorType>(op.getXsum().getType());
    auto quantized = TablePrecomputeOp::create(
        rewriter, loc, i8Table, xsum, /*tscale=*/xsum, op.getX(),
        /*x_scale=*/Value(), op.getG(), op.getSegment(), op.getMirror(),
        op.getAccuracyAttr());
    for (LookupAccumulateOp lookup : lookups) {
      auto acc = cast<RankedTensorType>(lookup.getAcc().getType());
      rewriter.setInsertionPoint(lookup);
      auto sums = LookupAccumulateOp::create(
          rewriter, lookup.getLoc(),
          RankedTensorType::get(acc.getShape(), rewriter.getI32Type()),
          quantized.getTable(), lookup.getWeight(), lookup.getSegment());
      for (Operation *user : llvm::make_early_inc_range(lookup.getAcc().getUsers())) {
        auto combine = cast<ScaleCombineOp>(user);
        rewriter.setInsertionPoint(combine);
        auto quantizedCombine = rewriter.replaceOpWithNewOp<ScaleCombineOp>(
            combine, combine.getType(), sums.getAcc(), combine.getWeight(),
            quantized.getXsum(), quantized.getTscale());
        // loom.decision, the kernel schedule, stays with the epilogue.
        quantizedCombine->setDiscardableAttrs(
            combine->getDiscardableAttrDictionary());
      }
      rewriter.eraseOp(lookup);
    }
    rewriter.replaceOp(op, {quantized.getTable(), quantized.getXsum()});
    return success();
  }
};

struct LutQuantizeTablesPass
    : mlir::loom::lut::impl::LutQuantizeTablesBase<LutQuantizeTablesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<QuantizeTable>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

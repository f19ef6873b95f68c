//===- SymmetrizeTables.cpp - Half-size mirrored activation tables --------===//

#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTSYMMETRIZETABLES
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

struct SymmetrizeTable : OpRewritePattern<TablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getMirror() || op.getG() == 3)
      return rewriter.notifyMatchFailure(op, "mirrored, or trit3 (symmetric)");
    auto full = cast<RankedTensorType>(op.getTable().getType());
    SmallVector<int64_t> shape(full.getShape());
    shape.back() /= 2;
    auto half = RankedTensorType::get(shape, full.getElementType());
    // Every user reads tables through lookup_accumulate, which accepts both
    // sizes; anything else would see a different table.
    if (!llvm::all_of(op.getTable().getUsers(), [](Operation *user) {
          return isa<LookupAccumulateOp>(user);
        }))
      return rewriter.notifyMatchFailure(op, "table used by another op");
    Type tscale = op.getTscale() ? op.getTscale().getType() : Type();
    auto mirrored = TablePrecomputeOp::create(
        rewriter, op.getLoc(), half, op.getXsum().getType(), tscale, op.getX(),
        op.getXScale(), op.getG(), op.getSegment(), /*mirror=*/true,
        op.getAccuracyAttr());
    rewriter.replaceOp(op, mirrored.getResults());
    return success();
  }
};

struct LutSymmetrizeTablesPass
    : mlir::loom::lut::impl::LutSymmetrizeTablesBase<LutSymmetrizeTablesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SymmetrizeTable>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

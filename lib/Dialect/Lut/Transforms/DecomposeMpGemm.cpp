//===- DecomposeMpGemm.cpp - mpgemm -> bit-serial table lookups -----------===//

#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTDECOMPOSEMPGEMM
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// K elements per table scale of quantized tables (lut.md §2.4's default).
constexpr int64_t kActGroup = 64;

struct DecomposeMpGemm : OpRewritePattern<MpGemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MpGemmOp op,
                                PatternRewriter &rewriter) const override {
    PackedType packed = op.getWeight().getType();
    if (packed.getLayout().getKind() != LayoutKind::Bitplane)
      return rewriter.notifyMatchFailure(op, "weight is not in bitplane layout");
    if (op.getActQuant())
      return rewriter.notifyMatchFailure(op, "in-op activation quantization");
    bool intActivations =
        getElementTypeOrSelf(op.getX().getType()).isInteger(8);

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    int64_t n = cast<RankedTensorType>(op.getX().getType()).getDimSize(0);
    int64_t g = packed.getLayout().getG(), k = packed.getK();
    int64_t group = packed.getQuant().getGroupSizeFor(k);
    // Quantized tables (table_i8) get one scale per activation group of
    // kActGroup K elements at most, so that a large weight group (or a
    // per-tensor scale) does not share one table scale over all of K.
    Accuracy accuracy = op.getEffectiveAccuracy();
    int64_t segment = group;
    if (accuracy == Accuracy::TableI8 && group > kActGroup &&
        group % kActGroup == 0)
      segment = kActGroup;
    // With int8 activations a segment also has one activation scale: it
    // must fit in a block of the per-block x_scale.
    if (intActivations) {
      auto scale = cast<RankedTensorType>(op.getXScale().getType());
      int64_t block = scale.getRank() == 2 ? k / scale.getDimSize(1) : k;
      segment = std::min(segment, block);
      if (group % segment != 0 || block % segment != 0 || segment % g != 0)
        return rewriter.notifyMatchFailure(op, "segments do not align");
    }
    Type entry = intActivations ? rewriter.getI16Type() : f32;
    auto tableType = RankedTensorType::get({n, k / g, int64_t(1) << g}, entry);
    auto xsumType = RankedTensorType::get({n, k / segment}, f32);
    auto accType = RankedTensorType::get(
        {n, packed.getM(), k / segment},
        intActivations ? Type(rewriter.getI32Type()) : f32);

    auto tables = TablePrecomputeOp::create(
        rewriter, loc, tableType, xsumType,
        intActivations ? Type(xsumType) : Type(), op.getX(), op.getXScale(), g,
        segment, /*mirror=*/false,
        AccuracyAttr::get(rewriter.getContext(), accuracy));
    Value acc = LookupAccumulateOp::create(rewriter, loc, accType,
                                           tables.getTable(), op.getWeight(),
                                           segment);
    rewriter.replaceOpWithNewOp<ScaleCombineOp>(
        op, op.getType(), acc, op.getWeight(), tables.getXsum(),
        tables.getTscale());
    return success();
  }
};

struct LutDecomposeMpGemmPass
    : mlir::loom::lut::impl::LutDecomposeMpGemmBase<LutDecomposeMpGemmPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeMpGemmPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::loom::lut::populateDecomposeMpGemmPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeMpGemm>(patterns.getContext());
}

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
    LayoutKind layout = packed.getLayout().getKind();
    if (layout != LayoutKind::Bitplane && layout != LayoutKind::Trit3)
      return rewriter.notifyMatchFailure(op, "weight is not in a lookup layout");
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    int64_t n = xType.getDimSize(0);
    int64_t g = packed.getLayout().getLookupGroup(), k = packed.getK();
    int64_t group = packed.getQuant().getGroupSizeFor(k);
    ActQuantAttr actQuant = op.getActQuantAttr();
    bool intActivations = actQuant || xType.getElementType().isInteger(8);

    // Quantized tables (table_i8) get one scale per activation group of
    // kActGroup K elements at most, so that a large weight group (or a
    // per-tensor scale) does not share one table scale over all of K.
    Accuracy accuracy = op.getEffectiveAccuracy();
    int64_t segment = group;
    if (accuracy == Accuracy::TableI8 && group > kActGroup &&
        group % kActGroup == 0)
      segment = kActGroup;
    // With int8 activations a segment also has one activation scale: it
    // must fit in a block of the activation scales.
    int64_t block = k;
    if (actQuant && actQuant.getBlock() > 0)
      block = actQuant.getBlock();
    else if (auto scale = dyn_cast_if_present<RankedTensorType>(
                 op.getXScale() ? op.getXScale().getType() : Type());
             scale && scale.getRank() == 2)
      block = k / scale.getDimSize(1);
    if (intActivations)
      segment = std::min(segment, block);
    if (group % segment != 0 || block % segment != 0 || segment % g != 0)
      return rewriter.notifyMatchFailure(op, "segments do not align");

    // act_quant: quantize first, then take the int8-activation path.
    Value x = op.getX(), xScale = op.getXScale();
    if (actQuant) {
      SmallVector<int64_t> scaleShape = {n};
      if (actQuant.getBlock() > 0)
        scaleShape.push_back(k / actQuant.getBlock());
      auto quantized = QuantizeActivationsOp::create(
          rewriter, loc,
          RankedTensorType::get(xType.getShape(), rewriter.getI8Type()),
          RankedTensorType::get(scaleShape, f32), x, actQuant.getBlock());
      x = quantized.getQuantized();
      xScale = quantized.getScale();
    }
    Type entry = intActivations ? rewriter.getI16Type() : f32;
    int64_t entries = g == 3 ? 14 : int64_t(1) << g;
    auto tableType = RankedTensorType::get({n, k / g, entries}, entry);
    auto xsumType = RankedTensorType::get({n, k / segment}, f32);
    auto accType = RankedTensorType::get(
        {n, packed.getM(), k / segment},
        intActivations ? Type(rewriter.getI32Type()) : f32);

    auto tables = TablePrecomputeOp::create(
        rewriter, loc, tableType, xsumType,
        intActivations ? Type(xsumType) : Type(), x, xScale, g,
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

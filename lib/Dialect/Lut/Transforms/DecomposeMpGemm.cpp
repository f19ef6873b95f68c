//===- DecomposeMpGemm.cpp - mpgemm -> bit-serial table lookups -----------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTDECOMPOSEMPGEMM
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

namespace {

/// The kernel schedule loom-decide chose for `op` goes with the epilogue,
/// the op the vector kernels are built from.
void carryDecision(MpGemmOp op, ScaleCombineOp combine) {
  if (Attribute decision = op->getAttr(DecisionAttr::kAttrName))
    combine->setAttr(DecisionAttr::kAttrName, decision);
}

/// Table precompute, lookups and epilogue (lut.md §2) of `op`'s GEMM over
/// activations `x` (int8 with `xScale`, or fp).
Value buildLookupChain(OpBuilder &b, Location loc, MpGemmOp op, Value x,
                       Value xScale, int64_t segment, Accuracy accuracy) {
  PackedType packed = op.getWeight().getType();
  auto xType = cast<RankedTensorType>(x.getType());
  bool intActivations = xType.getElementType().isInteger(8);
  int64_t n = xType.getDimSize(0), k = packed.getK();
  int64_t g = packed.getLayout().getLookupGroup();
  Type f32 = b.getF32Type();
  Type entry = intActivations ? b.getI16Type() : f32;
  int64_t entries = g == 3 ? 14 : int64_t(1) << g;
  auto tableType =
      RankedTensorType::get({n, tableGroups(k, segment, g), entries}, entry);
  auto xsumType = RankedTensorType::get({n, k / segment}, f32);
  auto accType =
      RankedTensorType::get({n, packed.getM(), k / segment},
                            intActivations ? Type(b.getI32Type()) : f32);
  auto tables = TablePrecomputeOp::create(
      b, loc, tableType, xsumType, intActivations ? Type(xsumType) : Type(), x,
      xScale, g, segment, /*mirror=*/false,
      AccuracyAttr::get(b.getContext(), accuracy));
  Value acc = LookupAccumulateOp::create(b, loc, accType, tables.getTable(),
                                         op.getWeight(), segment);
  auto combine =
      ScaleCombineOp::create(b, loc, op.getType(), acc, op.getWeight(),
                             tables.getXsum(), tables.getTscale());
  carryDecision(op, combine);
  return combine;
}

/// The int8-dot path (lut.md §4.2) of `op`'s GEMM over int8 activations.
Value buildDotChain(OpBuilder &b, Location loc, MpGemmOp op, Value x,
                    Value xScale, int64_t segment) {
  PackedType packed = op.getWeight().getType();
  int64_t n = cast<RankedTensorType>(x.getType()).getDimSize(0);
  int64_t k = packed.getK();
  auto xsumType = RankedTensorType::get({n, k / segment}, b.getF32Type());
  auto sums =
      ActivationSumsOp::create(b, loc, xsumType, xsumType, x, xScale, segment);
  Value acc = DotAccumulateOp::create(
      b, loc,
      RankedTensorType::get({n, packed.getM(), k / segment}, b.getI32Type()), x,
      op.getWeight(), segment);
  auto combine =
      ScaleCombineOp::create(b, loc, op.getType(), acc, op.getWeight(),
                             sums.getXsum(), sums.getTscale());
  carryDecision(op, combine);
  return combine;
}

struct DecomposeMpGemm : OpRewritePattern<MpGemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MpGemmOp op,
                                PatternRewriter &rewriter) const override {
    PackedType packed = op.getWeight().getType();
    LayoutKind layout = packed.getLayout().getKind();
    if (layout != LayoutKind::Bitplane && layout != LayoutKind::Trit3)
      return rewriter.notifyMatchFailure(op,
                                         "weight is not in a lookup layout");
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    int64_t n = xType.getDimSize(0);
    int64_t k = packed.getK();
    ActQuantAttr actQuant = op.getActQuantAttr();
    std::optional<int64_t> segment = op.getLookupSegment();
    if (!segment)
      return rewriter.notifyMatchFailure(op, "segments do not align");
    Accuracy accuracy = op.getEffectiveAccuracy();
    bool intActivations = op.hasIntActivations();

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
    // Int8 dot products from dot_from_n on: the cost model's choice
    // (loom.decision, 0 meaning never) where it made one, else
    // lut-select-strategy's.
    std::optional<int64_t> dotFrom;
    auto decision = op->getAttrOfType<DecisionAttr>(DecisionAttr::kAttrName);
    if (std::optional<int64_t> decided =
            decision ? decision.getIntKnob("dot_from_n") : std::nullopt) {
      if (*decided > 0)
        dotFrom = *decided;
    } else if (IntegerAttr from = cast<LutDialect>(op->getDialect())
                                      ->getDotFromNAttrHelper()
                                      .getAttr(op);
               from && intActivations) {
      dotFrom = from.getInt();
    }
    auto lookups = [&](OpBuilder &b) {
      return buildLookupChain(b, loc, op, x, xScale, *segment, accuracy);
    };
    auto dots = [&](OpBuilder &b) {
      return buildDotChain(b, loc, op, x, xScale, *segment);
    };
    if (!dotFrom || (!ShapedType::isDynamic(n) && n < *dotFrom)) {
      rewriter.replaceOp(op, lookups(rewriter));
      return success();
    }
    if (*dotFrom <= 1 || !ShapedType::isDynamic(n)) {
      rewriter.replaceOp(op, dots(rewriter));
      return success();
    }
    // A dynamic N: both paths, chosen at run time.
    Value rows = tensor::DimOp::create(rewriter, loc, x, 0);
    Value large = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::sge, rows,
        arith::ConstantIndexOp::create(rewriter, loc, *dotFrom));
    auto branch = scf::IfOp::create(
        rewriter, loc, large,
        [&](OpBuilder &b, Location l) { scf::YieldOp::create(b, l, dots(b)); },
        [&](OpBuilder &b, Location l) {
          scf::YieldOp::create(b, l, lookups(b));
        });
    rewriter.replaceOp(op, branch.getResults());
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

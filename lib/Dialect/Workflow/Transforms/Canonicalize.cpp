//===- Canonicalize.cpp - The wf-canonicalize pass ------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFCANONICALIZE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// The text of a `wf.const` of type !wf.text, if `v` is one.
std::optional<StringRef> constantText(Value v) {
  auto constant = v.getDefiningOp<ConstOp>();
  if (!constant)
    return std::nullopt;
  if (auto text = dyn_cast<StringAttr>(constant.getValue()))
    return text.getValue();
  return std::nullopt;
}

/// Constant text operands become text segments, adjacent text segments
/// merge, unread operands go (wf.format and wf.llm: `segments` + `args`).
template <typename TemplateOp>
struct FoldTemplateConstants : OpRewritePattern<TemplateOp> {
  using OpRewritePattern<TemplateOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(TemplateOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    ValueRange args = op.getArgs();
    SmallVector<SegAttr> segments;
    for (Attribute attr : op.getSegments()) {
      auto seg = cast<SegAttr>(attr);
      if (seg.getKind() == SegKind::Operand)
        if (std::optional<StringRef> text = constantText(args[seg.getIndex()]))
          seg = SegAttr::get(ctx, SegKind::Text, *text, 0, nullptr);
      if (seg.getKind() == SegKind::Text && !segments.empty() &&
          segments.back().getKind() == SegKind::Text) {
        segments.back() = SegAttr::get(
            ctx, SegKind::Text,
            (segments.back().getText() + seg.getText()).str(), 0, nullptr);
        continue;
      }
      segments.push_back(seg);
    }
    // The operands still read, renumbered in order.
    SmallVector<int64_t> renumber(args.size(), -1);
    SmallVector<Value> kept;
    for (SegAttr &seg : segments) {
      if (seg.getKind() != SegKind::Operand)
        continue;
      int64_t &index = renumber[seg.getIndex()];
      if (index < 0) {
        index = kept.size();
        kept.push_back(args[seg.getIndex()]);
      }
      seg = SegAttr::get(ctx, SegKind::Operand, "", index, nullptr);
    }
    SmallVector<Attribute> newSegments(segments.begin(), segments.end());
    ArrayAttr segmentsAttr = ArrayAttr::get(ctx, newSegments);
    if (segmentsAttr == op.getSegments() && kept.size() == args.size())
      return rewriter.notifyMatchFailure(op, "nothing to fold");
    rewriter.modifyOpInPlace(op, [&] {
      op.setSegmentsAttr(segmentsAttr);
      op.getArgsMutable().assign(kept);
    });
    return success();
  }
};

/// A template of text alone is a constant.
struct FormatOfTextIsConstant : OpRewritePattern<FormatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FormatOp op,
                                PatternRewriter &rewriter) const override {
    std::string text;
    for (Attribute attr : op.getSegments()) {
      auto seg = cast<SegAttr>(attr);
      if (seg.getKind() != SegKind::Text)
        return rewriter.notifyMatchFailure(op, "not text alone");
      text += seg.getText();
    }
    // A string typed !wf.text, as the parser builds text constants.
    rewriter.replaceOpWithNewOp<ConstOp>(op, op.getType(),
                                         StringAttr::get(text, op.getType()));
    return success();
  }
};

/// wf.if on a constant condition: the taken branch, inlined.
struct FoldConstantIf : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    auto constant = op.getCondition().getDefiningOp<ConstOp>();
    auto flag =
        constant ? dyn_cast<IntegerAttr>(constant.getValue()) : IntegerAttr();
    if (!flag)
      return rewriter.notifyMatchFailure(op, "condition is not a constant");
    Region &taken = flag.getInt() ? op.getThenRegion() : op.getElseRegion();
    Block &block = taken.front();
    Operation *yield = block.getTerminator();
    SmallVector<Value> results(yield->getOperands());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(&block, op);
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct WfCanonicalizePass
    : mlir::loom::wf::impl::WfCanonicalizeBase<WfCanonicalizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTemplateConstants<FormatOp>, FoldTemplateConstants<LlmOp>,
                 FormatOfTextIsConstant, FoldConstantIf>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

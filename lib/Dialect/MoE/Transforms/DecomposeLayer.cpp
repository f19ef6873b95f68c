//===- DecomposeLayer.cpp - moe.layer -> routing + expert compute ---------===//

#include "loom/Dialect/MoE/Transforms/Builders.h"
#include "loom/Dialect/MoE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::loom::moe {
#define GEN_PASS_DEF_MOEDECOMPOSE
#include "loom/Dialect/MoE/Transforms/Passes.h.inc"
} // namespace mlir::loom::moe

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elt) {
  return RankedTensorType::get(shape, elt);
}

/// A one-expert grouped GEMM pair over every token: the shared expert.
Value sharedExpert(ImplicitLocOpBuilder &b, LayerOp op) {
  Value x = op.getX();
  Value gate;
  if (Value u = op.getSharedGate())
    gate = buildElementwiseSigmoid(
        b, buildRowReduction(
               b, x, 0.0,
               [](OpBuilder &nb, Location l, Value acc, Value v) {
                 return arith::AddFOp::create(nb, l, acc, v).getResult();
               },
               u));
  FfnAttr ffn = op.getFfn();
  Type elt = getElementTypeOrSelf(x);
  int64_t d = cast<RankedTensorType>(x.getType()).getDimSize(1);
  int64_t hs =
      cast<RankedTensorType>(op.getSharedOut().getType()).getDimSize(1);
  Value hidden =
      buildAllRowsMatmul(b, x, op.getSharedIn(), tensorOf({kDyn, hs}, elt),
                         Value(), ffn.getActivation());
  return buildAllRowsMatmul(b, hidden, op.getSharedOut(),
                            tensorOf({kDyn, d}, elt), gate, Activation::None);
}

struct DecomposeLayer : OpRewritePattern<LayerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    Value x = op.getX();
    auto xType = cast<RankedTensorType>(x.getType());
    Type elt = xType.getElementType(), f32 = b.getF32Type(),
         i32 = b.getI32Type();
    int64_t tokens = xType.getDimSize(0), d = xType.getDimSize(1);
    auto routerType = cast<RankedTensorType>(op.getRouter().getType());
    int64_t experts = routerType.getDimSize(0);
    RoutingAttr routing = op.getRouting();
    int64_t k = routing.getK();
    FfnAttr ffn = op.getFfn();
    int64_t h = cast<RankedTensorType>(op.getWOut().getType()).getDimSize(2);

    Value scores = GateOp::create(b, tensorOf({tokens, experts}, f32), x,
                                  op.getRouter(), routing.getScoring());
    auto topk = TopKOp::create(
        b, tensorOf({tokens, k}, i32), tensorOf({tokens, k}, f32), scores,
        op.getSelectBias(), k, routing.getRenormalize(), routing.getScale(),
        routing.getGroups(), routing.getGroupTopk(), routing.getGroupScore());
    Value aux;
    if (op.getAuxLoss())
      aux = AuxLossOp::create(b, tensorOf({}, f32), scores, topk.getIds());

    Value priority;
    if (routing.getPrioritized())
      priority = buildRowReduction(
          b, scores, -std::numeric_limits<float>::infinity(),
          [](OpBuilder &nb, Location l, Value acc, Value v) {
            return arith::MaximumFOp::create(nb, l, acc, v).getResult();
          });
    LayoutAttr layout =
        op.getLayoutAttr()
            ? op.getLayoutAttr()
            : LayoutAttr::get(ctx, LayoutKind::Grouped, /*rowAlign=*/1);
    auto assign = AssignOp::create(
        b, tensorOf({tokens, k}, i32), tensorOf({experts}, i32),
        tensorOf({experts + 1}, i32), tensorOf({kDyn}, i32), b.getIndexType(),
        topk.getIds(), priority, experts, op.getCapacity(), layout);

    bool pre = op.getScoreAt() == ScoreAt::Pre;
    Value buffer = DispatchOp::create(
        b, tensorOf({kDyn, d}, elt), x, topk.getIds(), assign.getLocations(),
        assign.getOffsets(), pre ? topk.getWeights() : Value());
    Value hidden = GroupedMatmulOp::create(
        b, tensorOf({kDyn, h}, elt), buffer, op.getWIn(), assign.getOffsets(),
        assign.getCounts(), op.getBiasIn(), Value(), ffn.getActivation());
    Value out = GroupedMatmulOp::create(
        b, tensorOf({kDyn, d}, elt), hidden, op.getWOut(), assign.getOffsets(),
        assign.getCounts(), op.getBiasOut(), Value(), Activation::None);
    Value init = op.getSharedIn() ? sharedExpert(b, op) : Value();
    Value y = CombineOp::create(b, op.getResult().getType(), out, topk.getIds(),
                                assign.getLocations(), assign.getOffsets(),
                                pre ? Value() : topk.getWeights(), init,
                                op.getScoreAt());
    SmallVector<Value> results = {y};
    if (aux)
      results.push_back(aux);
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct MoEDecomposePass
    : mlir::loom::moe::impl::MoEDecomposeBase<MoEDecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeLayerPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::loom::moe::populateDecomposeLayerPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeLayer>(patterns.getContext());
}

//===- DecomposeLayer.cpp - moe.layer -> routing + expert compute ---------===//

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

/// A reduction over the last dimension of `input` [T, n] to [T], starting
/// from `init` and combining with `combine(acc, element)`.
Value reduceRows(ImplicitLocOpBuilder &b, Value input, double init,
                 function_ref<Value(OpBuilder &, Location, Value, Value)>
                     combine,
                 Value other = Value()) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Value tokens = tensor::DimOp::create(b, input, 0);
  Value empty = tensor::EmptyOp::create(b, ArrayRef<OpFoldResult>{tokens}, f32);
  Value initValue =
      arith::ConstantOp::create(b, f32, b.getF32FloatAttr(init));
  Value filled = linalg::FillOp::create(b, initValue, empty).getResult(0);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
  AffineMap col = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
  SmallVector<Value> inputs = {input};
  SmallVector<AffineMap> maps = {id};
  if (other) {
    inputs.push_back(other);
    maps.push_back(col);
  }
  maps.push_back(row);
  return linalg::GenericOp::create(
             b, filled.getType(), inputs, filled, maps,
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value element = args[0];
               if (element.getType() != f32)
                 element = arith::ExtFOp::create(nb, l, f32, element);
               if (other) {
                 Value o = args[1];
                 if (o.getType() != f32)
                   o = arith::ExtFOp::create(nb, l, f32, o);
                 element = arith::MulFOp::create(nb, l, element, o);
               }
               linalg::YieldOp::create(nb, l,
                                       combine(nb, l, args.back(), element));
             })
      .getResult(0);
}

/// A one-expert grouped GEMM pair over every token: the shared expert.
Value sharedExpert(ImplicitLocOpBuilder &b, LayerOp op) {
  Value x = op.getX();
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto expand = [&](Value w) {
    auto type = cast<RankedTensorType>(w.getType());
    auto expanded = tensorOf({1, type.getDimSize(0), type.getDimSize(1)},
                             type.getElementType());
    return tensor::ExpandShapeOp::create(
        b, expanded, w, SmallVector<ReassociationIndices>{{0, 1}, {2}});
  };
  Value tokens = arith::IndexCastOp::create(
      b, i32, tensor::DimOp::create(b, x, 0).getResult());
  Value zero = arith::ConstantOp::create(b, i32, b.getI32IntegerAttr(0));
  Value offsets = tensor::FromElementsOp::create(
      b, tensorOf({2}, i32), ValueRange{zero, tokens});
  Value counts =
      tensor::FromElementsOp::create(b, tensorOf({1}, i32), ValueRange{tokens});

  Value gate;
  if (Value u = op.getSharedGate()) {
    Value dot = reduceRows(
        b, x, 0.0,
        [](OpBuilder &nb, Location l, Value acc, Value v) {
          return arith::AddFOp::create(nb, l, acc, v).getResult();
        },
        u);
    // sigmoid(s) = 1 / (1 + exp(-s)), elementwise on [T].
    MLIRContext *ctx = b.getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    gate = linalg::GenericOp::create(
               b, dot.getType(), ValueRange{dot}, ValueRange{dot},
               ArrayRef<AffineMap>{id, id},
               ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
               [&](OpBuilder &nb, Location l, ValueRange args) {
                 Value one = arith::ConstantOp::create(nb, l, f32,
                                                       nb.getF32FloatAttr(1));
                 Value e = math::ExpOp::create(
                     nb, l, arith::NegFOp::create(nb, l, args[0]));
                 Value s = arith::DivFOp::create(
                     nb, l, one, arith::AddFOp::create(nb, l, one, e));
                 linalg::YieldOp::create(nb, l, s);
               })
               .getResult(0);
  }

  FfnAttr ffn = op.getFfn();
  Type elt = getElementTypeOrSelf(x);
  int64_t d = cast<RankedTensorType>(x.getType()).getDimSize(1);
  int64_t hs = cast<RankedTensorType>(op.getSharedOut().getType()).getDimSize(1);
  Value hidden = GroupedMatmulOp::create(
      b, tensorOf({kDyn, hs}, elt), x, expand(op.getSharedIn()), offsets,
      counts, Value(), Value(), ffn.getActivation());
  return GroupedMatmulOp::create(b, tensorOf({kDyn, d}, elt), hidden,
                                 expand(op.getSharedOut()), offsets, counts,
                                 Value(), gate, Activation::None);
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
      priority = reduceRows(b, scores, -std::numeric_limits<float>::infinity(),
                            [](OpBuilder &nb, Location l, Value acc, Value v) {
                              return arith::MaximumFOp::create(nb, l, acc, v)
                                  .getResult();
                            });
    LayoutAttr layout =
        op.getLayoutAttr()
            ? op.getLayoutAttr()
            : LayoutAttr::get(ctx, LayoutKind::Grouped, /*rowAlign=*/1);
    auto assign = AssignOp::create(
        b, tensorOf({tokens, k}, i32), tensorOf({experts}, i32),
        tensorOf({experts + 1}, i32), tensorOf({kDyn}, i32),
        b.getIndexType(), topk.getIds(), priority, experts, op.getCapacity(),
        layout);

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
    Value y = CombineOp::create(b, op.getResult().getType(), out,
                                topk.getIds(), assign.getLocations(),
                                assign.getOffsets(),
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

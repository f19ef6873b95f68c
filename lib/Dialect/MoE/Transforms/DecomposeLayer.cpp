//===- DecomposeLayer.cpp - moe.layer -> routing + expert compute ---------===//

#include "loom/Dialect/Lut/IR/LutOps.h"
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
using namespace mlir::loom;
using namespace mlir::loom::moe;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type elt) {
  return RankedTensorType::get(shape, elt);
}

/// The register tile the layer's strategy chose for its GEMMs, if any.
TileAttr tileOf(LayerOp op) {
  StrategyAttr strategy = op.getStrategyAttr();
  return strategy ? strategy.getTile() : TileAttr();
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
                         Value(), ffn.getActivation(), Value(), tileOf(op));
  return buildAllRowsMatmul(b, hidden, op.getSharedOut(),
                            tensorOf({kDyn, d}, elt), gate, Activation::None,
                            Value(), tileOf(op));
}

/// sum over slots s of [ids[t, s] = e] * weights[t, s]: token t's combine
/// weight for expert e, 0 when e is not among its choices.
Value expertWeight(ImplicitLocOpBuilder &b, Value ids, Value weights,
                   int64_t e) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Value tokens = tensor::DimOp::create(b, ids, 0);
  Value zero = arith::ConstantOp::create(b, f32, b.getF32FloatAttr(0));
  Value init =
      linalg::FillOp::create(
          b, zero,
          tensor::EmptyOp::create(b, ArrayRef<OpFoldResult>{tokens}, f32)
              .getResult())
          .getResult(0);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
  return linalg::GenericOp::create(
             b, init.getType(), ValueRange{ids, weights}, init,
             ArrayRef<AffineMap>{id, id, row},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value expert = arith::ConstantOp::create(
                   nb, l, nb.getI32IntegerAttr(int32_t(e)));
               Value chosen = arith::CmpIOp::create(
                   nb, l, arith::CmpIPredicate::eq, args[0], expert);
               Value sum = arith::AddFOp::create(nb, l, args[2], args[1]);
               linalg::YieldOp::create(
                   nb, l,
                   arith::SelectOp::create(nb, l, chosen, sum, args[2])
                       .getResult());
             })
      .getResult(0);
}

/// moe.md §3.1's dense form: every expert's FFN over all T tokens, its
/// output scaled per token by expertWeight (0 masks the unselected) and
/// summed into `init` in ascending expert order.
Value denseExperts(ImplicitLocOpBuilder &b, LayerOp op, Value ids,
                   Value weights, Value init) {
  Value x = op.getX();
  Type elt = getElementTypeOrSelf(x);
  int64_t d = cast<RankedTensorType>(x.getType()).getDimSize(1);
  auto wIn = cast<ExpertWeightsType>(op.getWIn().getType());
  auto wOut = cast<ExpertWeightsType>(op.getWOut().getType());
  SmallVector<int64_t> outShape = wOut.getExpertShape();
  int64_t experts = outShape[0], h = outShape[2];
  Value y = init;
  for (int64_t e = 0; e < experts; ++e) {
    Value biasIn = op.getBiasIn()
                       ? buildLeadingSlice(b, b.getLoc(), op.getBiasIn(), e)
                       : Value();
    Value biasOut = op.getBiasOut()
                        ? buildLeadingSlice(b, b.getLoc(), op.getBiasOut(), e)
                        : Value();
    Value hidden =
        buildAllRowsMatmul(b, x, wIn.buildExpert(b, b.getLoc(), op.getWIn(), e),
                           tensorOf({kDyn, h}, elt), Value(),
                           op.getFfn().getActivation(), biasIn, tileOf(op));
    Value out = buildAllRowsMatmul(
        b, hidden, wOut.buildExpert(b, b.getLoc(), op.getWOut(), e),
        tensorOf({kDyn, d}, elt), expertWeight(b, ids, weights, e),
        Activation::None, biasOut, tileOf(op));
    y = y ? buildElementwiseAdd(b, y, out) : out;
  }
  return tensor::CastOp::create(b, op.getResult().getType(), y);
}

/// `t[i]` of a 1-D i32 tensor, as an index.
Value extractIndex(ImplicitLocOpBuilder &b, Value t, Value i) {
  return arith::IndexCastOp::create(b, b.getIndexType(),
                                    tensor::ExtractOp::create(b, t, i));
}

/// moe.md §3.4's low-bit experts, in the row layout of `assign`: for every
/// expert, lut.mpgemm of w_in over the tokens of its rows (lut.gather_rows
/// of x, which lut-share-tables turns into one table build per token), the
/// FFN epilogue, lut.mpgemm of w_out; the results fill the expert's rows
/// of the [R, d] buffer that moe.combine reads. Pre-score weights scale
/// the first GEMM's rows (before the bias, as a dispatch that scales x).
Value lowBitExperts(ImplicitLocOpBuilder &b, LayerOp op, AssignOp assign,
                    Value weights) {
  Value x = op.getX();
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  int64_t d = xType.getDimSize(1);
  auto wIn = cast<ExpertWeightsType>(op.getWIn().getType());
  auto wOut = cast<ExpertWeightsType>(op.getWOut().getType());
  SmallVector<int64_t> inShape = wIn.getExpertShape();
  int64_t experts = inShape[0], hIn = inShape[1];
  int64_t k = op.getRouting().getK();
  bool pre = op.getScoreAt() == ScoreAt::Pre;

  Value rows = assign.getRows(), offsets = assign.getOffsets();
  Value tokens = buildRowTokens(b, rows, k);
  Value rowWeights = pre ? buildRowWeights(b, rows, weights, k) : Value();
  Value total =
      extractIndex(b, offsets, arith::ConstantIndexOp::create(b, experts));
  Value buffer = tensor::EmptyOp::create(
      b, ArrayRef<OpFoldResult>{total, b.getIndexAttr(d)}, elt);
  auto rowSlice = [&](Value t, Value start, Value count) -> Value {
    auto type = cast<RankedTensorType>(t.getType());
    return tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({kDyn}, type.getElementType()), t,
        ArrayRef<OpFoldResult>{start}, ArrayRef<OpFoldResult>{count},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  };
  for (int64_t e = 0; e < experts; ++e) {
    Value start =
        extractIndex(b, offsets, arith::ConstantIndexOp::create(b, e));
    Value end =
        extractIndex(b, offsets, arith::ConstantIndexOp::create(b, e + 1));
    Value count = arith::SubIOp::create(b, end, start);
    Value expertX =
        lut::GatherRowsOp::create(b, RankedTensorType::get({kDyn, d}, elt), x,
                                  rowSlice(tokens, start, count));
    Value z = lut::MpGemmOp::create(
        b, RankedTensorType::get({kDyn, hIn}, elt), expertX,
        wIn.buildExpert(b, b.getLoc(), op.getWIn(), e), Value(),
        lut::AccuracyAttr(), lut::ActQuantAttr());
    Value hidden = buildExpertEpilogue(
        b, z, pre ? rowSlice(rowWeights, start, count) : Value(),
        op.getBiasIn() ? buildLeadingSlice(b, b.getLoc(), op.getBiasIn(), e)
                       : Value(),
        op.getFfn());
    Value y = lut::MpGemmOp::create(
        b, RankedTensorType::get({kDyn, d}, elt), hidden,
        wOut.buildExpert(b, b.getLoc(), op.getWOut(), e), Value(),
        lut::AccuracyAttr(), lut::ActQuantAttr());
    if (Value bias = op.getBiasOut())
      y = buildExpertEpilogue(
          b, y, Value(), buildLeadingSlice(b, b.getLoc(), bias, e),
          FfnAttr::get(b.getContext(), Activation::None, false, false));
    buffer = tensor::InsertSliceOp::create(
        b, y, buffer, ArrayRef<OpFoldResult>{start, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{count, b.getIndexAttr(d)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  return buffer;
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
    int64_t h =
        cast<ExpertWeightsType>(op.getWOut().getType()).getExpertShape()[2];
    StrategyKind kind = op.getStrategyAttr() ? op.getStrategyAttr().getKind()
                                             : StrategyKind::Grouped;

    Value scores = GateOp::create(b, tensorOf({tokens, experts}, f32), x,
                                  op.getRouter(), routing.getScoring());
    auto topk = TopKOp::create(
        b, tensorOf({tokens, k}, i32), tensorOf({tokens, k}, f32), scores,
        op.getSelectBias(), k, routing.getRenormalize(), routing.getScale(),
        routing.getGroups(), routing.getGroupTopk(), routing.getGroupScore());
    Value aux;
    if (op.getAuxLoss())
      aux = AuxLossOp::create(b, tensorOf({}, f32), scores, topk.getIds());
    auto sharedInit = [&] {
      return op.getSharedIn() ? sharedExpert(b, op) : Value();
    };
    SmallVector<Value> results;
    if (kind == StrategyKind::Dense) {
      results.push_back(
          denseExperts(b, op, topk.getIds(), topk.getWeights(), sharedInit()));
    } else {
      Value priority;
      if (routing.getPrioritized())
        priority = buildRowReduction(
            b, scores, -std::numeric_limits<float>::infinity(),
            [](OpBuilder &nb, Location l, Value acc, Value v) {
              return arith::MaximumFOp::create(nb, l, acc, v).getResult();
            });
      LayoutAttr layout = op.getLayoutAttr();
      if (!layout)
        layout = kind == StrategyKind::Padded
                     ? LayoutAttr::get(ctx, LayoutKind::Padded, 1)
                     : LayoutAttr::get(ctx, LayoutKind::Grouped, 1);
      auto assign = AssignOp::create(
          b, tensorOf({tokens, k}, i32), tensorOf({experts}, i32),
          tensorOf({experts + 1}, i32), tensorOf({kDyn}, i32), b.getIndexType(),
          topk.getIds(), priority, experts, op.getCapacity(), layout);

      bool pre = op.getScoreAt() == ScoreAt::Pre;
      Value out;
      if (isa<RankedTensorType>(op.getWIn().getType())) {
        Value buffer =
            DispatchOp::create(b, tensorOf({kDyn, d}, elt), x, topk.getIds(),
                               assign.getLocations(), assign.getOffsets(),
                               pre ? topk.getWeights() : Value());
        Value hidden = GroupedMatmulOp::create(
            b, tensorOf({kDyn, h}, elt), buffer, op.getWIn(),
            assign.getOffsets(), assign.getCounts(), op.getBiasIn(), Value(),
            Value(), Value(), Value(), ffn.getActivation(), tileOf(op));
        out = GroupedMatmulOp::create(
            b, tensorOf({kDyn, d}, elt), hidden, op.getWOut(),
            assign.getOffsets(), assign.getCounts(), op.getBiasOut(), Value(),
            Value(), Value(), Value(), Activation::None, tileOf(op));
      } else {
        out = lowBitExperts(b, op, assign, topk.getWeights());
      }
      Value init = sharedInit();
      results.push_back(CombineOp::create(
          b, op.getResult().getType(), out, topk.getIds(),
          assign.getLocations(), assign.getOffsets(),
          pre ? Value() : topk.getWeights(), init, op.getScoreAt()));
    }
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

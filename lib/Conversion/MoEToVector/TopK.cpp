//===- TopK.cpp - moe.topk as vector code ---------------------------------===//
//
// moe.md §3.4: a token's E selection scores sit in one vector<E x f32>;
// each of the k rounds takes the max over the lanes, the first lane holding
// it, and masks that lane with -inf. The reference lowering's scalar scan
// takes the first element unconditionally, then each strictly greater one;
// for a lane 0 that is not NaN that is the first lane equal to the largest
// non-NaN score (maxnumf skips NaN, oeq never matches it), and for a NaN
// lane 0 it is lane 0 — both reproduced here, so the ids are the
// reference's bit for bit. Weights, renormalization and scale follow in
// the reference's operation order.
//
//===----------------------------------------------------------------------===//

#include "TopK.h"
#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

using Builder = ImplicitLocOpBuilder;

Value splat(Builder &b, VectorType type, Attribute value) {
  return arith::ConstantOp::create(
      b, type, DenseElementsAttr::get(type, ArrayRef<Attribute>{value}));
}

/// The lane the reference's first-strictly-greater scan picks in `scores`.
Value pickLane(Builder &b, Value scores, Value lanes, int64_t experts) {
  auto i32Type = cast<VectorType>(lanes.getType());
  Value best =
      vector::ReductionOp::create(b, vector::CombiningKind::MAXNUMF, scores);
  Value atBest = arith::CmpFOp::create(
      b, arith::CmpFPredicate::OEQ, scores,
      vector::BroadcastOp::create(b, scores.getType(), best));
  Value candidates = arith::SelectOp::create(
      b, atBest, lanes,
      splat(b, i32Type, b.getI32IntegerAttr(int32_t(experts))));
  Value first =
      vector::ReductionOp::create(b, vector::CombiningKind::MINSI, candidates);
  // No lane equals a NaN max (all NaN) or a NaN lane 0: lane 0.
  Value lane0 = vector::ExtractOp::create(b, scores, ArrayRef<int64_t>{0});
  Value lane0NaN =
      arith::CmpFOp::create(b, arith::CmpFPredicate::UNO, lane0, lane0);
  Value none = arith::CmpIOp::create(
      b, arith::CmpIPredicate::eq, first,
      arith::ConstantOp::create(b, b.getI32IntegerAttr(int32_t(experts))));
  return arith::SelectOp::create(
      b, arith::OrIOp::create(b, lane0NaN, none),
      arith::ConstantOp::create(b, b.getI32IntegerAttr(0)), first);
}

/// The router's score function on one token's logits, lane by lane in the
/// operation order of buildRouterScores (so the scores are the same bits):
/// the max, exp(l - max) by scalar math.exp (vector exps become polynomials
/// later in the pass), the sum in ascending lane order, then the division;
/// or 1 / (1 + exp(-l)).
Value scoreRow(ImplicitLocOpBuilder &b, Value logits, Scoring scoring,
               int64_t experts) {
  auto type = cast<VectorType>(logits.getType());
  Value one = arith::ConstantOp::create(b, b.getF32FloatAttr(1.0));
  auto expLanes = [&](Value v) {
    Value out = v;
    for (int64_t e = 0; e < experts; ++e) {
      Value lane = vector::ExtractOp::create(b, v, ArrayRef<int64_t>{e});
      out = vector::InsertOp::create(b, math::ExpOp::create(b, lane), out,
                                     ArrayRef<int64_t>{e});
    }
    return out;
  };
  if (scoring == Scoring::Sigmoid)
    return arith::DivFOp::create(
        b, vector::BroadcastOp::create(b, type, one),
        arith::AddFOp::create(b, vector::BroadcastOp::create(b, type, one),
                              expLanes(arith::NegFOp::create(b, logits))));
  Value max =
      vector::ReductionOp::create(b, vector::CombiningKind::MAXIMUMF, logits);
  Value exps = expLanes(arith::SubFOp::create(
      b, logits, vector::BroadcastOp::create(b, type, max)));
  Value sum = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  for (int64_t e = 0; e < experts; ++e)
    sum = arith::AddFOp::create(
        b, sum, vector::ExtractOp::create(b, exps, ArrayRef<int64_t>{e}));
  return arith::DivFOp::create(b, exps,
                               vector::BroadcastOp::create(b, type, sum));
}

/// The selection of `op` over each token's row of `source` [T, E]: its
/// scores, or with `scoring` its logits, scored in registers.
std::pair<Value, Value> emitSelection(OpBuilder &builder, TopKOp op,
                                      Value source,
                                      std::optional<Scoring> scoring) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Value bias = op.getSelectBias();
  int64_t experts = cast<RankedTensorType>(source.getType()).getDimSize(1);
  int64_t k = op.getK();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto scoreType = VectorType::get({experts}, f32);
  auto laneType = VectorType::get({experts}, i32);
  Value tokens = tensor::DimOp::create(b, source, 0);
  auto idsType = cast<RankedTensorType>(op.getIds().getType());
  auto weightsType = cast<RankedTensorType>(op.getWeights().getType());
  SmallVector<Value> dynamic;
  if (idsType.isDynamicDim(0))
    dynamic.push_back(tokens);
  Value ids0 = tensor::EmptyOp::create(b, idsType, dynamic);
  Value weights0 = tensor::EmptyOp::create(b, weightsType, dynamic);
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0));
  Value negInf = splat(
      b, scoreType, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  SmallVector<int32_t> laneIds(experts);
  for (int64_t e = 0; e < experts; ++e)
    laneIds[e] = int32_t(e);
  Value lanes = arith::ConstantOp::create(
      b, laneType, DenseElementsAttr::get(laneType, ArrayRef(laneIds)));
  Value biasVector;
  if (bias)
    biasVector = vector::TransferReadOp::create(
        b, scoreType, bias, ValueRange{idx(b, 0)}, zero, ArrayRef<bool>{true});

  auto results = forLoop(
      b, idx(b, 0), tokens, 1, ValueRange{ids0, weights0},
      [&](ImplicitLocOpBuilder &b, Value t,
          ValueRange out) -> SmallVector<Value> {
        Value p = vector::TransferReadOp::create(b, scoreType, source,
                                                 ValueRange{t, idx(b, 0)}, zero,
                                                 ArrayRef<bool>{true});
        if (scoring)
          p = scoreRow(b, p, *scoring, experts);
        Value selection = bias ? arith::AddFOp::create(b, p, biasVector) : p;
        SmallVector<Value> ids, weights;
        for (int64_t s = 0; s < k; ++s) {
          Value id = pickLane(b, selection, lanes, experts);
          ids.push_back(id);
          weights.push_back(vector::ExtractOp::create(
              b, p,
              ArrayRef<OpFoldResult>{
                  arith::IndexCastOp::create(b, b.getIndexType(), id)
                      .getResult()}));
          Value picked = arith::CmpIOp::create(
              b, arith::CmpIPredicate::eq, lanes,
              vector::BroadcastOp::create(b, laneType, id));
          selection = arith::SelectOp::create(b, picked, negInf, selection);
        }
        if (op.getRenormalize()) {
          Value sum = zero;
          for (Value w : weights)
            sum = arith::AddFOp::create(b, sum, w);
          Value denom = arith::MaximumFOp::create(
              b, sum, arith::ConstantOp::create(b, b.getF32FloatAttr(0x1p-23)));
          for (Value &w : weights)
            w = arith::DivFOp::create(b, w, denom);
        }
        double scale = op.getScale().convertToDouble();
        if (scale != 1.0)
          for (Value &w : weights)
            w = arith::MulFOp::create(
                b, w, arith::ConstantOp::create(b, b.getF32FloatAttr(scale)));
        auto write = [&](ArrayRef<Value> values, Type elt, Value into) {
          Value row = vector::FromElementsOp::create(
              b, VectorType::get({k}, elt), values);
          return vector::TransferWriteOp::create(b, row, into,
                                                 ValueRange{t, idx(b, 0)},
                                                 ArrayRef<bool>{true})
              .getResult();
        };
        return {write(ids, i32, out[0]), write(weights, f32, out[1])};
      });
  return {results[0], results[1]};
}

} // namespace

bool mlir::loom::moe::canEmitTopK(TopKOp op) { return op.getGroups() == 1; }

std::pair<Value, Value> mlir::loom::moe::emitTopK(OpBuilder &b, TopKOp op) {
  return emitSelection(b, op, op.getScores(), std::nullopt);
}

std::pair<Value, Value> mlir::loom::moe::emitGateTopK(OpBuilder &b, TopKOp op,
                                                      Value logits,
                                                      Scoring scoring) {
  return emitSelection(b, op, logits, scoring);
}

//===- SegmentEpilogue.cpp - The fp32 epilogue of the vector kernels ------===//

#include "SegmentEpilogue.h"
#include "KernelBuilders.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loom::lut;

/// kappa * acc + c * X_int = kappa * (acc + (c / kappa) * X_int), c / kappa
/// is an integer (2^bits - 1, -1 or 0) and kappa is 1 or 1/2, so fl(s * tau)
/// * kappa = fl(kappa s * tau). Where |acc + (c / kappa) X_int| stays below
/// 2^24 it converts to f32 exactly, so fl(kappa s * tau) * float(acc + (c /
/// kappa) X_int) is bit for bit the f32 form, with one multiply per
/// accumulator fewer.
std::optional<int64_t> SegmentEpilogue::integerOffsetUnitsOf(
    PackedType weight, const RowCoefficients &coefficients, int64_t segment) {
  // Zero points enter the sums as floats (the f32 form).
  if (!coefficients.zeroPoint.empty())
    return std::nullopt;
  double units = weight.getQuant().getPlaneOffset() / weight.getLookupKappa();
  int64_t maxValue = 0;
  for (unsigned code = 0; code < 256; ++code)
    maxValue = std::max(maxValue, std::abs(weight.getLookupValue(code)));
  double bound = 128.0 * double(segment) * (double(maxValue) + std::abs(units));
  if (units != std::round(units) || bound >= double(1 << 24))
    return std::nullopt;
  return int64_t(units);
}

SegmentEpilogue::SegmentEpilogue(OpBuilder &b, Location loc, PackedType weight,
                                 const RowCoefficients &coefficients,
                                 int64_t rowsPerBlock, int64_t segment,
                                 Value tscale, Value xsum,
                                 bool integerActivations, bool sumsHoldOffset)
    : loc(loc), quant(weight.getQuant()), kappa(weight.getLookupKappa()),
      integerActivations(integerActivations), tscale(tscale), xsum(xsum) {
  int64_t blocks = llvm::divideCeil(weight.getM(), rowsPerBlock);
  SmallVector<int64_t> shape = {blocks, weight.getK() / segment, rowsPerBlock};
  // Exact: zero points enter the integer sum, mins the fp offset term.
  bool zeroPoints = integerActivations && !coefficients.zeroPoint.empty();
  if (integerActivations)
    integerOffsetUnits = integerOffsetUnitsOf(weight, coefficients, segment);
  assert((!sumsHoldOffset || integerOffsetUnits) &&
         "the sums can hold the offset only as integers");
  // There the scales are folded as kappa * s (exact: kappa is 1 or 1/2).
  std::vector<APFloat> scales = coefficients.scale;
  if (integerOffsetUnits && kappa != 1.0) {
    for (APFloat &value : scales) {
      APFloat factor(kappa);
      bool losesInfo;
      factor.convert(value.getSemantics(), APFloat::rmNearestTiesToEven,
                     &losesInfo);
      value.multiply(factor, APFloat::rmNearestTiesToEven);
    }
  }
  scale = constantTensor<APFloat>(b, loc, shape, quant.getScaleType(), scales);
  if (zeroPoints)
    zeroPoint = constantTensor<float>(b, loc, shape, b.getF32Type(),
                                      coefficients.zeroPoint);
  if (coefficients.hasOffset && !zeroPoints)
    offset = constantTensor<float>(b, loc, shape, b.getF32Type(),
                                   coefficients.offset);
  if (!integerActivations)
    return;
  // An offset of 0 units adds nothing to the sums.
  if (!integerOffsetUnits || (*integerOffsetUnits != 0 && !sumsHoldOffset))
    integerSums = foldIntegerSums(b, integerOffsetUnits);
}

Value SegmentEpilogue::foldIntegerSums(OpBuilder &b,
                                       std::optional<int64_t> units) const {
  Type f32 = b.getF32Type();
  Type type = units ? Type(b.getI32Type()) : f32;
  auto source = cast<RankedTensorType>(xsum.getType());
  Value columns = tensor::DimOp::create(b, loc, xsum, 0);
  Value init = emptyWithRows(b, loc, source.clone(type), columns);
  Value segments = indexConst(b, loc, source.getDimSize(1));
  auto scalar = [&](OpBuilder &sb, double v) -> Value {
    return arith::ConstantOp::create(sb, loc, sb.getF32FloatAttr(v));
  };
  return buildLoop(
      b, loc, columns, init,
      [&](OpBuilder &cb, Value col, ValueRange out) -> SmallVector<Value> {
        return buildLoop(
            cb, loc, segments, out,
            [&](OpBuilder &sb, Value s, ValueRange sums) -> SmallVector<Value> {
              // xsum = fl(tau * X_int) with |X_int| <= 127 * segment <
              // 2^22, so the rounded quotient is X_int exactly (0 where
              // tau is 0: no activations).
              Value tau = tensor::ExtractOp::create(sb, loc, tscale,
                                                    ValueRange{col, s});
              Value sum =
                  tensor::ExtractOp::create(sb, loc, xsum, ValueRange{col, s});
              Value zero = scalar(sb, 0);
              Value isZero = arith::CmpFOp::create(
                  sb, loc, arith::CmpFPredicate::OEQ, tau, zero);
              Value quotient = arith::DivFOp::create(
                  sb, loc, sum,
                  arith::SelectOp::create(sb, loc, isZero, scalar(sb, 1), tau));
              Value integer = arith::SelectOp::create(
                  sb, loc, isZero, zero,
                  math::RoundEvenOp::create(sb, loc, quotient));
              if (units)
                integer = arith::MulIOp::create(
                    sb, loc, arith::FPToSIOp::create(sb, loc, type, integer),
                    arith::ConstantIntOp::create(sb, loc, type, *units));
              return {tensor::InsertOp::create(sb, loc, integer, sums[0],
                                               ValueRange{col, s})};
            });
      })[0];
}

SegmentEpilogue::Rows SegmentEpilogue::rows(OpBuilder &b, Value block, Value s,
                                            Value first, int64_t lanes) const {
  Type f32 = b.getF32Type(), scaleType = quant.getScaleType();
  auto vF32 = VectorType::get({lanes}, f32);
  SmallVector<Value> at = {block, s, first};
  Rows result;
  result.scale = vector::TransferReadOp::create(
      b, loc, VectorType::get({lanes}, scaleType), scale, at,
      arith::ConstantOp::create(b, loc, FloatAttr::get(scaleType, 0)),
      ArrayRef<bool>{true});
  if (scaleType != f32)
    result.scale = arith::ExtFOp::create(b, loc, vF32, result.scale);
  auto read = [&](Value table) -> Value {
    if (!table)
      return {};
    return vector::TransferReadOp::create(
        b, loc, vF32, table, at,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)),
        ArrayRef<bool>{true});
  };
  result.offset = read(offset);
  result.zeroPoint = read(zeroPoint);
  return result;
}

SegmentEpilogue::Column SegmentEpilogue::column(OpBuilder &b, Value col,
                                                Value s, int64_t lanes,
                                                Value valid) const {
  auto vF32 = VectorType::get({lanes}, b.getF32Type());
  auto scalar = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  Value tau = tensor::ExtractOp::create(b, loc, tscale, ValueRange{col, s});
  Value sum = tensor::ExtractOp::create(b, loc, xsum, ValueRange{col, s});
  if (valid) {
    tau = arith::SelectOp::create(b, loc, valid, tau, scalar(0));
    sum = arith::SelectOp::create(b, loc, valid, sum, scalar(0));
  }
  Column result;
  result.tau = vector::BroadcastOp::create(b, loc, vF32, tau);
  result.factor = vector::BroadcastOp::create(
      b, loc, vF32, arith::MulFOp::create(b, loc, tau, scalar(kappa)));
  result.sum = vector::BroadcastOp::create(
      b, loc, vF32,
      arith::MulFOp::create(b, loc, sum, scalar(quant.getPlaneOffset())));
  if (offset)
    result.offsetSum = vector::BroadcastOp::create(b, loc, vF32, sum);
  if (integerSums) {
    // Per GEMM, not per row block: X_int, or (c / kappa) * X_int as i32.
    Type type = cast<RankedTensorType>(integerSums.getType()).getElementType();
    Value integer =
        tensor::ExtractOp::create(b, loc, integerSums, ValueRange{col, s});
    if (valid)
      integer = arith::SelectOp::create(
          b, loc, valid, integer,
          arith::ConstantOp::create(b, loc, b.getZeroAttr(type)));
    Value lanesOf = vector::BroadcastOp::create(
        b, loc, VectorType::get({lanes}, type), integer);
    (integerOffsetUnits ? result.sumOffset : result.integerSum) = lanesOf;
  }
  return result;
}

SmallVector<Value> SegmentEpilogue::applyTile(OpBuilder &b, Value block,
                                              Value s, ArrayRef<Value> cols,
                                              ArrayRef<Value> valid,
                                              int64_t lanes, ValueRange acc,
                                              ValueRange y) const {
  // The row terms serve every column.
  size_t perColumn = acc.size() / cols.size();
  SmallVector<Rows> rowTerms;
  for (size_t r = 0; r < perColumn; ++r)
    rowTerms.push_back(
        rows(b, block, s, indexConst(b, loc, int64_t(r) * lanes), lanes));
  SmallVector<Value> out;
  for (auto [c, col] : llvm::enumerate(cols)) {
    Column terms = column(b, col, s, lanes, valid.empty() ? Value() : valid[c]);
    for (size_t r = 0; r < perColumn; ++r)
      out.push_back(apply(b, acc[c * perColumn + r], rowTerms[r], terms,
                          y[c * perColumn + r]));
  }
  return out;
}

Value SegmentEpilogue::apply(OpBuilder &b, Value acc, const Rows &rows,
                             const Column &column, Value y) const {
  auto vF32 = cast<VectorType>(rows.scale.getType());
  Value term;
  if (integerOffsetUnits) {
    // rows.scale is kappa * s here, and sumOffset (c / kappa) * X_int.
    if (column.sumOffset)
      acc = arith::AddIOp::create(b, loc, acc, column.sumOffset);
    term = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, rows.scale, column.tau),
        arith::SIToFPOp::create(b, loc, vF32, acc));
  } else if (integerActivations) {
    Value sums = arith::SIToFPOp::create(b, loc, vF32, acc);
    // kappa * acc + c * X_int - z * X_int: exact (integers and halves well
    // inside f32's 24 bits), then one rounding by fl(s * tau).
    auto splat = [&](double v) {
      return splatConst(b, loc, vF32, b.getF32FloatAttr(v));
    };
    // kappa is 1 or 1/2, so kappa * acc is exact and one fma rounds as
    // the product and the sum would.
    Value sum = math::FmaOp::create(
        b, loc, sums, splat(kappa),
        arith::MulFOp::create(b, loc, column.integerSum,
                              splat(quant.getPlaneOffset())));
    if (rows.zeroPoint)
      sum = arith::SubFOp::create(
          b, loc, sum,
          arith::MulFOp::create(b, loc, rows.zeroPoint, column.integerSum));
    term = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, rows.scale, column.tau), sum);
  } else {
    // s * (kappa * tau * acc + c * xsum).
    Value sums = arith::SIToFPOp::create(b, loc, vF32, acc);
    term = arith::MulFOp::create(
        b, loc, rows.scale,
        arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, sums, column.factor),
            column.sum));
  }
  if (rows.offset)
    term = arith::AddFOp::create(
        b, loc, term,
        arith::MulFOp::create(b, loc, rows.offset, column.offsetSum));
  return arith::AddFOp::create(b, loc, y, term);
}

//===- SegmentEpilogue.cpp - The fp32 epilogue of the vector kernels ------===//

#include "SegmentEpilogue.h"
#include "KernelBuilders.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loom::lut;

SegmentEpilogue::SegmentEpilogue(OpBuilder &b, Location loc, PackedType weight,
                                 const RowCoefficients &coefficients,
                                 int64_t rowsPerBlock, int64_t segment,
                                 Value tscale, Value xsum)
    : loc(loc), quant(weight.getQuant()), kappa(weight.getLookupKappa()),
      tscale(tscale), xsum(xsum) {
  int64_t blocks = llvm::divideCeil(weight.getM(), rowsPerBlock);
  SmallVector<int64_t> shape = {blocks, weight.getK() / segment, rowsPerBlock};
  scale = constantTensor<APFloat>(b, loc, shape, quant.getScaleType(),
                                  coefficients.scale);
  if (coefficients.hasOffset)
    offset = constantTensor<float>(b, loc, shape, b.getF32Type(),
                                   coefficients.offset);
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
  if (offset)
    result.offset = vector::TransferReadOp::create(
        b, loc, vF32, offset, at,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0)),
        ArrayRef<bool>{true});
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
  Value sums = arith::SIToFPOp::create(b, loc, vF32, acc);
  Value term;
  if (quant.getPlaneOffset() == 0) {
    // Without the c * xsum term the segment's sum is kappa * acc, exact:
    // fl(s * tau) * fl(kappa * acc) is the exact contract's
    // fl(fl(s_w * s_x) * fl(acc)) (lut.md §1.4), bit for bit.
    Value kappaVector = vector::BroadcastOp::create(
        b, loc, vF32,
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(kappa)));
    term = arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, rows.scale, column.tau),
        arith::MulFOp::create(b, loc, sums, kappaVector));
  } else {
    // s * (kappa * tau * acc + c * xsum).
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

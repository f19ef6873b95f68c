//===- RowMoves.cpp - moe.dispatch and moe.combine as parallel vector code ===//
//
// Dispatch and combine move T * k rows of d values: with fine-grained
// experts (k = 8) that is 16 MB each way at T = 512, which the reference
// lowering's element loops spent 10 % of the layer on. Both become an
// scf.forall with one writer per output row and 16-wide vector moves:
//
//   dispatch: slot of each row (one scalar pass over the T * k slots; the
//             later slot wins, as in the reference), then forall rows: copy
//             x[t] (times w[t, s] for pre-score), zeros for padding rows;
//   combine:  forall tokens: out[t] = init[t], then for each kept slot in
//             order out[t] += w * rows[row] — the reference's operation
//             order, so the sums are the same.
//
//===----------------------------------------------------------------------===//

#include "RowMoves.h"
#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

Value i32(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
}
Value toIndex(ImplicitLocOpBuilder &b, Value v) {
  return arith::IndexCastOp::create(b, b.getIndexType(), v);
}
Value cmp(ImplicitLocOpBuilder &b, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, p, x, y);
}

/// Row of slot (t, s): offsets[e] + loc[t, s], or -1 when the slot is
/// dropped or its expert or row is out of range (the reference lowering's
/// rule, so malformed routing data cannot make the code write out of
/// bounds).
Value slotRow(ImplicitLocOpBuilder &b, Value ids, Value loc, Value offsets,
              Value t, Value s, int64_t experts, Value rowCount) {
  Value e = tensor::ExtractOp::create(b, ids, ValueRange{t, s});
  Value l = tensor::ExtractOp::create(b, loc, ValueRange{t, s});
  Value ok = arith::AndIOp::create(
      b,
      arith::AndIOp::create(
          b, cmp(b, arith::CmpIPredicate::sge, e, i32(b, 0)),
          cmp(b, arith::CmpIPredicate::slt, e, i32(b, experts))),
      cmp(b, arith::CmpIPredicate::sge, l, i32(b, 0)));
  Value safeE = arith::SelectOp::create(b, ok, e, i32(b, 0));
  Value row = arith::AddIOp::create(
      b, tensor::ExtractOp::create(b, offsets, ValueRange{toIndex(b, safeE)}),
      l);
  Value inRows = arith::AndIOp::create(
      b, cmp(b, arith::CmpIPredicate::sge, row, i32(b, 0)),
      cmp(b, arith::CmpIPredicate::slt, row,
          arith::IndexCastOp::create(b, b.getI32Type(), rowCount)));
  return arith::SelectOp::create(b, arith::AndIOp::create(b, ok, inRows), row,
                                 i32(b, -1));
}

/// Rows moved from which the row loop runs on several threads: below, one
/// OpenMP fork and join costs more than the copies (decode steps).
constexpr int64_t kParallelElements = 1 << 16;

/// A loop over the `count` rows of `out` [count, d] — an scf.forall once
/// count * d reaches kParallelElements, else one thread's scf.for: `body`
/// (row, the row as a [1, d] slice) returns the row's new value.
Value forEachRow(
    ImplicitLocOpBuilder &b, Value out, Value count,
    function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> body) {
  int64_t d = cast<RankedTensorType>(out.getType()).getDimSize(1);
  auto rowSlice = [&](ImplicitLocOpBuilder &b, Value row) {
    return std::make_pair(
        SmallVector<OpFoldResult>{row, b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(d)});
  };
  SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
  Value parallel = cmp(b, arith::CmpIPredicate::sge,
                       arith::MulIOp::create(b, count, idx(b, d)),
                       idx(b, kParallelElements));
  auto threads = [&](OpBuilder &ob, Location loc) {
    ImplicitLocOpBuilder nb(loc, ob);
    auto forall = scf::ForallOp::create(nb, ArrayRef<OpFoldResult>{count},
                                        ValueRange{out}, std::nullopt);
    ImplicitLocOpBuilder fb(loc, forall.getTerminator());
    Value row = forall.getInductionVar(0);
    auto [offsets, sizes] = rowSlice(fb, row);
    Value slice = tensor::ExtractSliceOp::create(
        fb, forall.getRegionIterArgs()[0], offsets, sizes, strides);
    slice = body(fb, row, slice);
    fb.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(
        fb, slice, forall.getRegionIterArgs()[0], offsets, sizes, strides);
    scf::YieldOp::create(nb, forall.getResult(0));
  };
  auto oneThread = [&](OpBuilder &ob, Location loc) {
    ImplicitLocOpBuilder nb(loc, ob);
    Value result =
        forLoop(nb, idx(nb, 0), count, 1, out,
                [&](ImplicitLocOpBuilder &lb, Value row, ValueRange acc) {
                  auto [offsets, sizes] = rowSlice(lb, row);
                  Value slice = tensor::ExtractSliceOp::create(
                      lb, acc[0], offsets, sizes, strides);
                  slice = body(lb, row, slice);
                  return SmallVector<Value>{tensor::InsertSliceOp::create(
                      lb, slice, acc[0], offsets, sizes, strides)};
                })[0];
    scf::YieldOp::create(nb, result);
  };
  return scf::IfOp::create(b, parallel, threads, oneThread).getResult(0);
}

/// `body` (the first column, the row state, whether all 16 lanes lie inside
/// d) over the columns of a row of width d, 16 at a time: a loop over the
/// whole steps, then one masked step. Returns the final state.
Value forEachChunk(
    ImplicitLocOpBuilder &b, int64_t d, Value state,
    function_ref<Value(ImplicitLocOpBuilder &, Value, Value, bool)> body) {
  int64_t whole = d / kLanes;
  if (whole > 0)
    state = forLoop(b, idx(b, 0), idx(b, whole * kLanes), kLanes, state,
                    [&](ImplicitLocOpBuilder &nb, Value j, ValueRange args) {
                      return SmallVector<Value>{body(nb, j, args[0], true)};
                    })[0];
  if (whole * kLanes < d)
    state = body(b, idx(b, whole * kLanes), state, false);
  return state;
}

Value writeLanes(ImplicitLocOpBuilder &b, Value v, Value dest, ValueRange at,
                 bool inBounds) {
  Type elt = getElementTypeOrSelf(dest.getType());
  if (!elt.isF32())
    v = arith::TruncFOp::create(b, VectorType::get({kLanes}, elt), v);
  return vector::TransferWriteOp::create(b, v, dest, at,
                                         ArrayRef<bool>{inBounds})
      .getResult();
}

} // namespace

Value mlir::loom::moe::emitDispatch(OpBuilder &builder, DispatchOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Value x = op.getX(), ids = op.getIds(), offsets = op.getOffsets();
  int64_t d = cast<RankedTensorType>(x.getType()).getDimSize(1);
  int64_t k = cast<RankedTensorType>(ids.getType()).getDimSize(1);
  int64_t experts = cast<RankedTensorType>(offsets.getType()).getDimSize(0) - 1;
  Value tokens = tensor::DimOp::create(b, x, 0);
  // R = offsets[E]; a negative one (malformed offsets) is an empty buffer.
  Value rowCount = arith::MaxSIOp::create(
      b,
      toIndex(b, tensor::ExtractOp::create(b, offsets,
                                           ValueRange{idx(b, experts)})),
      idx(b, 0));

  // slotOf[row] = t * k + s of the slot written there, -1 for padding.
  Value unset = i32(b, -1);
  Value slotOf = tensor::SplatOp::create(
      b, RankedTensorType::get({ShapedType::kDynamic}, b.getI32Type()), unset,
      ValueRange{rowCount});
  slotOf = forLoop(
      b, idx(b, 0), tokens, 1, slotOf,
      [&](ImplicitLocOpBuilder &b, Value t, ValueRange a) {
        Value map = a[0];
        for (int64_t s = 0; s < k; ++s) {
          Value row = slotRow(b, ids, op.getLocations(), offsets, t, idx(b, s),
                              experts, rowCount);
          Value kept = cmp(b, arith::CmpIPredicate::sge, row, i32(b, 0));
          Value slot = arith::IndexCastOp::create(
              b, b.getI32Type(),
              arith::AddIOp::create(b, arith::MulIOp::create(b, t, idx(b, k)),
                                    idx(b, s)));
          map = scf::IfOp::create(
                    b, kept,
                    [&](OpBuilder &ob, Location loc) {
                      scf::YieldOp::create(
                          ob, loc,
                          tensor::InsertOp::create(
                              ob, loc, slot, map,
                              ValueRange{arith::IndexCastOp::create(
                                  ob, loc, ob.getIndexType(), row)})
                              .getResult());
                    },
                    [&](OpBuilder &ob, Location loc) {
                      scf::YieldOp::create(ob, loc, map);
                    })
                    .getResult(0);
        }
        return SmallVector<Value>{map};
      })[0];

  auto resultType = cast<RankedTensorType>(op.getType());
  Value empty = tensor::EmptyOp::create(
      b, resultType,
      resultType.isDynamicDim(0) ? ValueRange{rowCount} : ValueRange{});
  return forEachRow(
      b, empty, rowCount, [&](ImplicitLocOpBuilder &b, Value r, Value slice) {
        Value slot = tensor::ExtractOp::create(b, slotOf, ValueRange{r});
        Value kept = cmp(b, arith::CmpIPredicate::sge, slot, i32(b, 0));
        Value safe =
            toIndex(b, arith::SelectOp::create(b, kept, slot, i32(b, 0)));
        Value t = arith::DivUIOp::create(b, safe, idx(b, k));
        Type f32 = b.getF32Type();
        auto vf32 = VectorType::get({kLanes}, f32);
        Value zero = arith::ConstantOp::create(
            b, vf32, DenseElementsAttr::get(vf32, b.getF32FloatAttr(0.0)));
        Value weight;
        if (Value scale = op.getScale())
          weight = vector::BroadcastOp::create(
              b, vf32,
              tensor::ExtractOp::create(
                  b, scale,
                  ValueRange{t, arith::RemUIOp::create(b, safe, idx(b, k))}));
        return forEachChunk(
            b, d, slice,
            [&](ImplicitLocOpBuilder &b, Value j, Value row, bool inBounds) {
              Value v = readLanes(b, x, {t, j}, inBounds);
              if (weight)
                v = arith::MulFOp::create(b, v, weight);
              v = arith::SelectOp::create(b, kept, v, zero);
              return writeLanes(b, v, row, {idx(b, 0), j}, inBounds);
            });
      });
}

Value mlir::loom::moe::emitCombine(OpBuilder &builder, CombineOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), builder);
  Value rows = op.getRows(), ids = op.getIds(), offsets = op.getOffsets();
  int64_t d = cast<RankedTensorType>(rows.getType()).getDimSize(1);
  int64_t k = cast<RankedTensorType>(ids.getType()).getDimSize(1);
  int64_t experts = cast<RankedTensorType>(offsets.getType()).getDimSize(0) - 1;
  Value tokens = tensor::DimOp::create(b, ids, 0);
  Value rowCount = tensor::DimOp::create(b, rows, 0);
  Type f32 = b.getF32Type();
  auto vf32 = VectorType::get({kLanes}, f32);
  auto resultType = cast<RankedTensorType>(op.getType());
  Value empty = tensor::EmptyOp::create(
      b, resultType,
      resultType.isDynamicDim(0) ? ValueRange{tokens} : ValueRange{});
  return forEachRow(
      b, empty, tokens, [&](ImplicitLocOpBuilder &b, Value t, Value slice) {
        Value zero = arith::ConstantOp::create(
            b, vf32, DenseElementsAttr::get(vf32, b.getF32FloatAttr(0.0)));
        slice = forEachChunk(
            b, d, slice,
            [&](ImplicitLocOpBuilder &b, Value j, Value row, bool inBounds) {
              Value v = op.getInit()
                            ? readLanes(b, op.getInit(), {t, j}, inBounds)
                            : zero;
              return writeLanes(b, v, row, {idx(b, 0), j}, inBounds);
            });
        for (int64_t s = 0; s < k; ++s) {
          Value row = slotRow(b, ids, op.getLocations(), offsets, t, idx(b, s),
                              experts, rowCount);
          Value kept = cmp(b, arith::CmpIPredicate::sge, row, i32(b, 0));
          slice =
              scf::IfOp::create(
                  b, kept,
                  [&](OpBuilder &ob, Location loc) {
                    ImplicitLocOpBuilder nb(loc, ob);
                    Value r = toIndex(nb, row);
                    Value w = op.getWeights()
                                  ? vector::BroadcastOp::create(
                                        nb, vf32,
                                        tensor::ExtractOp::create(
                                            nb, op.getWeights(),
                                            ValueRange{t, idx(nb, s)}))
                                        .getResult()
                                  : Value();
                    scf::YieldOp::create(
                        nb,
                        forEachChunk(
                            nb, d, slice,
                            [&](ImplicitLocOpBuilder &b, Value j, Value out,
                                bool inBounds) {
                              Value y = readLanes(b, rows, {r, j}, inBounds);
                              if (w)
                                y = arith::MulFOp::create(b, w, y);
                              Value sum = arith::AddFOp::create(
                                  b,
                                  readLanes(b, out, {idx(b, 0), j}, inBounds),
                                  y);
                              return writeLanes(b, sum, out, {idx(b, 0), j},
                                                inBounds);
                            }));
                  },
                  [&](OpBuilder &ob, Location loc) {
                    scf::YieldOp::create(ob, loc, slice);
                  })
                  .getResult(0);
        }
        return slice;
      });
}

//===- TablePrecompute.cpp - Activation tables as vector code -------------===//
//
// Per row and segment, two passes over the segment's groups of 4
// activations: the first finds max |T| and the activation sum, the second
// recomputes the 16 entries (4 multiply-adds by constant sign vectors: the
// same sums, in the same order, as the loop lowering's) and quantizes them,
// T_i8 = round-half-even(T / tscale), tscale = max |T| / 127 (lut.md §2.4).
// Recomputing is cheaper than storing and reloading an f32 table.
//
//===----------------------------------------------------------------------===//

#include "TablePrecompute.h"

#include "KernelBuilders.h"

#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

constexpr int64_t kEntries = 16;

struct TablePrecomputeToVector : OpRewritePattern<TablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    auto tableType = cast<RankedTensorType>(op.getTable().getType());
    auto xType = cast<RankedTensorType>(op.getX().getType());
    if (op.getG() != 4 || op.getMirror() || op.getXScale() ||
        !tableType.getElementType().isInteger(8) ||
        tableType.getDimSize(2) != kEntries ||
        !isa<FloatType>(xType.getElementType()))
      return rewriter.notifyMatchFailure(
          op, "not int8 16-entry tables of fp activations");

    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Type f32 = b.getF32Type(), i8 = b.getI8Type();
    int64_t segment = op.getSegment(), k = xType.getDimSize(1);
    int64_t groupsPerSegment = segment / 4, segments = k / segment;
    auto v4 = VectorType::get({4}, f32);
    auto v16 = VectorType::get({kEntries}, f32);
    auto v16i8 = VectorType::get({kEntries}, i8);
    auto index = [&](OpBuilder &ob, int64_t v) {
      return indexConst(ob, loc, v);
    };
    auto fconst = [&](OpBuilder &ob, Type t, double v) -> Value {
      if (auto vt = dyn_cast<VectorType>(t))
        return splatConst(ob, loc, vt, ob.getFloatAttr(vt.getElementType(), v));
      return arith::ConstantOp::create(ob, loc, ob.getFloatAttr(t, v));
    };
    // sign[l][u] = +1 where bit l of u is set, else -1.
    SmallVector<Value> signs;
    for (int64_t l = 0; l < 4; ++l) {
      SmallVector<float> s;
      for (int64_t u = 0; u < kEntries; ++u)
        s.push_back((u >> l) & 1 ? 1.f : -1.f);
      signs.push_back(arith::ConstantOp::create(
          b, loc, v16, DenseElementsAttr::get(v16, ArrayRef<float>(s))));
    }

    Value n = tensor::DimOp::create(b, loc, op.getX(), 0);
    auto empty = [&](Type type) {
      return emptyWithRows(b, loc, cast<RankedTensorType>(type), n);
    };
    // The four activations of group j of row `row` (as f32), and their table.
    auto activations = [&](OpBuilder &ob, Value row, Value j) -> Value {
      Value x = vector::TransferReadOp::create(
          ob, loc, VectorType::get({4}, xType.getElementType()), op.getX(),
          ValueRange{row, arith::MulIOp::create(ob, loc, j, index(ob, 4))},
          fconst(ob, xType.getElementType(), 0), ArrayRef<bool>{true});
      return xType.getElementType() == f32
                 ? x
                 : arith::ExtFOp::create(ob, loc, v4, x).getResult();
    };
    auto tableOf = [&](OpBuilder &ob, Value x) -> Value {
      Value t;
      for (int64_t l = 0; l < 4; ++l) {
        Value xl = vector::BroadcastOp::create(
            ob, loc, v16, vector::ExtractOp::create(ob, loc, x, l));
        t = l == 0
                ? arith::MulFOp::create(ob, loc, signs[0], xl).getResult()
                : vector::FMAOp::create(ob, loc, signs[l], xl, t).getResult();
      }
      return t;
    };

    SmallVector<Value> results = buildLoop(
        b, loc, n,
        {empty(op.getTable().getType()), empty(op.getXsum().getType()),
         empty(op.getTscale().getType())},
        [&](OpBuilder &rb, Value row, ValueRange outs) {
          return buildLoop(
              rb, loc, index(rb, segments), outs,
              [&](OpBuilder &sb, Value s,
                  ValueRange acc) -> SmallVector<Value> {
                Value first = arith::MulIOp::create(
                    sb, loc, s, index(sb, groupsPerSegment));
                auto group = [&](OpBuilder &ob, Value jj) {
                  return arith::AddIOp::create(ob, loc, first, jj).getResult();
                };
                ValueRange stats = buildLoop(
                    sb, loc, index(sb, groupsPerSegment),
                    {fconst(sb, v16, 0), fconst(sb, v4, 0)},
                    [&](OpBuilder &gb, Value jj, ValueRange st) {
                      Value x = activations(gb, row, group(gb, jj));
                      Value mag = math::AbsFOp::create(gb, loc, tableOf(gb, x));
                      return SmallVector<Value>{
                          arith::MaximumFOp::create(gb, loc, st[0], mag),
                          arith::AddFOp::create(gb, loc, st[1], x)};
                    });
                Value max = vector::ReductionOp::create(
                    sb, loc, vector::CombiningKind::MAXIMUMF, stats[0]);
                Value sum = vector::ReductionOp::create(
                    sb, loc, vector::CombiningKind::ADD, stats[1]);
                Value tau =
                    arith::DivFOp::create(sb, loc, max, fconst(sb, f32, 127));
                Value zeroTau =
                    arith::CmpFOp::create(sb, loc, arith::CmpFPredicate::OEQ,
                                          tau, fconst(sb, f32, 0));
                Value tauV = vector::BroadcastOp::create(sb, loc, v16, tau);
                Value table = buildLoop(
                    sb, loc, index(sb, groupsPerSegment), {acc[0]},
                    [&](OpBuilder &gb, Value jj, ValueRange t) {
                      Value j = group(gb, jj);
                      Value q = math::RoundEvenOp::create(
                          gb, loc,
                          arith::DivFOp::create(
                              gb, loc, tableOf(gb, activations(gb, row, j)),
                              tauV));
                      q = arith::MaximumFOp::create(gb, loc, q,
                                                    fconst(gb, v16, -127));
                      q = arith::MinimumFOp::create(gb, loc, q,
                                                    fconst(gb, v16, 127));
                      q = arith::SelectOp::create(gb, loc, zeroTau,
                                                  fconst(gb, v16, 0), q);
                      Value bytes = arith::FPToSIOp::create(gb, loc, v16i8, q);
                      return SmallVector<Value>{
                          vector::TransferWriteOp::create(
                              gb, loc, bytes, t[0],
                              ValueRange{row, j, index(gb, 0)},
                              ArrayRef<bool>{true})
                              .getResult()};
                    })[0];
                return {table,
                        tensor::InsertOp::create(sb, loc, sum, acc[1],
                                                 ValueRange{row, s}),
                        tensor::InsertOp::create(sb, loc, tau, acc[2],
                                                 ValueRange{row, s})};
              });
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::loom::lut::populateTablePrecomputeToVectorPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TablePrecomputeToVector>(patterns.getContext());
}

//===- MoEToLoops.cpp - Reference lowering of the moe dialect -------------===//
//
// Plain scf.for loops over tensors, one op at a time, written to mirror
// moe.md §1 line by line rather than to be fast: this is the oracle that the
// optimized strategies are checked against.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "loom/Dialect/MoE/Transforms/Builders.h"
#include "loom/Dialect/MoE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/DialectConversion.h"

#include <limits>

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTMOETOLOOPS
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

namespace {

using Builder = ImplicitLocOpBuilder;
constexpr int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Small builders: constants, casts, tensor element access, loops.
//===----------------------------------------------------------------------===//

Value idx(Builder &b, int64_t v) { return arith::ConstantIndexOp::create(b, v); }
Value i32(Builder &b, int64_t v) {
  return arith::ConstantOp::create(b, b.getI32IntegerAttr(v));
}
Value f32(Builder &b, double v) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
}
Value negInf(Builder &b) { return f32(b, -std::numeric_limits<float>::infinity()); }

Value toIndex(Builder &b, Value v) {
  return arith::IndexCastOp::create(b, b.getIndexType(), v);
}
Value toI32(Builder &b, Value v) {
  return arith::IndexCastOp::create(b, b.getI32Type(), v);
}
/// Any float scalar to f32, or f32 to `type`.
Value toF32(Builder &b, Value v) {
  return v.getType().isF32() ? v : arith::ExtFOp::create(b, b.getF32Type(), v);
}
Value fromF32(Builder &b, Value v, Type type) {
  return type.isF32() ? v : arith::TruncFOp::create(b, type, v);
}

Value at(Builder &b, Value tensor, ValueRange indices) {
  return tensor::ExtractOp::create(b, tensor, indices);
}
Value put(Builder &b, Value value, Value tensor, ValueRange indices) {
  return tensor::InsertOp::create(b, value, tensor, indices);
}
Value dimOf(Builder &b, Value tensor, int64_t i) {
  return tensor::DimOp::create(b, tensor, i);
}

/// A tensor of `shape` (dynamic sizes from `dynSizes`, in order) filled with
/// `value`.
Value filled(Builder &b, ArrayRef<int64_t> shape, ValueRange dynSizes,
             Value value) {
  Value empty = tensor::EmptyOp::create(b, shape, value.getType(), dynSizes);
  return linalg::FillOp::create(b, value, empty).getResult(0);
}

Value castTo(Builder &b, Value v, Type type) {
  return v.getType() == type ? v : tensor::CastOp::create(b, type, v);
}

using LoopBody =
    function_ref<SmallVector<Value>(Builder &, Value, ValueRange)>;

/// scf.for iv = lb to ub iter_args(inits) { yield body(iv, args) }.
SmallVector<Value> loop(Builder &b, Value lb, Value ub, ValueRange inits,
                        LoopBody body) {
  auto forOp = scf::ForOp::create(
      b, b.getLoc(), lb, ub, idx(b, 1), inits,
      [&](OpBuilder &nb, Location l, Value iv, ValueRange args) {
        Builder ib(l, nb);
        scf::YieldOp::create(ib, body(ib, iv, args));
      });
  return llvm::to_vector_of<Value>(forOp.getResults());
}
SmallVector<Value> loop(Builder &b, int64_t ub, ValueRange inits,
                        LoopBody body) {
  return loop(b, idx(b, 0), idx(b, ub), inits, body);
}
SmallVector<Value> loop(Builder &b, Value ub, ValueRange inits, LoopBody body) {
  return loop(b, idx(b, 0), ub, inits, body);
}

/// scf.if cond { yield thenFn() } else { yield `otherwise` }.
SmallVector<Value> when(Builder &b, Value cond, ValueRange otherwise,
                        function_ref<SmallVector<Value>(Builder &)> thenFn) {
  auto ifOp = scf::IfOp::create(
      b, b.getLoc(), cond,
      [&](OpBuilder &nb, Location l) {
        Builder ib(l, nb);
        scf::YieldOp::create(ib, thenFn(ib));
      },
      [&](OpBuilder &nb, Location l) { scf::YieldOp::create(nb, l, otherwise); });
  return llvm::to_vector_of<Value>(ifOp.getResults());
}

Value cmpi(Builder &b, arith::CmpIPredicate p, Value x, Value y) {
  return arith::CmpIOp::create(b, p, x, y);
}
Value andi(Builder &b, Value x, Value y) { return arith::AndIOp::create(b, x, y); }

/// 0 <= v < bound, for i32 v and i32 bound.
Value inRange(Builder &b, Value v, Value bound) {
  return andi(b, cmpi(b, arith::CmpIPredicate::sge, v, i32(b, 0)),
              cmpi(b, arith::CmpIPredicate::slt, v, bound));
}

/// (best value, best index) of `values[0..n)` with a strict > comparison, so
/// ties go to the lower index; index -1 when n == 0.
std::pair<Value, Value> argmax(Builder &b, Value values, int64_t n) {
  SmallVector<Value> best = loop(
      b, n, ValueRange{negInf(b), i32(b, -1)},
      [&](Builder &ib, Value i, ValueRange acc) -> SmallVector<Value> {
        Value v = at(ib, values, i);
        Value take = arith::OrIOp::create(
            ib, cmpi(ib, arith::CmpIPredicate::eq, acc[1], i32(ib, -1)),
            arith::CmpFOp::create(ib, arith::CmpFPredicate::OGT, v, acc[0]));
        return {arith::SelectOp::create(ib, take, v, acc[0]),
                arith::SelectOp::create(ib, take, toI32(ib, i), acc[1])};
      });
  return {best[0], best[1]};
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

struct GateLowering : OpRewritePattern<GateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GateOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value x = op.getX(), router = op.getRouter();
    auto routerType = cast<RankedTensorType>(router.getType());
    int64_t experts = routerType.getDimSize(0), d = routerType.getDimSize(1);
    Value tokens = dimOf(b, x, 0);
    bool softmax = op.getScoring() == Scoring::Softmax;
    Value init = tensor::EmptyOp::create(b, ArrayRef<int64_t>{kDyn, experts},
                                         b.getF32Type(), ValueRange{tokens});
    Value scores = loop(b, tokens, init, [&](Builder &b, Value t, ValueRange a) {
      Value s = loop(b, experts, a[0], [&](Builder &b, Value e, ValueRange a) {
        Value dot = loop(b, d, f32(b, 0.0), [&](Builder &b, Value j, ValueRange acc) {
          Value p = arith::MulFOp::create(b, toF32(b, at(b, x, {t, j})),
                                          toF32(b, at(b, router, {e, j})));
          return SmallVector<Value>{arith::AddFOp::create(b, acc[0], p)};
        })[0];
        return SmallVector<Value>{put(b, dot, a[0], {t, e})};
      })[0];
      if (!softmax) {
        s = loop(b, experts, s, [&](Builder &b, Value e, ValueRange a) {
          Value l = at(b, a[0], {t, e});
          Value ex = math::ExpOp::create(b, arith::NegFOp::create(b, l));
          Value one = f32(b, 1.0);
          Value p = arith::DivFOp::create(b, one, arith::AddFOp::create(b, one, ex));
          return SmallVector<Value>{put(b, p, a[0], {t, e})};
        })[0];
        return SmallVector<Value>{s};
      }
      Value max = loop(b, experts, negInf(b), [&](Builder &b, Value e, ValueRange a) {
        return SmallVector<Value>{arith::MaximumFOp::create(b, a[0], at(b, s, {t, e}))};
      })[0];
      SmallVector<Value> expSum = loop(
          b, experts, ValueRange{s, f32(b, 0.0)},
          [&](Builder &b, Value e, ValueRange a) -> SmallVector<Value> {
            Value v = math::ExpOp::create(
                b, arith::SubFOp::create(b, at(b, a[0], {t, e}), max));
            return {put(b, v, a[0], {t, e}), arith::AddFOp::create(b, a[1], v)};
          });
      s = loop(b, experts, expSum[0], [&](Builder &b, Value e, ValueRange a) {
        Value p = arith::DivFOp::create(b, at(b, a[0], {t, e}), expSum[1]);
        return SmallVector<Value>{put(b, p, a[0], {t, e})};
      })[0];
      return SmallVector<Value>{s};
    })[0];
    rw.replaceOp(op, castTo(b, scores, op.getType()));
    return success();
  }
};

struct TopKLowering : OpRewritePattern<TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopKOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value scores = op.getScores(), bias = op.getSelectBias();
    int64_t experts = cast<RankedTensorType>(scores.getType()).getDimSize(1);
    int64_t k = op.getK(), groups = op.getGroups(), perGroup = experts / groups;
    Value tokens = dimOf(b, scores, 0);
    Value ids0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{kDyn, k},
                                         b.getI32Type(), ValueRange{tokens});
    Value w0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{kDyn, k},
                                       b.getF32Type(), ValueRange{tokens});
    SmallVector<Value> out = loop(
        b, tokens, ValueRange{ids0, w0},
        [&](Builder &b, Value t, ValueRange a) -> SmallVector<Value> {
          // Selection scores S = P + b for this token.
          Value sel0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{experts},
                                               b.getF32Type());
          Value sel = loop(b, experts, sel0, [&](Builder &b, Value e, ValueRange s) {
            Value v = at(b, scores, {t, e});
            if (bias)
              v = arith::AddFOp::create(b, v, at(b, bias, e));
            return SmallVector<Value>{put(b, v, s[0], e)};
          })[0];
          if (groups > 1)
            sel = limitToBestGroups(b, op, sel, experts, groups, perGroup);

          // k rounds of first-index-of-max, masking each winner.
          SmallVector<Value> picked = loop(
              b, k, ValueRange{a[0], a[1], sel},
              [&](Builder &b, Value s, ValueRange acc) -> SmallVector<Value> {
                Value id = argmax(b, acc[2], experts).second;
                Value e = toIndex(b, id);
                Value ids = put(b, id, acc[0], {t, s});
                Value w = put(b, at(b, scores, {t, e}), acc[1], {t, s});
                Value masked = put(b, negInf(b), acc[2], e);
                return {ids, w, masked};
              });
          Value w = picked[1];
          if (op.getRenormalize()) {
            Value sum = loop(b, k, f32(b, 0.0), [&](Builder &b, Value s, ValueRange acc) {
              return SmallVector<Value>{arith::AddFOp::create(b, acc[0], at(b, w, {t, s}))};
            })[0];
            Value denom = arith::MaximumFOp::create(b, sum, f32(b, 0x1p-23));
            w = loop(b, k, w, [&](Builder &b, Value s, ValueRange acc) {
              Value v = arith::DivFOp::create(b, at(b, acc[0], {t, s}), denom);
              return SmallVector<Value>{put(b, v, acc[0], {t, s})};
            })[0];
          }
          double scale = op.getScale().convertToDouble();
          if (scale != 1.0)
            w = loop(b, k, w, [&](Builder &b, Value s, ValueRange acc) {
              Value v = arith::MulFOp::create(b, at(b, acc[0], {t, s}), f32(b, scale));
              return SmallVector<Value>{put(b, v, acc[0], {t, s})};
            })[0];
          return {picked[0], w};
        });
    rw.replaceOp(op, {castTo(b, out[0], op.getIds().getType()),
                      castTo(b, out[1], op.getWeights().getType())});
    return success();
  }

  /// Sets S to -inf outside the group_topk best groups (DeepSeek-V3).
  static Value limitToBestGroups(Builder &b, TopKOp op, Value sel,
                                 int64_t experts, int64_t groups,
                                 int64_t perGroup) {
    bool top2 = op.getGroupScore() == GroupScore::Top2Sum;
    Value gs0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{groups}, b.getF32Type());
    Value groupScores = loop(b, groups, gs0, [&](Builder &b, Value g, ValueRange a) {
      Value base = arith::MulIOp::create(b, g, idx(b, perGroup));
      SmallVector<Value> best = loop(
          b, perGroup, ValueRange{negInf(b), negInf(b)},
          [&](Builder &b, Value i, ValueRange m) -> SmallVector<Value> {
            Value v = at(b, sel, arith::AddIOp::create(b, base, i).getResult());
            Value above1 = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, v, m[0]);
            Value above2 = arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, v, m[1]);
            Value m1 = arith::SelectOp::create(b, above1, v, m[0]);
            Value m2 = arith::SelectOp::create(
                b, above1, m[0], arith::SelectOp::create(b, above2, v, m[1]));
            return {m1, m2};
          });
      Value score = top2 ? arith::AddFOp::create(b, best[0], best[1]).getResult()
                         : best[0];
      return SmallVector<Value>{put(b, score, a[0], g)};
    })[0];
    Value keep0 = filled(b, {groups}, {}, arith::ConstantOp::create(b, b.getBoolAttr(false)));
    Value keep = loop(b, op.getGroupTopk(), ValueRange{keep0, groupScores},
                      [&](Builder &b, Value, ValueRange a) -> SmallVector<Value> {
                        Value g = toIndex(b, argmax(b, a[1], groups).second);
                        return {put(b, arith::ConstantOp::create(b, b.getBoolAttr(true)), a[0], g),
                                put(b, negInf(b), a[1], g)};
                      })[0];
    return loop(b, experts, sel, [&](Builder &b, Value e, ValueRange a) {
      Value g = arith::DivUIOp::create(b, e, idx(b, perGroup));
      Value v = arith::SelectOp::create(b, at(b, keep, g), at(b, a[0], e), negInf(b));
      return SmallVector<Value>{put(b, v, a[0], e)};
    })[0];
  }
};

struct AuxLossLowering : OpRewritePattern<AuxLossOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AuxLossOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value scores = op.getScores(), ids = op.getIds();
    int64_t experts = cast<RankedTensorType>(scores.getType()).getDimSize(1);
    Type f64 = b.getF64Type();
    Value tokens = dimOf(b, scores, 0);
    Value zero = arith::ConstantOp::create(b, b.getF64FloatAttr(0.0));
    Value total = loop(b, experts, zero, [&](Builder &b, Value e, ValueRange a) {
      SmallVector<Value> sums = loop(
          b, tokens, ValueRange{zero, zero},
          [&](Builder &b, Value t, ValueRange acc) -> SmallVector<Value> {
            Value p = arith::ExtFOp::create(b, f64, at(b, scores, {t, e}));
            Value first = cmpi(b, arith::CmpIPredicate::eq, at(b, ids, {t, idx(b, 0)}),
                               toI32(b, e));
            Value one = arith::UIToFPOp::create(b, f64, first);
            return {arith::AddFOp::create(b, acc[0], p),
                    arith::AddFOp::create(b, acc[1], one)};
          });
      return SmallVector<Value>{arith::AddFOp::create(
          b, a[0], arith::MulFOp::create(b, sums[0], sums[1]))};
    })[0];
    Value tf = arith::UIToFPOp::create(b, f64, toI32(b, tokens));
    Value loss = arith::DivFOp::create(
        b,
        arith::MulFOp::create(b, arith::ConstantOp::create(b, b.getF64FloatAttr(experts)),
                              total),
        arith::MulFOp::create(b, tf, tf));
    Value empty = cmpi(b, arith::CmpIPredicate::eq, tokens, idx(b, 0));
    loss = arith::SelectOp::create(b, empty, zero, loss);
    Value result = tensor::FromElementsOp::create(
        b, op.getType(), ValueRange{arith::TruncFOp::create(b, b.getF32Type(), loss)});
    rw.replaceOp(op, result);
    return success();
  }
};

struct AssignLowering : OpRewritePattern<AssignOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AssignOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value ids = op.getIds(), priority = op.getPriority();
    int64_t experts = op.getNumExperts();
    int64_t k = cast<RankedTensorType>(ids.getType()).getDimSize(1);
    Value tokens = dimOf(b, ids, 0), numExperts = i32(b, experts);
    using P = arith::CmpIPredicate;

    // n[s, e]: tokens whose slot s chose expert e.
    Value n0 = filled(b, {k, experts}, {}, i32(b, 0));
    Value n = loop(b, tokens, n0, [&](Builder &b, Value t, ValueRange a) {
      return loop(b, k, a[0], [&](Builder &b, Value s, ValueRange a) {
        Value e = at(b, ids, {t, s});
        return when(b, inRange(b, e, numExperts), a[0], [&](Builder &b) {
          Value ei = toIndex(b, e);
          Value c = arith::AddIOp::create(b, at(b, a[0], {s, ei}), i32(b, 1));
          return SmallVector<Value>{put(b, c, a[0], {s, ei})};
        });
      });
    })[0];
    // Expert loads n_e and the largest one.
    Value load0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{experts}, b.getI32Type());
    SmallVector<Value> loads = loop(
        b, experts, ValueRange{load0, i32(b, 0)},
        [&](Builder &b, Value e, ValueRange a) -> SmallVector<Value> {
          Value ne = loop(b, k, i32(b, 0), [&](Builder &b, Value s, ValueRange acc) {
            return SmallVector<Value>{arith::AddIOp::create(b, acc[0], at(b, n, {s, e}))};
          })[0];
          return {put(b, ne, a[0], e), arith::MaxSIOp::create(b, a[1], ne)};
        });
    Value capacity = capacityValue(b, op, tokens, loads[1], k, experts);

    // Token order: ascending t, or descending priority, ties to lower t.
    Value order = priority ? priorityOrder(b, priority, tokens) : Value();

    // Slot-major locations: a running count per expert over slots, then
    // tokens in order; kept iff below the capacity.
    Value loc0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{kDyn, k},
                                         b.getI32Type(), ValueRange{tokens});
    Value counter0 = filled(b, {experts}, {}, i32(b, 0));
    Value loc = loop(b, k, ValueRange{loc0, counter0}, [&](Builder &b, Value s, ValueRange a) {
      return loop(b, tokens, a, [&](Builder &b, Value i, ValueRange a) -> SmallVector<Value> {
        Value t = order ? at(b, order, i) : i;
        Value e = at(b, ids, {t, s});
        SmallVector<Value> slot = when(
            b, inRange(b, e, numExperts), ValueRange{i32(b, -1), a[1]},
            [&](Builder &b) -> SmallVector<Value> {
              Value ei = toIndex(b, e);
              Value c = at(b, a[1], ei);
              Value kept = cmpi(b, P::slt, c, capacity);
              Value l = arith::SelectOp::create(b, kept, c, i32(b, -1));
              Value next = arith::AddIOp::create(b, c, i32(b, 1));
              return {l, put(b, next, a[1], ei)};
            });
        return {put(b, slot[0], a[0], {t, s}), slot[1]};
      });
    })[0];

    // Kept counts and row offsets of the layout.
    LayoutAttr layout = op.getLayout();
    bool padded = layout.getKind() == LayoutKind::Padded;
    Value rowAlign = i32(b, layout.getRowAlign());
    Value counts0 = tensor::EmptyOp::create(b, ArrayRef<int64_t>{experts}, b.getI32Type());
    Value offsets0 = put(b, i32(b, 0),
                         tensor::EmptyOp::create(b, ArrayRef<int64_t>{experts + 1},
                                                 b.getI32Type()),
                         idx(b, 0));
    SmallVector<Value> layoutValues = loop(
        b, experts, ValueRange{counts0, offsets0},
        [&](Builder &b, Value e, ValueRange a) -> SmallVector<Value> {
          Value kept = arith::MinSIOp::create(b, at(b, loads[0], e), capacity);
          Value next = arith::AddIOp::create(b, e, idx(b, 1));
          Value off;
          if (padded) {
            off = arith::MulIOp::create(b, toI32(b, next), capacity);
          } else {
            Value aligned = arith::MulIOp::create(
                b, arith::CeilDivSIOp::create(b, kept, rowAlign), rowAlign);
            off = arith::AddIOp::create(b, at(b, a[1], e), aligned);
          }
          return {put(b, kept, a[0], e), put(b, off, a[1], next)};
        });
    Value offsets = layoutValues[1];

    // Row map: row -> t * k + s, -1 for padding.
    Value rowCount = toIndex(b, at(b, offsets, idx(b, experts)));
    Value rows0 = filled(b, {kDyn}, rowCount, i32(b, -1));
    Value rows = loop(b, tokens, rows0, [&](Builder &b, Value t, ValueRange a) {
      return loop(b, k, a[0], [&](Builder &b, Value s, ValueRange a) {
        Value l = at(b, loc, {t, s});
        return when(b, cmpi(b, P::sge, l, i32(b, 0)), a[0], [&](Builder &b) {
          Value e = toIndex(b, at(b, ids, {t, s}));
          Value row = toIndex(b, arith::AddIOp::create(b, at(b, offsets, e), l));
          Value slot = toI32(b, arith::AddIOp::create(
                                    b, arith::MulIOp::create(b, t, idx(b, k)), s));
          return SmallVector<Value>{put(b, slot, a[0], row)};
        });
      });
    })[0];

    rw.replaceOp(op, {castTo(b, loc, op.getLocations().getType()),
                      castTo(b, layoutValues[0], op.getCounts().getType()),
                      castTo(b, offsets, op.getOffsets().getType()),
                      castTo(b, rows, op.getRows().getType()),
                      toIndex(b, capacity)});
    return success();
  }

  /// The tokens by descending `priority`, ties to the lower t, NaN after
  /// every number: a stable bottom-up merge sort of 0..T-1 (T log T steps).
  static Value priorityOrder(Builder &b, Value priority, Value tokens) {
    using P = arith::CmpIPredicate;
    auto empty = [&] {
      return tensor::EmptyOp::create(b, ArrayRef<int64_t>{kDyn},
                                     b.getIndexType(), ValueRange{tokens})
          .getResult();
    };
    Value order =
        loop(b, tokens, empty(), [&](Builder &b, Value t, ValueRange a) {
          return SmallVector<Value>{put(b, t, a[0], t)};
        })[0];
    Value last = arith::SubIOp::create(b, tokens, idx(b, 1));
    // Runs of `width` sorted tokens merge pairwise from `order` into
    // `merged`, which is then copied back (both stay in place, as one-shot
    // bufferization wants of loop-carried tensors); 63 doublings cover any T.
    SmallVector<Value> sorted = loop(
        b, 63, ValueRange{order, empty()},
        [&](Builder &b, Value pass, ValueRange a) {
          Value width = arith::ShLIOp::create(b, idx(b, 1), pass);
          return when(b, cmpi(b, P::ult, width, tokens), a, [&](Builder &b) {
            Value src = a[0], run = arith::MulIOp::create(b, width, idx(b, 2));
            Value runs = arith::CeilDivUIOp::create(b, tokens, run);
            Value merged =
                loop(b, runs, a[1], [&](Builder &b, Value r, ValueRange d) {
                  Value lo = arith::MulIOp::create(b, r, run);
                  Value mid = arith::MinUIOp::create(
                      b, arith::AddIOp::create(b, lo, width), tokens);
                  Value hi = arith::MinUIOp::create(
                      b, arith::AddIOp::create(b, lo, run), tokens);
                  return SmallVector<Value>{loop(
                      b, lo, hi, ValueRange{d[0], lo, mid},
                      [&](Builder &b, Value out,
                          ValueRange m) -> SmallVector<Value> {
                        Value i = m[1], j = m[2];
                        Value left = at(
                            b, src, Value(arith::MinUIOp::create(b, i, last)));
                        Value right = at(
                            b, src, Value(arith::MinUIOp::create(b, j, last)));
                        // Ahead: a higher priority, or a number against NaN.
                        Value pl = at(b, priority, left),
                              pr = at(b, priority, right);
                        Value rightAhead = arith::OrIOp::create(
                            b,
                            arith::CmpFOp::create(b, arith::CmpFPredicate::OGT,
                                                  pr, pl),
                            andi(b,
                                 arith::CmpFOp::create(
                                     b, arith::CmpFPredicate::UNO, pl, pl),
                                 arith::CmpFOp::create(
                                     b, arith::CmpFPredicate::ORD, pr, pr)));
                        Value takeRight =
                            andi(b, cmpi(b, P::ult, j, hi),
                                 arith::OrIOp::create(
                                     b, cmpi(b, P::uge, i, mid), rightAhead));
                        Value one = idx(b, 1), zero = idx(b, 0);
                        return {
                            put(b,
                                arith::SelectOp::create(b, takeRight, right,
                                                        left),
                                m[0], out),
                            arith::AddIOp::create(b, i,
                                                  arith::SelectOp::create(
                                                      b, takeRight, zero, one)),
                            arith::AddIOp::create(
                                b, j,
                                arith::SelectOp::create(b, takeRight, one,
                                                        zero))};
                      })[0]};
                })[0];
            Value copied = tensor::InsertSliceOp::create(
                b, merged, src, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
                ArrayRef<OpFoldResult>{tokens},
                ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
            return SmallVector<Value>{copied, merged};
          });
        });
    return sorted[0];
  }

  /// Tutel's capacity for T tokens: cf > 0, = 0 (dropless) or < 0
  /// (adaptive), rounded up to a multiple of `align`; an i32.
  static Value capacityValue(Builder &b, AssignOp op, Value tokens,
                             Value maxLoad, int64_t k, int64_t experts) {
    double cf = op.getCapacity().getFactor().convertToDouble();
    int64_t align = op.getCapacity().getAlign();
    Value c = maxLoad;
    if (cf != 0.0) {
      Value q = arith::CeilDivSIOp::create(b, toI32(b, tokens), i32(b, experts));
      Value qf = arith::SIToFPOp::create(b, b.getF64Type(), q);
      Value scaled = arith::MulFOp::create(
          b, arith::ConstantOp::create(b, b.getF64FloatAttr(std::fabs(cf))), qf);
      Value fixed = arith::MulIOp::create(
          b, i32(b, k), arith::FPToSIOp::create(b, b.getI32Type(), scaled));
      c = cf > 0 ? fixed : arith::MinSIOp::create(b, maxLoad, fixed).getResult();
    }
    if (align > 1)
      c = arith::MulIOp::create(
          b, arith::CeilDivSIOp::create(b, c, i32(b, align)), i32(b, align));
    return c;
  }
};

struct DispatchLowering : OpRewritePattern<DispatchOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DispatchOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value x = op.getX(), ids = op.getIds(), loc = op.getLocations(),
          offsets = op.getOffsets(), scale = op.getScale();
    auto xType = cast<RankedTensorType>(x.getType());
    Type elt = xType.getElementType();
    int64_t d = xType.getDimSize(1);
    int64_t k = cast<RankedTensorType>(ids.getType()).getDimSize(1);
    int64_t experts = cast<RankedTensorType>(offsets.getType()).getDimSize(0) - 1;
    Value tokens = dimOf(b, x, 0);
    // R = offsets[E]; a negative one (malformed offsets) is an empty buffer.
    Value rowCount = arith::MaxSIOp::create(
        b, toIndex(b, at(b, offsets, idx(b, experts))), idx(b, 0));
    Value zero = arith::ConstantOp::create(b, b.getFloatAttr(elt, 0.0));
    Value buf0 = filled(b, {kDyn, d}, rowCount, zero);
    Value buf = loop(b, tokens, buf0, [&](Builder &b, Value t, ValueRange a) {
      return loop(b, k, a[0], [&](Builder &b, Value s, ValueRange a) {
        Value row = slotRow(b, ids, loc, offsets, t, s, experts, rowCount);
        return when(b, cmpi(b, arith::CmpIPredicate::sge, row, i32(b, 0)), a[0],
                    [&](Builder &b) {
                      Value r = toIndex(b, row);
                      return loop(b, d, a[0], [&](Builder &b, Value j, ValueRange a) {
                        Value v = at(b, x, {t, j});
                        if (scale)
                          v = fromF32(b, arith::MulFOp::create(b, toF32(b, v),
                                                               at(b, scale, {t, s})),
                                      elt);
                        return SmallVector<Value>{put(b, v, a[0], {r, j})};
                      });
                    });
      });
    })[0];
    rw.replaceOp(op, castTo(b, buf, op.getType()));
    return success();
  }

public:
  /// Row of slot (t, s) = offsets[e] + loc[t, s], or -1 when the slot is
  /// dropped or its expert or row is out of range.
  static Value slotRow(Builder &b, Value ids, Value loc, Value offsets,
                       Value t, Value s, int64_t experts, Value rowCount) {
    Value e = at(b, ids, {t, s}), l = at(b, loc, {t, s});
    Value ok = andi(b, inRange(b, e, i32(b, experts)),
                    cmpi(b, arith::CmpIPredicate::sge, l, i32(b, 0)));
    return when(b, ok, ValueRange{i32(b, -1)}, [&](Builder &b) {
      Value row = arith::AddIOp::create(b, at(b, offsets, toIndex(b, e)), l);
      Value valid = inRange(b, row, toI32(b, rowCount));
      return SmallVector<Value>{arith::SelectOp::create(b, valid, row, i32(b, -1))};
    })[0];
  }
};

struct GroupedMatmulLowering : OpRewritePattern<GroupedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupedMatmulOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value input = op.getInput(), weights = op.getWeights(),
          offsets = op.getOffsets(), counts = op.getCounts(),
          bias = op.getBias(), rowScale = op.getRowScale(),
          gather = op.getGather(), scatter = op.getScatter();
    auto wType = cast<RankedTensorType>(weights.getType());
    int64_t experts = wType.getDimSize(0), n = wType.getDimSize(1),
            kDim = wType.getDimSize(2);
    Activation act = op.getEpilogue();
    bool gated = act == Activation::Swiglu || act == Activation::Geglu;
    int64_t outCols = gated ? n / 2 : n;
    Type elt = getElementTypeOrSelf(input);
    Value rowCount = dimOf(b, op.getRowMapSource(), 0);
    Value zero = arith::ConstantOp::create(b, b.getFloatAttr(elt, 0.0));
    Value out0 = scatter ? castTo(b, op.getInit(),
                                  RankedTensorType::get({kDyn, outCols}, elt))
                         : filled(b, {kDyn, outCols}, rowCount, zero);

    auto dot = [&](Builder &b, Value e, Value r, Value col) {
      Value acc = loop(b, kDim, f32(b, 0.0), [&](Builder &b, Value i, ValueRange a) {
        Value p = arith::MulFOp::create(b, toF32(b, at(b, input, {r, i})),
                                        toF32(b, at(b, weights, {e, col, i})));
        return SmallVector<Value>{arith::AddFOp::create(b, a[0], p)};
      })[0];
      if (bias)
        acc = arith::AddFOp::create(b, acc, toF32(b, at(b, bias, {e, col})));
      return acc;
    };
    // map[r] as an index, or -1 when it is outside [0, size of `target`).
    auto mapped = [&](Builder &b, Value map, Value r, Value target) {
      Value v = at(b, map, r);
      Value ok = inRange(b, v, toI32(b, dimOf(b, target, 0)));
      return toIndex(b, arith::SelectOp::create(b, ok, v, i32(b, -1)));
    };

    Value out = loop(b, experts, out0, [&](Builder &b, Value e, ValueRange a) {
      // Rows [offsets[e], offsets[e] + counts[e]), clamped to the rows.
      Value start = toIndex(b, at(b, offsets, e));
      Value end = arith::AddIOp::create(b, start, toIndex(b, at(b, counts, e)));
      Value lb = arith::MaxSIOp::create(b, start, idx(b, 0));
      Value ub = arith::MinSIOp::create(b, end, rowCount);
      return loop(b, lb, ub, a[0], [&](Builder &b, Value r, ValueRange a) {
        Value src = gather ? mapped(b, gather, r, input) : r;
        Value dst = scatter ? mapped(b, scatter, r, op.getInit()) : r;
        Value valid =
            andi(b, cmpi(b, arith::CmpIPredicate::sge, src, idx(b, 0)),
                 cmpi(b, arith::CmpIPredicate::sge, dst, idx(b, 0)));
        return when(b, valid, a[0], [&](Builder &b) {
          return loop(b, outCols, a[0], [&](Builder &b, Value c, ValueRange a) {
            Value y = dot(b, e, src, c);
            if (gated) {
              Value up =
                  dot(b, e, src, arith::AddIOp::create(b, c, idx(b, outCols)));
              y = arith::MulFOp::create(
                  b, buildActivation(b, b.getLoc(), act, y), up);
            } else {
              y = buildActivation(b, b.getLoc(), act, y);
            }
            if (rowScale)
              y = arith::MulFOp::create(b, y, at(b, rowScale, r));
            if (scatter)
              y = arith::AddFOp::create(b, toF32(b, at(b, a[0], {dst, c})), y);
            return SmallVector<Value>{
                put(b, fromF32(b, y, elt), a[0], {dst, c})};
          });
        });
      });
    })[0];
    rw.replaceOp(op, castTo(b, out, op.getType()));
    return success();
  }
};

struct CombineLowering : OpRewritePattern<CombineOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CombineOp op, PatternRewriter &rw) const override {
    Builder b(op.getLoc(), rw);
    Value rows = op.getRows(), ids = op.getIds(), loc = op.getLocations(),
          offsets = op.getOffsets(), weights = op.getWeights(),
          init = op.getInit();
    auto rowsType = cast<RankedTensorType>(rows.getType());
    Type elt = rowsType.getElementType();
    int64_t d = rowsType.getDimSize(1);
    int64_t k = cast<RankedTensorType>(ids.getType()).getDimSize(1);
    int64_t experts = cast<RankedTensorType>(offsets.getType()).getDimSize(0) - 1;
    Value tokens = dimOf(b, ids, 0), rowCount = dimOf(b, rows, 0);
    Value out0 = init ? castTo(b, init, RankedTensorType::get({kDyn, d}, elt))
                      : filled(b, {kDyn, d}, tokens,
                               arith::ConstantOp::create(b, b.getFloatAttr(elt, 0.0)));
    Value out = loop(b, tokens, out0, [&](Builder &b, Value t, ValueRange a) {
      return loop(b, k, a[0], [&](Builder &b, Value s, ValueRange a) {
        Value row = DispatchLowering::slotRow(b, ids, loc, offsets, t, s,
                                              experts, rowCount);
        return when(b, cmpi(b, arith::CmpIPredicate::sge, row, i32(b, 0)), a[0],
                    [&](Builder &b) {
                      Value r = toIndex(b, row);
                      Value w = weights ? at(b, weights, {t, s}) : f32(b, 1.0);
                      return loop(b, d, a[0], [&](Builder &b, Value j, ValueRange a) {
                        Value y = arith::MulFOp::create(b, w, toF32(b, at(b, rows, {r, j})));
                        Value sum = arith::AddFOp::create(b, toF32(b, at(b, a[0], {t, j})), y);
                        return SmallVector<Value>{put(b, fromF32(b, sum, elt), a[0], {t, j})};
                      });
                    });
      });
    })[0];
    rw.replaceOp(op, castTo(b, out, op.getType()));
    return success();
  }
};

struct ConvertMoEToLoopsPass
    : loom::impl::ConvertMoEToLoopsBase<ConvertMoEToLoopsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<MoEDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    populateDecomposeLayerPatterns(patterns);
    patterns.add<GateLowering, TopKLowering, AuxLossLowering, AssignLowering,
                 DispatchLowering, GroupedMatmulLowering, CombineLowering>(ctx);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

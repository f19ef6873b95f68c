//===- RoutingKernels.cpp - The moe routing and row-move GPU kernels ------===//

#include "RoutingKernels.h"

#include "loom/Conversion/BlockKernel.h"
#include "loom/Conversion/KernelOps.h"
#include "loom/Dialect/MoE/Transforms/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;
using namespace mlir::loom::gpu_kernels;

namespace {

using P = arith::CmpIPredicate;

/// Threads per block of the routing and row-move kernels.
constexpr int64_t kThreads = 128;

/// `v` (f32) rounded to `element` and back: a narrow result is rounded
/// after every slot's addition, as the host lowering stores it.
Value roundedTo(ImplicitLocOpBuilder &b, Value v, Type element) {
  if (element.isF32())
    return v;
  Value narrow = arith::TruncFOp::create(b, element, v);
  return arith::ExtFOp::create(b, b.getF32Type(), narrow);
}

/// Element j of a thread's strided sweep of [0, n): thread, thread +
/// kThreads, ...
void eachStrided(ImplicitLocOpBuilder &b, Value thread, Value n,
                 function_ref<void(Value)> body) {
  each(b, thread, n, kThreads, body);
}

/// The first index (i32) of the largest of array[0, n): a strict > keeps
/// ties at the lower index, as the host lowering's argmax.
Value firstIndexOfMax(ImplicitLocOpBuilder &b, Value array, int64_t n) {
  SmallVector<Value> best = forLoop(
      b, idx(b, 0), idx(b, n), 1,
      ValueRange{f32(b, -std::numeric_limits<float>::infinity()), i32(b, -1)},
      [&](ImplicitLocOpBuilder &b, Value i,
          ValueRange acc) -> SmallVector<Value> {
        Value v = load(b, array, i);
        Value take = arith::OrIOp::create(
            b, arith::CmpIOp::create(b, P::eq, acc[1], i32(b, -1)),
            arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, v, acc[0]));
        Value id = arith::IndexCastOp::create(b, b.getI32Type(), i);
        return {arith::SelectOp::create(b, take, v, acc[0]),
                arith::SelectOp::create(b, take, id, acc[1])};
      });
  return best[1];
}

/// Sets the selection scores of the experts outside the `groupTopk` best
/// groups to -inf, as the host lowering's limitToBestGroups: groups scored,
/// then `groupTopk` rounds of first index of the max, each marking its
/// group kept and taking it out of the running.
void limitToBestGroups(ImplicitLocOpBuilder &b, const RouteKernel &kernel,
                       Value selection, Value groupScores, Value kept,
                       Value negInf) {
  int64_t perGroup = kernel.experts / kernel.groups;
  Value c0 = idx(b, 0), groups = idx(b, kernel.groups);
  each(b, c0, groups, 1, [&](Value g) {
    Value base = arith::MulIOp::create(b, g, idx(b, perGroup));
    SmallVector<Value> best = forLoop(
        b, c0, idx(b, perGroup), 1, ValueRange{negInf, negInf},
        [&](ImplicitLocOpBuilder &b, Value i,
            ValueRange m) -> SmallVector<Value> {
          Value v =
              load(b, selection, arith::AddIOp::create(b, base, i).getResult());
          auto above = [&](Value x) -> Value {
            return arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, v, x);
          };
          Value above1 = above(m[0]), above2 = above(m[1]);
          return {arith::SelectOp::create(b, above1, v, m[0]),
                  arith::SelectOp::create(
                      b, above1, m[0],
                      arith::SelectOp::create(b, above2, v, m[1]))};
        });
    Value score = kernel.top2Sum
                      ? Value(arith::AddFOp::create(b, best[0], best[1]))
                      : best[0];
    store(b, score, groupScores, g);
    store(b, i32(b, 0), kept, g);
  });
  each(b, c0, idx(b, kernel.groupTopk), 1, [&](Value) {
    Value g = asIndex(b, firstIndexOfMax(b, groupScores, kernel.groups));
    store(b, i32(b, 1), kept, g);
    store(b, negInf, groupScores, g);
  });
  each(b, c0, idx(b, kernel.experts), 1, [&](Value e) {
    Value g = arith::DivUIOp::create(b, e, idx(b, perGroup));
    Value in = arith::CmpIOp::create(b, P::ne, load(b, kept, g), i32(b, 0));
    store(b, arith::SelectOp::create(b, in, load(b, selection, e), negInf),
          selection, e);
  });
}

/// The first thread's part of the routing kernel for token `t`: the
/// logits (each expert's partial sums in part order), the scores, k rounds
/// of first-index-of-max over the selection scores (ties to the lower id)
/// and the slots' weights, as the host lowering computes them; in the
/// workgroup arrays, then written out once.
void selectExperts(ImplicitLocOpBuilder &b, const RouteKernel &kernel, Value t,
                   Value partial, Value scores, Value selection,
                   Value slotWeights, Value groupScores, Value kept,
                   int64_t parts) {
  Value c0 = idx(b, 0), nE = idx(b, kernel.experts), slots = idx(b, kernel.k);
  Value negInf = f32(b, -std::numeric_limits<float>::infinity());
  auto overExperts = [&](function_ref<void(Value)> body) {
    each(b, c0, nE, 1, body);
  };
  auto sumOver = [&](Value n, function_ref<Value(Value)> term) {
    return forLoop(b, c0, n, 1, f32(b, 0.0),
                   [&](ImplicitLocOpBuilder &b, Value i,
                       ValueRange acc) -> SmallVector<Value> {
                     return {arith::AddFOp::create(b, acc[0], term(i))};
                   })[0];
  };
  overExperts([&](Value e) {
    Value base = arith::MulIOp::create(b, e, idx(b, parts));
    store(b,
          sumOver(idx(b, parts),
                  [&](Value q) {
                    return load(b, partial,
                                arith::AddIOp::create(b, base, q).getResult());
                  }),
          scores, e);
  });
  if (kernel.softmax) {
    Value max = forLoop(
        b, c0, nE, 1, negInf,
        [&](ImplicitLocOpBuilder &b, Value e,
            ValueRange acc) -> SmallVector<Value> {
          return {arith::MaximumFOp::create(b, acc[0], load(b, scores, e))};
        })[0];
    Value sum = sumOver(nE, [&](Value e) {
      Value v = math::ExpOp::create(
          b, arith::SubFOp::create(b, load(b, scores, e), max));
      store(b, v, scores, e);
      return v;
    });
    overExperts([&](Value e) {
      store(b, arith::DivFOp::create(b, load(b, scores, e), sum), scores, e);
    });
  } else {
    overExperts([&](Value e) {
      Value z =
          math::ExpOp::create(b, arith::NegFOp::create(b, load(b, scores, e)));
      Value one = f32(b, 1.0);
      store(b, arith::DivFOp::create(b, one, arith::AddFOp::create(b, one, z)),
            scores, e);
    });
  }
  overExperts([&](Value e) {
    Value v = load(b, scores, e);
    store(b, v, kernel.scores, {t, e});
    if (kernel.selectBias)
      v = arith::AddFOp::create(b, v, load(b, kernel.selectBias, e));
    store(b, v, selection, e);
  });
  if (kernel.groups > 1)
    limitToBestGroups(b, kernel, selection, groupScores, kept, negInf);
  each(b, c0, slots, 1, [&](Value s) {
    Value id = firstIndexOfMax(b, selection, kernel.experts);
    Value e = asIndex(b, id);
    store(b, id, kernel.ids, {t, s});
    store(b, load(b, scores, e), slotWeights, s);
    store(b, negInf, selection, e);
  });
  Value denom;
  if (kernel.renormalize)
    denom = arith::MaximumFOp::create(
        b, sumOver(slots, [&](Value s) { return load(b, slotWeights, s); }),
        f32(b, 0x1p-23));
  each(b, c0, slots, 1, [&](Value s) {
    Value w = load(b, slotWeights, s);
    if (denom)
      w = arith::DivFOp::create(b, w, denom);
    if (kernel.scale != 1.0)
      w = arith::MulFOp::create(b, w, f32(b, kernel.scale));
    store(b, w, kernel.weights, {t, s});
  });
}

} // namespace

void mlir::loom::moe::emitRouteKernel(ImplicitLocOpBuilder &b,
                                      const RouteKernel &kernel,
                                      bool interpret) {
  int64_t experts = kernel.experts;
  // Parts of d per expert, so that small E still fills the block.
  int64_t parts = std::clamp<int64_t>(kThreads / experts, 1, kernel.d);
  int64_t pairs = experts * parts;
  Type f32Type = b.getF32Type();
  // Workgroup arrays: the partial dot products, the scores, the selection
  // scores, the slots' weights, and the group scores and kept groups. The
  // results are only written, once: the device copies need not bring them in
  // first.
  BlockKernelSpec spec{dim(b, kernel.x, 0),
                       idx(b, 1),
                       idx(b, 1),
                       kThreads,
                       {{f32Type, pairs},
                        {f32Type, experts},
                        {f32Type, experts},
                        {f32Type, kernel.k},
                        {f32Type, kernel.groups},
                        {b.getI32Type(), kernel.groups}},
                       {},
                       interpret};
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    Value t = block.blockX(), partial = block.shared(0),
          scores = block.shared(1), selection = block.shared(2),
          slotWeights = block.shared(3);
    Value d = idx(b, kernel.d);
    block.phase([&](Value thread) {
      eachStrided(b, thread, idx(b, pairs), [&](Value p) {
        Value e = arith::DivUIOp::create(b, p, idx(b, parts));
        Value q = arith::RemUIOp::create(b, p, idx(b, parts));
        Value base = arith::MulIOp::create(b, e, d);
        Value sum =
            forLoop(b, q, d, parts, f32(b, 0.0),
                    [&](ImplicitLocOpBuilder &b, Value j,
                        ValueRange acc) -> SmallVector<Value> {
                      Value product = arith::MulFOp::create(
                          b, load(b, kernel.x, {t, j}),
                          load(b, kernel.router,
                               arith::AddIOp::create(b, base, j).getResult()));
                      return {arith::AddFOp::create(b, acc[0], product)};
                    })[0];
        store(b, sum, partial, p);
      });
    });
    block.phase(
        [&](Value thread) {
          Value first = arith::CmpIOp::create(b, P::eq, thread, idx(b, 0));
          when(b, first, [&] {
            selectExperts(b, kernel, t, partial, scores, selection, slotWeights,
                          block.shared(4), block.shared(5), parts);
          });
        },
        /*barrier=*/false);
  });
}

void mlir::loom::moe::emitDispatchKernel(ImplicitLocOpBuilder &b,
                                         const DispatchKernel &kernel,
                                         bool interpret) {
  BlockKernelSpec spec{
      dim(b, kernel.out, 0), idx(b, 1), idx(b, 1), kThreads, {}, {}, interpret};
  Value tokens = dim(b, kernel.x, 0), d = dim(b, kernel.x, 1);
  Value slots = i32(b, kernel.k);
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    Value r = block.blockX();
    block.phase(
        [&](Value thread) {
          Value m = load(b, kernel.rows, r);
          Value t = arith::DivSIOp::create(b, m, slots);
          Value valid = arith::AndIOp::create(
              b, arith::CmpIOp::create(b, P::sge, m, i32(b, 0)),
              inRange(b, t, tokens));
          eachStrided(b, thread, d, [&](Value c) {
            Value v = select(b, valid, f32(b, 0.0), [&] {
              Value ti = asIndex(b, t);
              Value x = load(b, kernel.x, {ti, c});
              if (!kernel.weights)
                return x;
              Value s = asIndex(b, arith::RemSIOp::create(b, m, slots));
              return Value(arith::MulFOp::create(
                  b, x, load(b, kernel.weights, {ti, s})));
            });
            store(b, v, kernel.out, {r, c});
          });
        },
        /*barrier=*/false);
  });
}

void mlir::loom::moe::emitCombineKernel(ImplicitLocOpBuilder &b,
                                        const CombineKernel &kernel,
                                        bool interpret) {
  BlockKernelSpec spec{
      dim(b, kernel.out, 0), idx(b, 1), idx(b, 1), kThreads, {}, {}, interpret};
  Value d = dim(b, kernel.out, 1), rowCount = dim(b, kernel.rows, 0);
  Value experts = idx(b, kernel.experts);
  int64_t k = cast<MemRefType>(kernel.ids.getType()).getDimSize(1);
  Type element = cast<MemRefType>(kernel.out.getType()).getElementType();
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    Value t = block.blockX();
    block.phase(
        [&](Value thread) {
          eachStrided(b, thread, d, [&](Value c) {
            Value init =
                kernel.init ? load(b, kernel.init, {t, c}) : f32(b, 0.0);
            Value sum = forLoop(
                b, idx(b, 0), idx(b, k), 1, init,
                [&](ImplicitLocOpBuilder &b, Value s,
                    ValueRange acc) -> SmallVector<Value> {
                  Value e = load(b, kernel.ids, {t, s});
                  Value l = load(b, kernel.locations, {t, s});
                  Value kept = arith::AndIOp::create(
                      b, inRange(b, e, experts),
                      arith::CmpIOp::create(b, P::sge, l, i32(b, 0)));
                  Value row = select(b, kept, i32(b, -1), [&] {
                    return Value(arith::AddIOp::create(
                        b, load(b, kernel.offsets, asIndex(b, e)), l));
                  });
                  Value inside = inRange(b, row, rowCount);
                  return {select(b, inside, acc[0], [&] {
                    Value w = kernel.weights ? load(b, kernel.weights, {t, s})
                                             : f32(b, 1.0);
                    Value y = arith::MulFOp::create(
                        b, w, load(b, kernel.rows, {asIndex(b, row), c}));
                    return roundedTo(b, arith::AddFOp::create(b, acc[0], y),
                                     element);
                  })};
                })[0];
            store(b, sum, kernel.out, {t, c});
          });
        },
        /*barrier=*/false);
  });
}

void mlir::loom::moe::emitScatterKernel(ImplicitLocOpBuilder &b,
                                        const ScatterKernel &kernel,
                                        bool interpret) {
  Value tokens = dim(b, kernel.out, 0), rowCount = dim(b, kernel.rows, 0);
  BlockKernel::emitPerElement(
      b, dim(b, kernel.out, 1), kThreads, interpret, [&](Value c) {
        each(b, idx(b, 0), tokens, 1, [&](Value t) {
          store(b, kernel.init ? load(b, kernel.init, {t, c}) : f32(b, 0.0),
                kernel.sums, {t, c});
        });
        each(b, idx(b, 0), rowCount, 1, [&](Value r) {
          Value target = load(b, kernel.targets, r);
          when(b, inRange(b, target, tokens), [&] {
            Value t = asIndex(b, target);
            store(b,
                  arith::AddFOp::create(b, load(b, kernel.sums, {t, c}),
                                        load(b, kernel.rows, {r, c})),
                  kernel.sums, {t, c});
          });
        });
        each(b, idx(b, 0), tokens, 1, [&](Value t) {
          store(b, load(b, kernel.sums, {t, c}), kernel.out, {t, c});
        });
      });
}

void mlir::loom::moe::emitAssignKernel(ImplicitLocOpBuilder &b,
                                       const AssignKernel &kernel,
                                       bool interpret) {
  Type i32Type = b.getI32Type();
  Value tokens = dim(b, kernel.ids, 0), experts = idx(b, kernel.experts);
  int64_t k = cast<MemRefType>(kernel.ids.getType()).getDimSize(1);
  Value slots = dim(b, kernel.rows, 0);
  // Slots staged per chunk; each expert's thread then reads them all from
  // workgroup memory (one broadcast per slot).
  constexpr int64_t kChunk = 4 * kThreads;
  BlockKernelSpec spec{idx(b, 1),
                       idx(b, 1),
                       idx(b, 1),
                       kThreads,
                       {{i32Type, kChunk}, {i32Type, kernel.experts}},
                       {},
                       interpret};
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    Value chunk = block.shared(0), running = block.shared(1);
    // Rows past offsets[E] (only if an id were out of range) stay padding.
    block.phase([&](Value thread) {
      eachStrided(b, thread, experts,
                  [&](Value e) { store(b, i32(b, 0), running, e); });
      eachStrided(b, thread, slots,
                  [&](Value r) { store(b, i32(b, -1), kernel.rows, r); });
    });
    // Slot-major order, as Tutel numbers locations: all tokens' first
    // slots, then their second ones, ...
    each(b, idx(b, 0), slots, kChunk, [&](Value first) {
      Value n = arith::MinUIOp::create(
          b, arith::SubIOp::create(b, slots, first), idx(b, kChunk));
      // (t, s) of the chunk's slot j.
      auto slotAt = [&](ImplicitLocOpBuilder &b,
                        Value j) -> SmallVector<Value, 2> {
        Value i = arith::AddIOp::create(b, first, j);
        return {arith::RemUIOp::create(b, i, tokens),
                arith::DivUIOp::create(b, i, tokens)};
      };
      block.phase([&](Value thread) {
        eachStrided(b, thread, n, [&](Value j) {
          SmallVector<Value, 2> slot = slotAt(b, j);
          Value e = load(b, kernel.ids, slot);
          store(b, e, chunk, j);
          // An id out of range (never one of topk's) drops its slot.
          when(b,
               arith::XOrIOp::create(b, inRange(b, e, experts),
                                     arith::ConstantIntOp::create(b, 1, 1)),
               [&] { store(b, i32(b, -1), kernel.locations, slot); });
        });
      });
      block.phase([&](Value thread) {
        eachStrided(b, thread, experts, [&](Value e) {
          Value id = arith::IndexCastOp::create(b, i32Type, e);
          Value count = forLoop(
              b, idx(b, 0), n, 1, load(b, running, e),
              [&](ImplicitLocOpBuilder &b, Value j,
                  ValueRange acc) -> SmallVector<Value> {
                Value mine =
                    arith::CmpIOp::create(b, P::eq, load(b, chunk, j), id);
                when(b, mine,
                     [&] { store(b, acc[0], kernel.locations, slotAt(b, j)); });
                return {arith::AddIOp::create(
                    b, acc[0], arith::ExtUIOp::create(b, i32Type, mine))};
              })[0];
          store(b, count, running, e);
        });
      });
    });
    // Nothing is dropped: each expert's count is its load.
    block.phase([&](Value thread) {
      when(b, arith::CmpIOp::create(b, P::eq, thread, idx(b, 0)), [&] {
        Value end = forLoop(b, idx(b, 0), experts, 1, i32(b, 0),
                            [&](ImplicitLocOpBuilder &b, Value e,
                                ValueRange acc) -> SmallVector<Value> {
                              Value count = load(b, running, e);
                              store(b, acc[0], kernel.offsets, e);
                              store(b, count, kernel.counts, e);
                              return {arith::AddIOp::create(b, acc[0], count)};
                            })[0];
        store(b, end, kernel.offsets, experts);
      });
    });
    block.phase(
        [&](Value thread) {
          eachStrided(b, thread, slots, [&](Value i) {
            Value t = arith::DivUIOp::create(b, i, idx(b, k));
            Value s = arith::RemUIOp::create(b, i, idx(b, k));
            Value location = load(b, kernel.locations, {t, s});
            when(b, arith::CmpIOp::create(b, P::sge, location, i32(b, 0)), [&] {
              Value e = asIndex(b, load(b, kernel.ids, {t, s}));
              Value row = arith::AddIOp::create(b, load(b, kernel.offsets, e),
                                                location);
              store(b, arith::IndexCastOp::create(b, i32Type, i), kernel.rows,
                    asIndex(b, row));
            });
          });
        },
        /*barrier=*/false);
  });
}

void mlir::loom::moe::emitAuxLossKernel(ImplicitLocOpBuilder &b,
                                        const AuxLossKernel &kernel,
                                        bool interpret) {
  Type f64 = b.getF64Type();
  Value tokens = dim(b, kernel.scores, 0), experts = idx(b, kernel.experts);
  BlockKernelSpec spec{
      idx(b, 1), idx(b, 1), idx(b, 1), kThreads, {{f64, kernel.experts}},
      {},        interpret};
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    Value terms = block.shared(0);
    Value zero = arith::ConstantOp::create(b, b.getF64FloatAttr(0.0));
    block.phase([&](Value thread) {
      eachStrided(b, thread, experts, [&](Value e) {
        Value id = arith::IndexCastOp::create(b, b.getI32Type(), e);
        SmallVector<Value> sums = forLoop(
            b, idx(b, 0), tokens, 1, ValueRange{zero, zero},
            [&](ImplicitLocOpBuilder &b, Value t,
                ValueRange acc) -> SmallVector<Value> {
              Value p =
                  arith::ExtFOp::create(b, f64, load(b, kernel.scores, {t, e}));
              Value first = arith::CmpIOp::create(
                  b, P::eq, load(b, kernel.ids, {t, idx(b, 0)}), id);
              return {arith::AddFOp::create(b, acc[0], p),
                      arith::AddFOp::create(
                          b, acc[1], arith::UIToFPOp::create(b, f64, first))};
            });
        store(b, arith::MulFOp::create(b, sums[0], sums[1]), terms, e);
      });
    });
    block.phase(
        [&](Value thread) {
          when(b, arith::CmpIOp::create(b, P::eq, thread, idx(b, 0)), [&] {
            Value total = forLoop(
                b, idx(b, 0), experts, 1, zero,
                [&](ImplicitLocOpBuilder &b, Value e,
                    ValueRange acc) -> SmallVector<Value> {
                  return {arith::AddFOp::create(b, acc[0], load(b, terms, e))};
                })[0];
            Value t = arith::UIToFPOp::create(
                b, f64, arith::IndexCastOp::create(b, b.getI32Type(), tokens));
            Value loss = arith::DivFOp::create(
                b,
                arith::MulFOp::create(b,
                                      arith::ConstantOp::create(
                                          b, b.getF64FloatAttr(kernel.experts)),
                                      total),
                arith::MulFOp::create(b, t, t));
            Value empty = arith::CmpIOp::create(b, P::eq, tokens, idx(b, 0));
            loss = arith::SelectOp::create(b, empty, zero, loss);
            store(b, arith::TruncFOp::create(b, b.getF32Type(), loss),
                  kernel.loss, {});
          });
        },
        /*barrier=*/false);
  });
}

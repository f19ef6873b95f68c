//===- Builders.h - IR the moe lowerings build alike ------------*- C++ -*-===//
#ifndef LOOM_DIALECT_MOE_TRANSFORMS_BUILDERS_H
#define LOOM_DIALECT_MOE_TRANSFORMS_BUILDERS_H

#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::moe {

/// act(z) for an f32 scalar or a vector of f32, from arith and math ops:
/// the reference lowering and the vector kernels evaluate the same formula.
/// Gated kinds give the activation of their gate half (silu for swiglu,
/// gelu for geglu); the caller multiplies by the up half.
Value buildActivation(OpBuilder &b, Location loc, Activation act, Value z);

/// A reduction of `input` [T, n] over n to f32 [T] (linalg), from `init`
/// with `combine(acc, element)`; with `other` [n], of input[t, j] *
/// other[j].
Value buildRowReduction(
    ImplicitLocOpBuilder &b, Value input, double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
    Value other = Value());

/// 1 / (1 + exp(-v)) for every element of the f32 tensor `v` (linalg).
Value buildElementwiseSigmoid(ImplicitLocOpBuilder &b, Value v);

/// a + c elementwise for tensors of one type (linalg).
Value buildElementwiseAdd(ImplicitLocOpBuilder &b, Value a, Value c);

/// moe.grouped_matmul of every row of `x` [T, K] by `weight` [N, K] (plus
/// the optional `bias` [N]) as one expert: a dense layer in the form the
/// expert kernels take, with `tile` as their register tile if given.
Value buildAllRowsMatmul(ImplicitLocOpBuilder &b, Value x, Value weight,
                         RankedTensorType resultType, Value rowScale,
                         Activation act, Value bias = Value(),
                         TileAttr tile = {});

/// The FFN epilogue of one expert's first GEMM output z [n, H]: times
/// `rowScale` [n] (pre-score weights) if given, plus `bias` [H] if given,
/// then the activation: act(gate half) * up half for gated kinds (H = 2h,
/// gate columns first), act(z) otherwise. Returns [n, h] (linalg).
Value buildExpertEpilogue(ImplicitLocOpBuilder &b, Value z, Value rowScale,
                          Value bias, FfnAttr ffn);

/// Over moe.assign's row map `rows` [R] (t * k + s, -1 for padding): the
/// token of each row (-1 for padding), and its slot's weight
/// weights[t, s] of `weights` [T, k] (0 for padding).
Value buildRowTokens(ImplicitLocOpBuilder &b, Value rows, int64_t k);
Value buildRowWeights(ImplicitLocOpBuilder &b, Value rows, Value weights,
                      int64_t k);

/// The router's score function (moe.md §1.1) on f32 logits [T, E]: a
/// max-subtracted softmax over E, or an elementwise sigmoid (linalg).
Value buildRouterScores(ImplicitLocOpBuilder &b, Value logits, Scoring scoring);

/// An index constant.
Value idx(ImplicitLocOpBuilder &b, int64_t v);

/// `v` (a float scalar or vector) widened to f32; f32 stays as it is.
Value toF32(ImplicitLocOpBuilder &b, Value v);

/// scf.for iv = lb to ub step `step` with `inits`; `body` returns the values
/// to yield. Returns the loop's results.
SmallVector<Value> forLoop(
    ImplicitLocOpBuilder &b, Value lb, Value ub, int64_t step, ValueRange inits,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value, ValueRange)>
        body);

} // namespace mlir::loom::moe

#endif // LOOM_DIALECT_MOE_TRANSFORMS_BUILDERS_H

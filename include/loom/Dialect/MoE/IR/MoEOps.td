#ifndef LOOM_DIALECT_MOE_IR_MOEOPS_TD
#define LOOM_DIALECT_MOE_IR_MOEOPS_TD

include "loom/Dialect/MoE/IR/MoEAttrs.td"
include "loom/Dialect/MoE/IR/MoETypeInterfaces.td"
include "loom/CostModel/TunableOpInterface.td"
include "loom/CostModel/WorkEstimateOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def MoE_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def MoE_F32Tensor : RankedTensorOf<[F32]>;
def MoE_I32Tensor : RankedTensorOf<[I32]>;
def MoE_ExpertWeights : Type<
    CPred<"::llvm::isa<::mlir::loom::moe::ExpertWeightsType>($_self)">,
    "expert weights (a float tensor or a !lut.stacked weight)">;

def MoE_GateOp : MoE_Op<"gate", [Pure]> {
  let summary = "router logits and scores";
  let description = [{
    scores[t, e] = score(sum_j x[t, j] * router[e, j]) in f32, where score
    is a max-subtracted softmax over e or an elementwise sigmoid.

    ```mlir
    %p = moe.gate %x, %wr {scoring = #moe.scoring<softmax>}
           : tensor<?x1024xf32>, tensor<8x1024xf32> -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins MoE_FloatTensor:$x, MoE_FloatTensor:$router,
                       DefaultValuedAttr<MoE_ScoringAttr,
                         "::mlir::loom::moe::Scoring::Softmax">:$scoring);
  let results = (outs MoE_F32Tensor:$scores);
  let assemblyFormat = [{
    $x `,` $router attr-dict `:` type($x) `,` type($router) `->` type($scores)
  }];
  let hasVerifier = 1;
}

def MoE_TopKOp : MoE_Op<"topk", [Pure]> {
  let summary = "select k experts per token and their weights";
  let description = [{
    ids[t, 0..k) are the k largest selection scores S = scores + select_bias
    in descending order, ties to the lower expert id. With `groups` > 1,
    only the experts of the `group_topk` best groups (scored by their max,
    or the sum of their two best, `top2_sum`) compete. weights[t, s] is the
    unbiased score of the chosen expert, renormalized over the k slots when
    `renormalize` is set (the sum clamped below by 2^-23), times `scale`.

    ```mlir
    %ids, %w = moe.topk %p {k = 2 : i64, renormalize}
                 : tensor<?x8xf32> -> tensor<?x2xi32>, tensor<?x2xf32>
    ```
  }];
  let arguments = (ins MoE_F32Tensor:$scores,
                       Optional<MoE_F32Tensor>:$select_bias,
                       I64Attr:$k, UnitAttr:$renormalize,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       DefaultValuedAttr<I64Attr, "1">:$group_topk,
                       DefaultValuedAttr<MoE_GroupScoreAttr,
                         "::mlir::loom::moe::GroupScore::Max">:$group_score);
  let results = (outs MoE_I32Tensor:$ids, MoE_F32Tensor:$weights);
  let assemblyFormat = [{
    $scores (`select_bias` $select_bias^)? attr-dict `:` type($scores)
    (`,` type($select_bias)^)? `->` type($ids) `,` type($weights)
  }];
  let hasVerifier = 1;
}

def MoE_AuxLossOp : MoE_Op<"aux_loss", [Pure]> {
  let summary = "GShard load-balancing loss";
  let description = [{
    l = E / T^2 * sum_e (sum_t scores[t, e]) * #{t : ids[t, 0] = e}, and 0
    when T = 0.

    ```mlir
    %l = moe.aux_loss %p, %ids : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
    ```
  }];
  let arguments = (ins MoE_F32Tensor:$scores, MoE_I32Tensor:$ids);
  let results = (outs 0DTensorOf<[F32]>:$loss);
  let assemblyFormat = [{
    $scores `,` $ids attr-dict `:` type($scores) `,` type($ids) `->` type($loss)
  }];
  let hasVerifier = 1;
}

def MoE_AssignOp : MoE_Op<"assign", [Pure]> {
  let summary = "capacity, slot-major locations and the row layout";
  let description = [{
    Tutel's rule, exactly: loc[t, s] counts the earlier slots' tokens of the
    same expert, then this slot's tokens before t in token order (ascending
    t, or descending `priority` with ties to the lower t and NaN after every
    number when a priority is given: batch-prioritized routing). The capacity C follows
    `#moe.capacity`; a slot is kept iff loc < C, else loc = -1. Results:
    loc [T, k], kept counts [E], row offsets [E+1] of the `#moe.layout`,
    the row map [R] (row -> t*k + s, -1 for padding) and C. Expert ids
    outside [0, E) are dropped.

    ```mlir
    %loc, %cnt, %off, %rows, %c = moe.assign %ids {num_experts = 8 : i64,
        capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>}
        : (tensor<?x2xi32>) -> (tensor<?x2xi32>, tensor<8xi32>, tensor<9xi32>, tensor<?xi32>, index)
    ```
  }];
  let arguments = (ins MoE_I32Tensor:$ids, Optional<MoE_F32Tensor>:$priority,
                       I64Attr:$num_experts, MoE_CapacityAttr:$capacity,
                       MoE_LayoutAttr:$layout);
  let results = (outs MoE_I32Tensor:$locations, MoE_I32Tensor:$counts,
                      MoE_I32Tensor:$offsets, MoE_I32Tensor:$rows,
                      Index:$capacity_value);
  let assemblyFormat = [{
    $ids (`priority` $priority^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MoE_DispatchOp : MoE_Op<"dispatch", [Pure]> {
  let summary = "copy each kept slot's token into its expert row";
  let description = [{
    buf[offsets[e] + loc[t, s]] = x[t] (times weights[t, s] when `scale` is
    given: pre-score dispatch) for every kept slot with e = ids[t, s]; other
    rows are 0. R = offsets[E].

    ```mlir
    %xb = moe.dispatch %x, %ids, %loc, %off : (tensor<?x64xf32>,
            tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins MoE_FloatTensor:$x, MoE_I32Tensor:$ids,
                       MoE_I32Tensor:$locations, MoE_I32Tensor:$offsets,
                       Optional<MoE_F32Tensor>:$scale);
  let results = (outs MoE_FloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $ids `,` $locations `,` $offsets (`scale` $scale^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MoE_GroupedMatmulOp : MoE_Op<"grouped_matmul",
                                 [Pure, AttrSizedOperandSegments]> {
  let summary = "one GEMM per expert over its segment of rows";
  let description = [{
    out[r] = epilogue(input[r] * weights[e]^T + bias[e]) * row_scale[r] for
    r in [offsets[e], offsets[e] + counts[e]); all other rows are 0.
    Weights are [E, N, K] ([out, in] per expert, as PyTorch's Linear). The
    gated epilogues `swiglu` and `geglu` take N = 2h (gate rows first) and
    produce h columns: act(g) * u. The optional `tile` is the register tile
    the vector kernel uses (moe-select-strategy's choice).

    The fused forms of moe.md §3.3 (`moe-fuse`): with `gather %g` ([R]
    i32), row r reads input row g[r] (input [T, K]) instead of input row r,
    and rows whose g[r] is outside [0, T) are 0 — dispatch folded into the
    GEMM. With `scatter %s into %init` ([R] i32, init [T', N']), the result
    is init plus, for every segment row r in expert order, its output row
    added into row s[r] (rows whose s[r] is outside [0, T') add nothing) —
    combine folded into the epilogue, the row scale being the combine
    weight.

    ```mlir
    %h = moe.grouped_matmul %xb, %w13, %off, %cnt {epilogue = #moe.activation<swiglu>}
           : (tensor<?x64xf32>, tensor<8x256x64xf32>, tensor<9xi32>, tensor<8xi32>)
           -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins MoE_FloatTensor:$input, MoE_FloatTensor:$weights,
                       MoE_I32Tensor:$offsets, MoE_I32Tensor:$counts,
                       Optional<MoE_FloatTensor>:$bias,
                       Optional<MoE_F32Tensor>:$row_scale,
                       Optional<MoE_I32Tensor>:$gather,
                       Optional<MoE_I32Tensor>:$scatter,
                       Optional<MoE_FloatTensor>:$init,
                       DefaultValuedAttr<MoE_ActivationAttr,
                         "::mlir::loom::moe::Activation::None">:$epilogue,
                       OptionalAttr<MoE_TileAttr>:$tile);
  let results = (outs MoE_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weights `,` $offsets `,` $counts (`bias` $bias^)?
    (`row_scale` $row_scale^)? (`gather` $gather^)?
    (`scatter` $scatter^ `into` $init)? attr-dict `:`
    functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// R, the rows the segments index: the gather map's length, else the
    /// input's rows (a dynamic size).
    Value getRowMapSource() { return getGather() ? getGather() : getInput(); }
  }];
  let hasVerifier = 1;
}

def MoE_CombineOp : MoE_Op<"combine", [Pure, AttrSizedOperandSegments]> {
  let summary = "weighted sum of each token's expert rows";
  let description = [{
    out[t] = init[t] + sum over slots s in order of [kept] * w[t, s] *
    rows[offsets[e] + loc[t, s]]; w is `weights` for post-score combine and
    1 for pre-score. A dropped slot contributes 0 and the other weights are
    not renormalized.

    ```mlir
    %y = moe.combine %yb, %ids, %loc, %off weights %w : (tensor<?x64xf32>,
           tensor<?x2xi32>, tensor<?x2xi32>, tensor<9xi32>, tensor<?x2xf32>)
           -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins MoE_FloatTensor:$rows, MoE_I32Tensor:$ids,
                       MoE_I32Tensor:$locations, MoE_I32Tensor:$offsets,
                       Optional<MoE_F32Tensor>:$weights,
                       Optional<MoE_FloatTensor>:$init,
                       DefaultValuedAttr<MoE_ScoreAtAttr,
                         "::mlir::loom::moe::ScoreAt::Post">:$score_at);
  let results = (outs MoE_FloatTensor:$result);
  let assemblyFormat = [{
    $rows `,` $ids `,` $locations `,` $offsets (`weights` $weights^)?
    (`init` $init^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def MoE_LayerOp : MoE_Op<"layer", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<TunableOpInterface>,
    DeclareOpInterfaceMethods<WorkEstimateOpInterface>]> {
  let summary = "a whole Mixture-of-Experts layer";
  let description = [{
    Gate, selection, capacity, dispatch, expert FFNs and combine of
    moe.md §1 in one op. Weights: router [E, d]; w_in [E, H, d] with
    H = 2h for gated FFNs (gate rows first) and h otherwise; w_out [E, d, h];
    both float tensors, or both `!lut.stacked` low-bit weights of E
    [H, d] and [d, h] matrices (`ExpertWeightsType`); optional biases [E, H] and [E, d]; optional shared expert (w [Hs, d] and
    [d, hs], plus an optional sigmoid gate vector [d], Qwen-MoE style) whose
    output initializes the combine. With `aux_loss` the op also returns the
    GShard load-balancing loss. An optional `strategy` (moe-select-strategy)
    says how moe-decompose lowers it; an explicit `layout` must agree with
    it.

    ```mlir
    %y = moe.layer %x, %wr, %w13, %w2 {
           routing = #moe.routing<k = 2, renormalize>,
           capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}
         : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x256x64xf32>,
            tensor<8x64x128xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins MoE_FloatTensor:$x, MoE_FloatTensor:$router,
                       MoE_ExpertWeights:$w_in, MoE_ExpertWeights:$w_out,
                       Optional<MoE_F32Tensor>:$select_bias,
                       Optional<MoE_FloatTensor>:$bias_in,
                       Optional<MoE_FloatTensor>:$bias_out,
                       Optional<MoE_FloatTensor>:$shared_in,
                       Optional<MoE_FloatTensor>:$shared_out,
                       Optional<MoE_FloatTensor>:$shared_gate,
                       MoE_RoutingAttr:$routing, MoE_CapacityAttr:$capacity,
                       MoE_FfnAttr:$ffn,
                       DefaultValuedAttr<MoE_ScoreAtAttr,
                         "::mlir::loom::moe::ScoreAt::Post">:$score_at,
                       OptionalAttr<MoE_LayoutAttr>:$layout,
                       OptionalAttr<MoE_StrategyAttr>:$strategy,
                       UnitAttr:$aux_loss);
  let results = (outs MoE_FloatTensor:$result,
                      Optional<0DTensorOf<[F32]>>:$aux);
  let assemblyFormat = [{
    $x `,` $router `,` $w_in `,` $w_out (`select_bias` $select_bias^)?
    (`bias_in` $bias_in^)? (`bias_out` $bias_out^)?
    (`shared` `(` $shared_in^ `,` $shared_out `)`)?
    (`shared_gate` $shared_gate^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_DIALECT_MOE_IR_MOEOPS_TD

"""moe.layer from Python: the routing, capacity and expert options of moe.md.

Weights are numpy arrays (embedded as constants) or traced tensors:
router [E, d]; w_in [E, H, d] with H = 2h for the gated FFNs (swiglu,
geglu: gate rows first), else h; w_out [E, d, h]. Low-bit experts: w_in
and w_out as lists of E loom.lut.QuantizedWeight ([H, d] and [d, h]), which
become `!lut.stacked` weights.
"""
from . import lut, ops
from ._ir import Tensor, TensorType, attr, context, create, float_literal

_SCORING = ("softmax", "sigmoid")
_FFN = ("none", "relu", "gelu", "gelu_tanh", "silu", "swiglu", "geglu")
_GROUP_SCORE = ("max", "top2_sum")


def _tensor(value, dtype):
    if value is None or isinstance(value, Tensor):
        return value
    return ops.constant(value, dtype)


def _expert_weights(value, dtype):
    if isinstance(value, (list, tuple)) and all(
            isinstance(w, lut.QuantizedWeight) for w in value):
        return lut.stack(value)
    return _tensor(value, dtype)


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} is one of {allowed}, not {value!r}")


def routing_attr(k, scoring="softmax", renormalize=False, scale=None, groups=1,
                 group_topk=1, group_score="max", prioritized=False):
    """#moe.routing text; fields at their defaults are left out."""
    _choice("scoring", scoring, _SCORING)
    _choice("group_score", group_score, _GROUP_SCORE)
    parts = [f"k = {int(k)}"]
    if scoring != "softmax":
        parts.append(f"scoring = {scoring}")
    if renormalize:
        parts.append("renormalize")
    if scale is not None:
        parts.append(f"scale = {float_literal(scale)}")
    if groups != 1:
        parts += [f"groups = {int(groups)}", f"group_topk = {int(group_topk)}"]
        if group_score != "max":
            parts.append(f"group_score = {group_score}")
    if prioritized:
        parts.append("prioritized")
    return "#moe.routing<" + ", ".join(parts) + ">"


def layer(x, router, w_in, w_out, *, k=2, scoring="softmax", renormalize=False,
          scale=None, groups=1, group_topk=1, group_score="max",
          prioritized=False, select_bias=None, capacity_factor=0.0, align=1,
          ffn="swiglu", bias_in=None, bias_out=None, shared=None,
          shared_gate=None, score_at="post", aux_loss=False, strategy=None,
          tile=(4, 6)):
    """A whole MoE layer over tokens x [T, d]; returns y [T, d], or
    (y, l_aux) with `aux_loss` (GShard's load-balancing loss, a 0-d tensor).

    Routing: k slots per token of softmax or sigmoid scores, `renormalize`d
    and multiplied by `scale`; `groups` > 1 limits the choice to the
    `group_topk` best groups (DeepSeek-V3, groups scored by their `max` or
    `top2_sum`); `select_bias` [E] shifts the scores for selection only;
    `prioritized` gives capacity to the most confident tokens first (BPR).
    Capacity: `capacity_factor` 0 for dropless routing, > 0 for C = k *
    floor(factor * ceil(T / E)) rows per expert (Tutel; overflow dropped),
    < 0 for at most that many, rounded up to `align`.
    Experts: `ffn` activation, optional `bias_in` [E, H] and `bias_out`
    [E, d]; `shared` = (w_in [Hs, d], w_out [d, hs]) a shared expert whose
    output, times sigmoid(x . shared_gate) if given, starts the combine;
    `score_at` "pre" scales the expert input instead of its output.
    `strategy`: None lets moe-select-strategy (the cost model) choose, or
    "grouped", "padded", "dense" in register tiles of `tile` = (token rows,
    weight rows).
    """
    _choice("ffn", ffn, _FFN)
    _choice("score_at", score_at, ("pre", "post"))
    ctx = context()
    ffn_text = ffn + (", bias_in" if bias_in is not None else "") + (
        ", bias_out" if bias_out is not None else "")
    attributes = {
        "routing": attr(routing_attr(k, scoring, renormalize, scale, groups,
                                     group_topk, group_score, prioritized)),
        "capacity": attr(f"#moe.capacity<factor = {float_literal(capacity_factor)}, "
                         f"align = {int(align)}>"),
        "ffn": attr(f"#moe.ffn<{ffn_text}>"),
        "score_at": attr(f"#moe.score_at<{score_at}>"),
    }
    if aux_loss:
        attributes["aux_loss"] = ctx.attr("unit")
    if strategy is not None:
        attributes["strategy"] = attr(
            f"#moe.strategy<{strategy}, tile = <rows = {int(tile[0])}, "
            f"weight_rows = {int(tile[1])}>>")
    shared_in, shared_out = shared if shared is not None else (None, None)
    if shared_gate is not None and shared is None:
        raise ValueError("a shared_gate needs a shared expert")
    optional = [_tensor(select_bias, "f32"), _tensor(bias_in, x.dtype),
                _tensor(bias_out, x.dtype), _tensor(shared_in, x.dtype),
                _tensor(shared_out, x.dtype), _tensor(shared_gate, x.dtype)]
    operands = [x, _tensor(router, x.dtype), _expert_weights(w_in, x.dtype),
                _expert_weights(w_out, x.dtype)]
    sizes = [1, 1, 1, 1] + [0 if v is None else 1 for v in optional]
    attributes["operandSegmentSizes"] = ctx.attr(
        "array<i32: " + ", ".join(map(str, sizes)) + ">")
    result = TensorType(x.shape, x.dtype)
    results = [result] + ([TensorType((), "f32")] if aux_loss else [])
    op = create("moe.layer", operands + [v for v in optional if v is not None],
                results, attributes)
    y = Tensor(op.result(0), result)
    return (y, Tensor(op.result(1), results[1])) if aux_loss else y

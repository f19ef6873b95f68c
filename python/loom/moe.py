"""moe.layer from Python: routing, capacity and expert FFN options of moe.md.

Weights are numpy arrays (embedded as constants) or traced tensors:
router [E, d]; w_in [E, H, d] with H = 2h for the gated FFNs (swiglu,
geglu: gate rows first), else h; w_out [E, d, h].
"""
from . import ops
from ._ir import Tensor, TensorType, context, create

_SCORING = ("softmax", "sigmoid")
_FFN = ("none", "relu", "gelu", "gelu_tanh", "silu", "swiglu", "geglu")


def _tensor(value, dtype):
    return value if isinstance(value, Tensor) else ops.constant(value, dtype)


def layer(x, router, w_in, w_out, *, k=2, scoring="softmax", renormalize=False,
          scale=None, capacity_factor=0.0, align=1, ffn="swiglu",
          score_at="post", strategy=None, tile=(4, 6)):
    """A whole MoE layer over tokens x [T, d].

    capacity_factor: 0 for dropless routing, > 0 for C = k * factor * T / E
    rows per expert (Tutel's capacity; overflow tokens are dropped), < 0 for
    a per-batch adaptive capacity (moe.md §3).
    strategy: None lets moe-select-strategy choose (the cost model), or one
    of "grouped", "padded", "dense", computed in register tiles of
    tile = (token rows, weight rows).
    """
    if scoring not in _SCORING:
        raise ValueError(f"scoring is one of {_SCORING}, not {scoring!r}")
    if ffn not in _FFN:
        raise ValueError(f"ffn is one of {_FFN}, not {ffn!r}")
    if score_at not in ("pre", "post"):
        raise ValueError(f"score_at is 'pre' or 'post', not {score_at!r}")
    routing = f"#moe.routing<k = {int(k)}"
    if scoring != "softmax":
        routing += f", scoring = {scoring}"
    if renormalize:
        routing += ", renormalize"
    if scale is not None:
        routing += f", scale = {float(scale)!r}"
    routing += ">"
    ctx = context()
    attributes = {
        "routing": ctx.attr(routing),
        "capacity": ctx.attr(f"#moe.capacity<factor = {float(capacity_factor)!r}, "
                             f"align = {int(align)}>"),
        "ffn": ctx.attr(f"#moe.ffn<{ffn}>"),
        "score_at": ctx.attr(f"#moe.score_at<{score_at}>"),
        # Operands: x, router, w_in, w_out and none of the six optional ones.
        "operandSegmentSizes": ctx.attr("array<i32: 1, 1, 1, 1, 0, 0, 0, 0, 0, 0>"),
    }
    if strategy is not None:
        attributes["strategy"] = ctx.attr(
            f"#moe.strategy<{strategy}, tile = <rows = {int(tile[0])}, "
            f"weight_rows = {int(tile[1])}>>")
    operands = [x] + [_tensor(w, x.dtype) for w in (router, w_in, w_out)]
    result = TensorType(x.shape, x.dtype)
    op = create("moe.layer", operands, [result], attributes)
    return Tensor(op.result(0), result)

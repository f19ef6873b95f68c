"""Plain numpy references, written from the dialects' specifications
(lut.md, moe.md) without any of Loom's code."""
import math

import numpy as np


def linear(x, w, bias=None):
    y = x.astype(np.float64) @ w.T
    return y if bias is None else y + bias


def table_i8_bound(x, codes_shape, scales, encoding_bits, group, lookup=4):
    """lut.md §1.4's error bound of the vector kernels' int8 tables (the
    `table_i8` contract of fp activations): each lookup of a quantized
    table is off by at most tscale / 2 (tscale = max |T| / 127 per row and
    segment, |T| <= the lookup group's sum of |x|), times the plane weights,
    kappa and the weight scale of its segment; plus f32 rounding.
    encoding_bits: "ternary", "binary", or the bits of a signed/unsigned
    code; lookup: 4 (bit planes) or 3 (trit3: one table per triple of
    ternary weights, a segment's last triple padded with zeros)."""
    m, k = codes_shape
    size = k if group in (None, -1) else group
    segment = 64 if size > 64 and size % 64 == 0 else size
    trit3 = lookup == 3
    kappa = 1.0 if encoding_bits == "binary" or trit3 else 0.5
    planes = 1.0 if encoding_bits == "binary" or trit3 else 2.0 if encoding_bits == "ternary" \
        else float(2 ** encoding_bits - 1)
    groups = -(-segment // lookup)
    x = np.abs(x.astype(np.float64)).reshape(x.shape[0], k // segment, segment)
    padded = np.zeros(x.shape[:2] + (groups * lookup,))
    padded[:, :, :segment] = x
    tau = padded.reshape(x.shape[0], k // segment, groups, lookup).sum(axis=3).max(axis=2) / 127
    scale = np.abs(scales.astype(np.float64))
    per_segment = np.empty((m, k // segment))
    for s in range(k // segment):
        column = 0 if group in (None, -1) else s * segment // group
        per_segment[:, s] = scale[:, column] if scale.shape[0] == m else scale[0, 0]
    return kappa * planes * groups / 2 * tau @ per_segment.T


_ERF = np.vectorize(math.erf)


def activation(name, z):
    if name == "relu":
        return np.maximum(z, 0)
    if name in ("gelu", "geglu"):
        return 0.5 * z * (1 + _ERF(z / math.sqrt(2)))
    if name == "gelu_tanh":
        return 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3)))
    if name in ("silu", "swiglu"):
        return z / (1 + np.exp(-z))
    return z


def _expert(ffn, w_in, w_out, x, b_in=None, b_out=None):
    a = w_in.astype(np.float64) @ x
    if b_in is not None:
        a = a + b_in
    if ffn in ("swiglu", "geglu"):
        h = a.shape[0] // 2
        a = activation(ffn, a[:h]) * a[h:]
    else:
        a = activation(ffn, a)
    y = w_out.astype(np.float64) @ a
    return y if b_out is None else y + b_out


def moe_layer(x, router, w_in, w_out, *, k, scoring="softmax", renormalize=False,
              scale=1.0, groups=1, group_topk=1, group_score="max",
              prioritized=False, select_bias=None, capacity_factor=0.0,
              ffn="swiglu", bias_in=None, bias_out=None, shared=None,
              shared_gate=None, score_at="post", aux_loss=False):
    """moe.md §1: gate; selection on the scores (+ select_bias), within the
    group_topk best groups (DeepSeek-V3), ties to the lower expert; weights
    from the unbiased scores; capacity with slot-major token order (Tutel:
    every token's first choice before any second choice, most confident
    tokens first if prioritized; C = k * floor(factor * ceil(T / E)), 0 =
    dropless); experts; a shared expert (sigmoid-gated) starts the
    combine; post- or pre-score. With aux_loss also GShard's
    (E / T^2) sum_e (sum_t P[t, e]) #{t : ids[t, 0] = e}."""
    x = x.astype(np.float64)
    tokens, experts = x.shape[0], router.shape[0]
    logits = x @ router.T.astype(np.float64)
    if scoring == "softmax":
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
    else:
        p = 1 / (1 + np.exp(-logits))
    s = p + (0 if select_bias is None else select_bias)
    if groups > 1:
        per = experts // groups
        member = np.sort(s.reshape(tokens, groups, per), axis=2)[:, :, ::-1]
        score = member[:, :, 0] + (member[:, :, 1] if group_score == "top2_sum" else 0)
        for t in range(tokens):
            best = sorted(range(groups), key=lambda g: (-score[t, g], g))[:group_topk]
            for g in set(range(groups)) - set(best):
                s[t, g * per:(g + 1) * per] = -np.inf
    ids = np.array([sorted(range(experts), key=lambda e: (-s[t, e], e))[:k]
                    for t in range(tokens)], dtype=np.int64).reshape(tokens, k)
    weights = np.take_along_axis(p, ids, axis=1)
    if renormalize:
        weights /= np.maximum(weights.sum(axis=1, keepdims=True), 2.0 ** -23)
    weights *= scale
    if capacity_factor > 0:
        capacity = k * int(capacity_factor * -(-tokens // experts))
    else:
        capacity = tokens * k
    order = list(range(tokens))
    if prioritized:
        order.sort(key=lambda t: -p[t].max())
    seen = np.zeros(experts, dtype=np.int64)
    kept = np.zeros((tokens, k), dtype=bool)
    for slot in range(k):
        for t in order:
            e = ids[t, slot]
            kept[t, slot] = seen[e] < capacity
            seen[e] += 1
    out = np.zeros_like(x)
    for t in range(tokens):
        if shared is not None:
            gate = 1.0 if shared_gate is None else 1 / (1 + np.exp(-(x[t] @ shared_gate)))
            out[t] = gate * _expert(ffn, shared[0], shared[1], x[t])
        for slot in range(k):
            if not kept[t, slot]:
                continue
            e, w = ids[t, slot], weights[t, slot]
            b_in = None if bias_in is None else bias_in[e]
            b_out = None if bias_out is None else bias_out[e]
            if score_at == "pre":
                out[t] += _expert(ffn, w_in[e], w_out[e], w * x[t], b_in, b_out)
            else:
                out[t] += w * _expert(ffn, w_in[e], w_out[e], x[t], b_in, b_out)
    if not aux_loss:
        return out
    counts = np.bincount(ids[:, 0], minlength=experts)
    loss = experts / tokens ** 2 * (p.sum(axis=0) * counts).sum() if tokens else 0.0
    return out, loss

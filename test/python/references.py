"""Plain numpy references, written from the dialects' specifications
(lut.md, moe.md) without any of Loom's code."""
import math

import numpy as np


def linear(x, w, bias=None):
    y = x.astype(np.float64) @ w.T
    return y if bias is None else y + bias


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


def moe_layer(x, router, w_in, w_out, *, k, scoring="softmax", renormalize=False,
              scale=1.0, capacity_factor=0.0, ffn="swiglu"):
    """Gate, top-k (ties to the lower expert), capacity with slot-major
    token order (Tutel: every token's first choice before any second
    choice; C = k * floor(factor * ceil(T / E)), 0 = dropless), experts,
    post-score combine."""
    x = x.astype(np.float64)
    tokens, experts = x.shape[0], router.shape[0]
    logits = x @ router.T.astype(np.float64)
    if scoring == "softmax":
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
    else:
        p = 1 / (1 + np.exp(-logits))
    ids = np.array([sorted(range(experts), key=lambda e: (-p[t, e], e))[:k]
                    for t in range(tokens)], dtype=np.int64).reshape(tokens, k)
    weights = np.take_along_axis(p, ids, axis=1)
    if renormalize:
        weights /= np.maximum(weights.sum(axis=1, keepdims=True), 2.0 ** -23)
    weights *= scale
    if capacity_factor > 0:
        capacity = k * int(capacity_factor * -(-tokens // experts))
    else:
        capacity = tokens * k
    seen = np.zeros(experts, dtype=np.int64)
    kept = np.zeros((tokens, k), dtype=bool)
    for slot in range(k):
        for t in range(tokens):
            e = ids[t, slot]
            kept[t, slot] = seen[e] < capacity
            seen[e] += 1
    gated = ffn in ("swiglu", "geglu")
    out = np.zeros_like(x)
    for t in range(tokens):
        for slot in range(k):
            if not kept[t, slot]:
                continue
            e = ids[t, slot]
            a = w_in[e].astype(np.float64) @ x[t]
            if gated:
                h = a.shape[0] // 2
                a = activation(ffn, a[:h]) * a[h:]
            else:
                a = activation(ffn, a)
            out[t] += weights[t, slot] * (w_out[e].astype(np.float64) @ a)
    return out

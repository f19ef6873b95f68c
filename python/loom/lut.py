"""Low-bit weights for lut.linear: quantize and pack numpy weights.

Formats (`#lut.quant`, lut.md): a code q of an [M, K] weight dequantizes as
w = s * v(q) + o with the scale s of its group of `group_size` consecutive K
elements (one per row for "per_channel", one for the whole weight for
"per_tensor") and

  ternary      v = q - 1 for q in {0, 1, 2}    (BitNet b1.58, absmean scale)
  binary       v = 2q - 1                        (sign, absmean scale)
  int2/3/4     v = q - 2^(b-1)                  (symmetric, absmax scale)
  uint2/3/4    v = q, o = -min                   (asymmetric, min-max)
"""
import numpy as np

from . import ops
from ._ir import Tensor, TensorType, attr, context, create

_FORMATS = {
    "ternary": ("ternary", 2), "binary": ("binary", 1),
    "int2": ("signed", 2), "int3": ("signed", 3), "int4": ("signed", 4),
    "uint2": ("unsigned", 2), "uint3": ("unsigned", 3), "uint4": ("unsigned", 4),
}


class QuantizedWeight:
    """Codes (int8, one per weight), scales and optional offsets of an
    [M, K] weight, and the #lut.quant attribute that gives them meaning."""

    def __init__(self, codes, scales, offsets, format, group, layout=None):
        self.codes, self.scales, self.offsets = codes, scales, offsets
        self.format, self.group = format, group
        if layout not in (None, "codes", "bitplane", "trit3"):
            raise ValueError(f"layout is codes, bitplane or trit3, not {layout!r}")
        self.layout = layout

    @property
    def shape(self):
        return self.codes.shape

    def quant_attr(self):
        encoding, bits = _FORMATS[self.format]
        group = {None: "per_tensor", -1: "per_channel"}.get(self.group, self.group)
        text = f"#lut.quant<{encoding}"
        if encoding in ("signed", "unsigned"):
            text += f", bits = {bits}"
        text += f", group = {group}, scale = f32"
        if self.offsets is not None:
            text += ", offset = min"
        return text + ">"

    def layout_attr(self):
        """Where the packed bits go: the vector kernels' bit planes (four
        K per lookup group, 128-row tiles) when K allows, else the
        reference layout of one code per byte."""
        if self.layout == "bitplane" or (self.layout is None and self.shape[1] % 4 == 0):
            return "#lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>"
        if self.layout == "trit3":
            return "#lut.layout<trit3, tile_m = 128>"
        return "#lut.layout<codes>"

    def packed_type(self):
        m, k = self.shape
        return f"!lut.packed<{m}x{k}, {self.quant_attr()}, {self.layout_attr()}>"

    def dequantize(self):
        """The float64 weight the codes stand for (a numpy reference)."""
        encoding, bits = _FORMATS[self.format]
        q = self.codes.astype(np.float64)
        v = {"ternary": q - 1, "binary": 2 * q - 1,
             "signed": q - 2 ** (bits - 1), "unsigned": q}[encoding]
        w = v * self._expand(self.scales)
        if self.offsets is not None:
            w -= self._expand(self.offsets)
        return w

    def _expand(self, per_group):
        m, k = self.shape
        g = per_group.astype(np.float64)
        return np.repeat(g, k // g.shape[1], axis=1) if g.shape[1] != k else g


def _group_view(w, group):
    m, k = w.shape
    if group is None:
        return w.reshape(1, 1, m * k)
    size = k if group == -1 else group
    if k % size:
        raise ValueError(f"K = {k} is not a multiple of the group size {size}")
    return w.reshape(m, k // size, size)


def quantize(w, format="ternary", group_size=None, layout=None):
    """Quantizes a float [M, K] numpy weight.

    group_size: None for one scale per tensor, -1 for one per output row, or
    G for one per G consecutive K elements of a row.
    layout: how lut.pack stores it. None picks the vector kernels' bit
    planes when K is a multiple of 4 (int8 activation tables: lut.md §1.4's
    `table_i8` accuracy, T-MAC's speed) and the reference `codes` layout
    otherwise; "codes" keeps f32 arithmetic (exact up to rounding, and
    slow); "trit3" packs ternary weights in 1.67 bits.
    """
    if format not in _FORMATS:
        raise ValueError(f"unknown format {format!r}; have {sorted(_FORMATS)}")
    w = np.asarray(w, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"a weight is [M, K], not of shape {w.shape}")
    if not np.isfinite(w).all():
        raise ValueError("a weight to quantize holds NaN or infinite values")
    encoding, bits = _FORMATS[format]
    groups = _group_view(w, group_size)
    tiny = np.finfo(np.float32).tiny
    offsets = None
    if encoding in ("ternary", "binary"):
        scale = np.maximum(np.abs(groups).mean(axis=2, keepdims=True), tiny)
        if encoding == "ternary":
            q = np.clip(np.rint(groups / scale), -1, 1) + 1
        else:
            q = (groups >= 0).astype(np.float64)
    elif encoding == "signed":
        half = 2 ** (bits - 1)
        scale = np.maximum(np.abs(groups).max(axis=2, keepdims=True) / (half - 1), tiny)
        q = np.clip(np.rint(groups / scale), -half, half - 1) + half
    else:
        low = groups.min(axis=2, keepdims=True)
        scale = np.maximum((groups.max(axis=2, keepdims=True) - low) / (2 ** bits - 1), tiny)
        q = np.clip(np.rint((groups - low) / scale), 0, 2 ** bits - 1)
        offsets = (-low).astype(np.float32)
    m, k = w.shape
    codes = q.reshape(m, k).astype(np.int8)
    shape = (1, 1) if group_size is None else (m, groups.shape[1])
    scales = scale.astype(np.float32).reshape(shape)
    if offsets is not None:
        offsets = offsets.reshape(shape)
    return QuantizedWeight(codes, scales, offsets, format, group_size, layout)


def pack(weight):
    """lut.pack of a QuantizedWeight's constants: a !lut.packed value."""
    operands = [ops.constant(weight.codes), ops.constant(weight.scales)]
    if weight.offsets is not None:
        operands.append(ops.constant(weight.offsets))
    op = create("lut.pack", operands, [weight.packed_type()])
    return op.result(0)


def stack(weights):
    """lut.stack of E QuantizedWeights of one shape and format: the
    `!lut.stacked` expert weight of a low-bit moe.layer."""
    first = weights[0]
    for w in weights[1:]:
        if (w.shape, w.format, w.group, w.offsets is None) != (
                first.shape, first.format, first.group, first.offsets is None):
            raise ValueError("stacked experts share one shape and format")
    stacked = f"!lut.stacked<{len(weights)}, {first.packed_type()}>"
    return create("lut.stack", [pack(w) for w in weights], [stacked]).result(0)


def dequantize(weight, dtype="f32"):
    """The float [M, K] tensor a QuantizedWeight stands for (lut.dequantize),
    for ops that take plain tensors (a moe.layer's experts, say)."""
    type_ = TensorType(weight.shape, dtype)
    return Tensor(create("lut.dequantize", [pack(weight)], [type_]).result(0), type_)


def linear(x, weight, bias=None):
    """y[..., m] = sum_k x[..., k] * w[m, k] (+ bias[m]) for a
    QuantizedWeight."""
    operands = [x, pack(weight)]
    if bias is not None:
        operands.append(bias if isinstance(bias, Tensor) else ops.constant(bias, x.dtype))
    result = TensorType(x.shape[:-1] + (weight.shape[0],), x.dtype)
    op = create("lut.linear", operands, [result])
    return Tensor(op.result(0), result)


def mpgemm(x, weight, *, act_quant=None, accuracy=None):
    """Y[N, M] = X[N, K] * W[M, K]^T with the whole numerical contract of
    lut.mpgemm: `act_quant` "row" (or a block size such as 32, GGUF's Q8_0)
    quantizes X to int8 first (absmax / 127, round half to even), whose
    tables are then exact (`accuracy` "exact", the default for int8
    activations); "table_i8" (the default for fp X) and "fp" choose the
    kernels' table precision."""
    if len(x.shape) != 2:
        raise ValueError(f"lut.mpgemm takes a 2-D X, not one of shape {x.shape}")
    ctx = context()
    attributes = {}
    if act_quant is not None:
        block = "" if act_quant == "row" else f", block = {int(act_quant)}"
        attributes["act_quant"] = attr(f"#lut.act_quant<i8{block}>")
    if accuracy is not None:
        if accuracy not in ("exact", "table_i8", "fp"):
            raise ValueError(f"accuracy is exact, table_i8 or fp, not {accuracy!r}")
        attributes["accuracy"] = attr(f"#lut.accuracy<{accuracy}>")
    result = TensorType((x.shape[0], weight.shape[0]), x.dtype)
    op = create("lut.mpgemm", [x, pack(weight)], [result], attributes)
    return Tensor(op.result(0), result)

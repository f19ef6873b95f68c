"""loom.lut: quantization from numpy and lut.linear compiled and run, against
numpy on the dequantized weight, over every format, group kind and awkward
shapes (one output row, K of one group, odd token counts), in both layouts:
the reference one (`codes`: f32 arithmetic, a tight bound) and the vector
kernels' bit planes and trit3 (int8 activation tables: lut.md §1.4's
bound)."""
import itertools

import numpy as np
import pytest

import loom
import lut_models
import references

FORMATS = ["ternary", "binary", "int2", "int3", "int4", "uint2", "uint3", "uint4"]
GROUPS = [None, -1, 32]
SHAPES = [(1, 32), (7, 64), (33, 96)]  # (M, K)
LAYOUTS = ["codes", "bitplane"]
CASES = [(f, g, s, layout) for ((f, g), s), layout in itertools.product(
    zip(itertools.product(FORMATS, GROUPS), itertools.cycle(SHAPES)), LAYOUTS)]
# Ternary weights also in trit3 (1.67 bits, a lookup per triple).
CASES += [("ternary", g, s, "trit3") for g, s in zip(GROUPS, SHAPES)]


def case_name(case):
    fmt, group, (m, k), layout = case
    return (f"{fmt}_g{'t' if group is None else 'c' if group == -1 else group}"
            f"_{m}x{k}_{layout}")


@pytest.fixture(scope="module")
def compiled():
    """Every case as one entry point of one library: one compilation."""
    rng = np.random.default_rng(7)
    weights, functions = {}, []
    for case in CASES:
        fmt, group, (m, k), layout = case
        w = loom.lut.quantize(rng.normal(size=(m, k)), fmt, group_size=group,
                              layout=layout)
        bias = rng.normal(size=m).astype(np.float32) if m == 7 else None
        weights[case_name(case)] = (w, bias)

        def linear(x, w=w, bias=bias):
            return loom.lut.linear(x, w, bias=bias)
        functions.append(loom.Function(linear, name=case_name(case),
                                       args=[loom.tensor(None, k)]))
    return loom.compile(loom.Module(*functions)), weights


def bits_of(fmt):
    return fmt if fmt in ("ternary", "binary") else int(fmt[-1])


@pytest.mark.parametrize("case", CASES, ids=case_name)
@pytest.mark.parametrize("tokens", [1, 3, 17])
def test_linear_matches_numpy(compiled, case, tokens):
    model, weights = compiled
    w, bias = weights[case_name(case)]
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, w.shape[1])).astype(np.float32)
    got = model.run(case_name(case), x)
    dense = w.dequantize()
    want = references.linear(x, dense, bias)
    assert got.shape == want.shape and got.dtype == np.float32
    magnitude = np.abs(x).astype(np.float64) @ np.abs(dense).T
    bound = 1e-5 * magnitude + 1e-6
    if case[3] != "codes":
        bound += references.table_i8_bound(x, w.shape, w.scales, bits_of(w.format), w.group,
                                           lookup=3 if case[3] == "trit3" else 4)
    assert np.all(np.abs(got - want) <= bound)
    if case[3] == "bitplane" and case[2][1] == 96:
        assert "bitplane" in w.packed_type()


def test_default_layout_is_the_kernels():
    w = loom.lut.quantize(np.ones((4, 8)), "int4")
    assert "#lut.layout<bitplane" in w.packed_type()
    odd = loom.lut.quantize(np.ones((4, 6)), "int4")
    assert "#lut.layout<codes>" in odd.packed_type()


@pytest.mark.parametrize("fmt, limit", [("int4", 0.12), ("uint4", 0.1),
                                        ("int3", 0.3), ("ternary", 0.75)])
def test_quantize_approximates_the_weight(rng, fmt, limit):
    w = rng.normal(size=(16, 64))
    q = loom.lut.quantize(w, fmt, group_size=32)
    error = np.linalg.norm(q.dequantize() - w) / np.linalg.norm(w)
    assert error < limit


def test_codes_stay_in_range(rng):
    for fmt in FORMATS:
        q = loom.lut.quantize(rng.normal(size=(4, 32)), fmt)
        bits = {"ternary": 2, "binary": 1}.get(fmt) or int(fmt[-1])
        top = 2 if fmt == "ternary" else 2 ** bits - 1
        assert q.codes.dtype == np.int8
        assert q.codes.min() >= 0 and q.codes.max() <= top


def test_bad_weights_are_refused(rng):
    with pytest.raises(ValueError, match="multiple of the group size"):
        loom.lut.quantize(rng.normal(size=(4, 40)), "int4", group_size=32)
    with pytest.raises(ValueError, match="unknown format"):
        loom.lut.quantize(rng.normal(size=(4, 32)), "int5")
    with pytest.raises(ValueError, match=r"\[M, K\]"):
        loom.lut.quantize(rng.normal(size=(4,)), "int4")
    with pytest.raises(ValueError, match="NaN or infinite"):
        loom.lut.quantize(np.array([[np.nan, 1.0], [0.5, np.inf]]), "int4")


@pytest.mark.parametrize("fmt, group, shape", [("ternary", None, (64, 128)), ("int4", 32, (33, 96)),
                                               ("uint2", -1, (7, 64)), ("binary", 32, (16, 64))])
@pytest.mark.parametrize("act_quant", ["row", 32])
def test_int8_activations_are_exact(rng, fmt, group, shape, act_quant):
    """lut.mpgemm with act_quant: X quantized to int8 (absmax / 127 per row
    or block of 32, half to even), then exact integer tables: numpy on the
    same quantized activations agrees to f32 rounding."""
    m, k = shape
    w = loom.lut.quantize(rng.normal(size=shape), fmt, group_size=group)
    model = loom.compile(loom.Function(lambda x: loom.lut.mpgemm(x, w, act_quant=act_quant),
                                       name="gemm", args=[loom.tensor(None, k)]))
    x = rng.uniform(-1, 1, (5, k)).astype(np.float32)
    block = k if act_quant == "row" else act_quant
    blocks = x.reshape(5, k // block, block).astype(np.float64)
    step = np.abs(blocks).max(axis=2, keepdims=True) / 127
    quantized = (np.round(blocks / step) * step).reshape(5, k)
    want = quantized @ w.dequantize().T
    bound = 1e-5 * (np.abs(quantized) @ np.abs(w.dequantize()).T) + 1e-6
    assert np.all(np.abs(model(x) - want) <= bound)


def test_mpgemm_options_are_checked():
    w = loom.lut.quantize(np.ones((4, 8)), "int4")
    with pytest.raises(ValueError, match="accuracy is exact, table_i8 or fp"):
        loom.Module(loom.Function(lambda x: loom.lut.mpgemm(x, w, accuracy="best"),
                                  name="f", args=[loom.tensor(2, 8)]))
    with pytest.raises(ValueError, match="2-D X"):
        loom.Module(loom.Function(lambda x: loom.lut.mpgemm(x, w),
                                  name="g", args=[loom.tensor(2, 2, 8)]))


@pytest.mark.parametrize("fmt, group, layout", [("ternary", None, "bitplane"), ("ternary", -1, "trit3"),
                                                ("binary", -1, "bitplane"), ("binary", None, "bitplane"),
                                                ("int4", -1, "bitplane"), ("int2", None, "bitplane"),
                                                ("int3", -1, "bitplane")])
@pytest.mark.parametrize("tokens", [1, 8, 33])
def test_int8_activations_one_segment_is_bit_exact(fmt, group, layout, tokens):
    """lut.md 1.4: with one segment per row, a per-row activation scale and
    no mins, the optimized kernels (lookups and int8 dot products) give
    y = fl(fl(s_x * s_w) * fl(acc)), acc = sum x_q * v(q), bit for bit;
    x_q, s_x as lut.md 1.3 computes them in f32."""
    m, k = 67, 256
    w = loom.lut.quantize(np.random.default_rng(3).normal(size=(m, k)), fmt, group_size=group,
                          layout=layout)
    model = loom.compile(loom.Function(lambda x: loom.lut.mpgemm(x, w, act_quant="row"),
                                       name="gemm", args=[loom.tensor(None, k)]))
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, k)).astype(np.float32)
    sw = np.broadcast_to(np.asarray(w.scales, np.float32).reshape(-1), (m,))
    values = np.rint(w.dequantize().astype(np.float64) / sw[:, None]).astype(np.int64)
    np.testing.assert_array_equal(model(x), lut_models.exact_contract(x, sw, values))


@pytest.mark.parametrize("layout", ["codes", "bitplane"])
@pytest.mark.parametrize("tokens", [1, 8, 33])
def test_int8_activations_zero_points_bit_exact(tmp_path, layout, tokens):
    """Zero points, one segment per row: the integer sum is
    sum x_q * (q - z), so the kernels stay bit-exact (lut.md 1.4)."""
    rng = np.random.default_rng(tokens)
    m, k = 37, 128
    path = tmp_path / "zp.mlir"
    codes, scales, zeros = lut_models.zero_point_gemm(path, rng, m, k, k, layout=layout)
    x = rng.uniform(-1, 1, (tokens, k)).astype(np.float32)
    got = loom.compile(str(path))(x)
    if layout == "codes":
        # The reference kernels accumulate in f64: within the bound only.
        dense = scales.astype(np.float64) * (codes - zeros)
        want = lut_models.exact_contract(x, scales[:, 0], codes - zeros)
        assert np.all(np.abs(got - want) <= 2 * 2.0 ** -24 * (np.abs(x) @ np.abs(dense).T) + 1e-6)
    else:
        np.testing.assert_array_equal(got, lut_models.exact_contract(x, scales[:, 0], codes - zeros))

"""The GPU path (loom-gpu-pipeline): lut.linear compiled for nvptx. On any
machine the kernels run through the interpreter (pipeline option
interpret: the same kernel, its blocks and threads as host loops) against
numpy on the dequantized weight, over every format, group kind and awkward
shapes (M not a multiple of a block's 128 rows, K not a multiple of a word's
32 or spanning several 128-K chunks, 0 and odd token counts). The library
built for the device loads everywhere; without a GPU every run fails with
LOOM_ERROR_UNSUPPORTED, never a crash."""
import ctypes.util
import itertools

import numpy as np
import pytest

import loom
import lut_models
import references

FORMATS = ["ternary", "binary", "int2", "int3", "int4", "uint2", "uint3", "uint4"]
GROUPS = [None, -1, 32]
SHAPES = [(1, 32), (33, 40), (130, 200), (7, 96), (65, 1000)]  # (M, K)
CASES = list(zip(itertools.product(FORMATS, GROUPS), itertools.cycle(SHAPES)))
# Layouts change the bytes, not the codes the GPU kernel folds.
CASES += [(("ternary", 32), (130, 96)), (("ternary", None), (64, 64))]
LAYOUTS = {("ternary", 32): "trit3", ("ternary", None): "bitplane"}


def case_name(case):
    (fmt, group), (m, k) = case
    return f"{fmt}_g{'t' if group is None else 'c' if group == -1 else group}_{m}x{k}"


def build(target_options, cases=CASES):
    rng = np.random.default_rng(11)
    weights, functions = {}, []
    for i, case in enumerate(cases):
        (fmt, group), (m, k) = case
        layout = LAYOUTS.get((fmt, group)) if i >= len(CASES) - 2 else "codes"
        if group == 32 and k % 32:
            group = -1
        w = loom.lut.quantize(rng.normal(size=(m, k)), fmt, group_size=group,
                              layout=layout)
        weights[case_name(case)] = w

        def linear(x, w=w):
            return loom.lut.linear(x, w)
        functions.append(loom.Function(linear, name=case_name(case),
                                       args=[loom.tensor(None, k)]))
    return loom.compile(loom.Module(*functions), target="nvptx",
                        pipeline_options=target_options), weights


# The lookup kernel at its defaults (two rows per thread where M reaches
# two 128-row spans), and elongated further: 32-thread blocks of up to 4
# rows per thread, so M = 130, 65 and 33 take 4, 2 and 1.
@pytest.fixture(scope="module", params=["default", "elongated"])
def interpreted(request):
    if request.param == "elongated":
        return build("interpret=1 block-rows=32 rows-per-thread=4")
    return build("interpret=1")


def full_scales(w):
    """Each weight's scale, broadcast to [M, K]."""
    m, k = w.shape
    s = np.abs(w.scales.astype(np.float64))
    if s.size == 1:
        return np.full((m, k), s.reshape(-1)[0])
    return np.repeat(s, k // s.shape[1], axis=1)


def run_case(built, case, tokens):
    """The case's weight, activations, dense weight and GEMM result, checked
    for shape and type against numpy's."""
    model, weights = built
    w = weights[case_name(case)]
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, w.shape[1])).astype(np.float32)
    got = model.run(case_name(case), x)
    dense = w.dequantize()
    want = references.linear(x, dense)
    assert got.shape == want.shape and got.dtype == np.float32
    return w, x, dense, got, want


def lookup_bound(w, x, dense):
    """fp32 tables (the `fp` contract): each group's sum goes through the
    bit planes, whose terms reach 2^bits * s * |x| even where w is 0."""
    bits = 2 if w.format in ("ternary", "binary") else int(w.format[-1])
    return np.abs(x).astype(np.float64) @ (np.abs(dense) + full_scales(w) * 2 ** bits).T


@pytest.mark.parametrize("case", CASES, ids=case_name)
@pytest.mark.parametrize("tokens", [0, 1, 3, 8, 17])
def test_kernel_matches_numpy(interpreted, case, tokens):
    w, x, dense, got, want = run_case(interpreted, case, tokens)
    magnitude = lookup_bound(w, x, dense)
    assert np.all(np.abs(got - want) <= 1e-5 * magnitude + 1e-6)


# From 4 to 32 tokens the GEMM takes 16 x 32 blocks, as GEMMs this small
# fill too few 16 x 128 ones; "short" (fill-blocks=0) keeps those.
@pytest.fixture(scope="module", params=["simt", "tensor_cores", "short"])
def dequantized(request):
    tensor_cores = int(request.param == "tensor_cores")
    fill = " fill-blocks=0" if request.param == "short" else ""
    return build(f"interpret=1 dequantize-from-n=2 tensor-cores={tensor_cores}"
                 + fill), request.param


@pytest.mark.parametrize("case", CASES, ids=case_name)
@pytest.mark.parametrize("tokens", [1, 2, 19, 40])
def test_large_n_gemm_matches_numpy(dequantized, case, tokens):
    """From dequantize-from-n on, the grouped GEMM kernel, which decodes
    the weights it reads (2 tokens: row vectors; 19: its narrow or short
    tile; 40: its wide one, on TF32 tensor cores, emulated, with
    tensor-cores); below it, the lookups."""
    built, mode = dequantized
    w, x, dense, got, want = run_case(built, case, tokens)
    magnitude = lookup_bound(w, x, dense) if tokens < 2 \
        else np.abs(x).astype(np.float64) @ np.abs(dense).T
    # TF32 keeps 10 mantissa bits of each operand.
    tolerance = 2e-3 if mode == "tensor_cores" and tokens >= 2 else 1e-5
    assert np.all(np.abs(got - want) <= tolerance * magnitude + 1e-6)


def gpu_present():
    library = ctypes.util.find_library("cuda")
    if library is None:
        return False
    try:
        cuda = ctypes.CDLL(library)
    except OSError:
        return False
    count = ctypes.c_int(0)
    return cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(count)) == 0 \
        and count.value > 0


def test_device_library_loads_and_fails_cleanly_without_a_gpu():
    case = CASES[4]
    model, weights = build("", [case])
    x = np.ones((2, case[1][1]), np.float32)
    if gpu_present():
        got = model.run(case_name(case), x)
        np.testing.assert_allclose(got, references.linear(x, weights[case_name(case)].dequantize()),
                                   rtol=1e-4, atol=1e-4)
        return
    with pytest.raises(loom.RunError, match="runs on an NVIDIA GPU"):
        model.run(case_name(case), x)


def test_bad_pipeline_options_are_a_compile_error():
    with pytest.raises(loom.CompileError, match="block-rows must be a positive multiple of 32"):
        build("interpret=1 block-rows=48", CASES[:1])


INT8_CASES = [("ternary", None, (130, 256), "row"), ("int4", 32, (33, 96), 32),
              ("uint2", -1, (7, 64), "row"), ("binary", 32, (16, 64), 32),
              ("uint4", 32, (65, 160), "row"), ("int2", None, (40, 40), "row"),
              ("int3", 16, (20, 96), "row"), ("int4", 8, (9, 48), 16)]


@pytest.mark.parametrize("fmt, group, shape, act_quant", INT8_CASES,
                         ids=[f"{c[0]}_{c[3]}_{c[2][0]}x{c[2][1]}" for c in INT8_CASES])
@pytest.mark.parametrize("tokens", [1, 9])
@pytest.mark.parametrize("tiling", ["", " block-rows=32 rows-per-thread=4"],
                         ids=["default", "elongated"])
def test_int8_activations_are_exact(fmt, group, shape, act_quant, tokens, tiling):
    """act_quant on the GPU: X quantized to int8 on the host, integer tables
    and per-segment integer sums in the kernel (the exact contract of
    lut.md 1.4). Against numpy on the same quantized activations (f32
    rounding) and, where a row is one segment without mins, bit for bit
    against the contract's y = fl(fl(s_x * s_w) * fl(acc)),
    acc = sum x_q * (v(q) - z)."""
    m, k = shape
    w = loom.lut.quantize(np.random.default_rng(5).normal(size=shape), fmt, group_size=group)
    function = loom.Function(lambda x: loom.lut.mpgemm(x, w, act_quant=act_quant),
                             name="gemm", args=[loom.tensor(None, k)])
    gpu = loom.compile(function, target="nvptx", pipeline_options="interpret=1" + tiling)
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, k)).astype(np.float32)
    got = gpu(x)
    block = k if act_quant == "row" else act_quant
    blocks = x.reshape(tokens, k // block, block).astype(np.float64)
    step = np.abs(blocks).max(axis=2, keepdims=True) / 127
    quantized = (np.round(blocks / step) * step).reshape(tokens, k)
    dense = w.dequantize()
    want = quantized @ dense.T
    assert np.all(np.abs(got - want) <= 1e-5 * (np.abs(quantized) @ np.abs(dense).T) + 1e-6)
    if group in (None, -1) and act_quant == "row" and "offset = min" not in w.packed_type():
        sw = np.broadcast_to(np.asarray(w.scales, np.float32).reshape(-1), (m,))
        values = np.rint(dense.astype(np.float64) / sw[:, None]).astype(np.int64)
        np.testing.assert_array_equal(got, lut_models.exact_contract(x, sw, values))


@pytest.mark.parametrize("group, act_block", [(32, 0), (32, 32), (96, 0)])
def test_int8_activations_with_zero_points(tmp_path, group, act_block):
    """Zero points enter the exact kernel's integer sums (z * X_S subtracted
    before any rounding): against the reference lowering (f64 over logical
    codes) on the same module, to the exact contract's bound; bit for bit
    against the contract's formula where a row is one segment."""
    rng = np.random.default_rng(group + act_block)
    m, k = 37, 96
    path = tmp_path / "zp.mlir"
    codes, scales, zeros = lut_models.zero_point_gemm(path, rng, m, k, group, act_block)
    gpu = loom.compile(str(path), target="nvptx", pipeline_options="interpret=1")
    reference = loom.compile(str(path), reference=True)
    x = rng.uniform(-1, 1, (5, k)).astype(np.float32)
    got, want = gpu(x), reference(x)
    dense = scales.astype(np.float64).repeat(group, axis=1) * (codes - zeros.repeat(group, axis=1))
    segments = k // min(group, act_block or k)
    bound = (segments + 1) * 2.0 ** -24 * (np.abs(x) @ np.abs(dense).T) * 1.01 + 1e-6
    assert np.all(np.abs(got - want) <= bound)
    if segments == 1:
        np.testing.assert_array_equal(got, lut_models.exact_contract(x, scales[:, 0],
                                                                     codes - zeros))

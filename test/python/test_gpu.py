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


@pytest.fixture(scope="module")
def interpreted():
    return build("interpret=1")


def full_scales(w):
    """Each weight's scale, broadcast to [M, K]."""
    m, k = w.shape
    s = np.abs(w.scales.astype(np.float64))
    if s.size == 1:
        return np.full((m, k), s.reshape(-1)[0])
    return np.repeat(s, k // s.shape[1], axis=1)


@pytest.mark.parametrize("case", CASES, ids=case_name)
@pytest.mark.parametrize("tokens", [0, 1, 3, 8, 17])
def test_kernel_matches_numpy(interpreted, case, tokens):
    model, weights = interpreted
    w = weights[case_name(case)]
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, w.shape[1])).astype(np.float32)
    got = model.run(case_name(case), x)
    dense = w.dequantize()
    want = references.linear(x, dense)
    assert got.shape == want.shape and got.dtype == np.float32
    # fp32 tables (the `fp` contract): each group's sum goes through the
    # bit planes, whose terms reach 2^bits * s * |x| even where w is 0.
    bits = 2 if w.format in ("ternary", "binary") else int(w.format[-1])
    magnitude = np.abs(x).astype(np.float64) @ (np.abs(dense) + full_scales(w) * 2 ** bits).T
    assert np.all(np.abs(got - want) <= 1e-5 * magnitude + 1e-6)


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

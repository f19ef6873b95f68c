"""loom.compile's outputs and options, loom.load of libraries loom-compile
built, MLIR files compiled from Python, and the README's decoder block run
through Python against its numpy reference."""
import os
import subprocess
import sys

import numpy as np
import pytest

import loom
import references
from loom import _config
from conftest import LOOM_ROOT, load_example

LOOM_COMPILE = os.path.join(os.path.dirname(_config.LOOM_RUN), "loom-compile")


def double(x: loom.tensor(None, 8)):
    return x + x


def test_output_and_header(tmp_path):
    model = loom.compile(loom.function(double), tmp_path / "libdouble.so")
    assert model.path == str(tmp_path / "libdouble.so")
    header = (tmp_path / "double.h").read_text()
    assert "loom_run_double" in header
    assert model.signature("double")["inputs"][0]["shape"] == [-1, 8]
    x = np.arange(16, dtype=np.float32).reshape(2, 8)
    np.testing.assert_array_equal(model.double(x), 2 * x)
    # A second process opens the same library.
    again = loom.load(tmp_path / "libdouble.so")
    np.testing.assert_array_equal(again(x), 2 * x)


def test_reference_pipeline_agrees(rng):
    """The oracle lowering and the vector kernels, each within its contract
    of numpy: f32 rounding for the oracle, lut.md §1.4's int8-table bound
    for the kernels."""
    w = loom.lut.quantize(rng.normal(size=(24, 64)), "int2", group_size=32)

    @loom.function
    def proj(x: loom.tensor(None, 64)):
        return loom.lut.linear(x, w)

    x = rng.uniform(-1, 1, (5, 64)).astype(np.float32)
    want = x.astype(np.float64) @ w.dequantize().T
    tight = 1e-5 * (np.abs(x) @ np.abs(w.dequantize()).T) + 1e-6
    oracle = loom.compile(proj, reference=True)(x)
    assert np.all(np.abs(oracle - want) <= tight)
    table = references.table_i8_bound(x, w.shape, w.scales, 2, 32)
    assert np.all(np.abs(loom.compile(proj)(x) - want) <= tight + table)


@pytest.fixture
def ternary_projection(rng):
    """A 128 -> 64 ternary lut.linear and a check of a compile of it."""
    w = loom.lut.quantize(rng.normal(size=(64, 128)), "ternary")

    @loom.function
    def proj(x: loom.tensor(None, 128)):
        return loom.lut.linear(x, w)

    def check(model):
        x = rng.uniform(-1, 1, (3, 128)).astype(np.float32)
        want = x.astype(np.float64) @ w.dequantize().T
        bound = references.table_i8_bound(x, w.shape, w.scales, "ternary", None) + 1e-4
        assert np.all(np.abs(model(x) - want) <= bound)
    return proj, check


def test_decisions_round_trip(tmp_path, ternary_projection):
    proj, check = ternary_projection
    decisions = tmp_path / "decisions.json"
    loom.compile(proj, dump_decisions=decisions)
    assert '"lut.gemm"' in decisions.read_text()
    check(loom.compile(proj, load_decisions=decisions))


def test_cost_model_choice(tmp_path, ternary_projection):
    proj, check = ternary_projection
    decisions = tmp_path / "roofline.json"
    model = loom.compile(proj, cost_model="roofline", dump_decisions=decisions)
    assert 'source = \\"roofline\\"' in decisions.read_text()
    check(model)
    # A directory of models: no such model in it, so the roofline decides;
    # its compiles bypass the cache, which cannot see the files change.
    models = tmp_path / "models"
    models.mkdir()
    for _ in range(2):
        assert not loom.compile(proj, cost_model=models).from_cache
    with pytest.raises(loom.CompileError, match="--cost-model must be auto, roofline, none or a directory of models, got 'best'"):
        loom.compile(proj, cost_model="best")


def test_library_from_loom_compile(tmp_path):
    source = tmp_path / "add.mlir"
    source.write_text("""
func.func @add(%a: tensor<?x4xf32>, %b: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c = arith.addf %a, %b : tensor<?x4xf32>
  return %c : tensor<?x4xf32>
}
""")
    subprocess.run([LOOM_COMPILE, source, "-o", tmp_path / "libadd.so"], check=True)
    model = loom.load(tmp_path / "libadd.so")
    a = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(model(a, a), 2 * a)
    # The same file compiled from Python.
    np.testing.assert_array_equal(loom.compile(str(source))(a, a), 2 * a)


def test_missing_library():
    with pytest.raises(loom.RunError, match="no-such-lib.so"):
        loom.load("/nonexistent/no-such-lib.so")


def run_steps(model, tokens, prefill, decode):
    """run_block.c's protocol: a prefill, then decode steps threading the
    KV cache."""
    k = v = np.zeros((64, 64), np.float32)
    outputs = []
    for row, n in [(0, prefill)] + [(prefill + i, 1) for i in range(decode)]:
        y, k, v = model.step(tokens[row:row + n], np.array([row], np.int64), k, v)
        outputs.append(y)
    return np.concatenate(outputs)


@pytest.fixture(scope="module")
def decoder_block(tmp_path_factory):
    """examples/decoder_block (the README's main job) at 6 + 3 tokens."""
    out = tmp_path_factory.mktemp("decoder_block")
    subprocess.run([sys.executable, os.path.join(LOOM_ROOT, "examples", "decoder_block",
                                                 "generate.py"), out,
                    "--prefill", "6", "--decode", "3"], check=True, capture_output=True)
    return load_example("decoder_block"), out, np.load(out / "tokens.npy"), np.load(out / "expected.npy")


def test_decoder_block_mlir(decoder_block):
    """The example's MLIR, compiled from Python."""
    _, out, tokens, expected = decoder_block
    got = run_steps(loom.compile(loom.parse_file(out / "block.mlir")), tokens, 6, 3)
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()


def test_decoder_block_built_in_python(decoder_block):
    """The same block written with loom.linalg, loom.ops, loom.lut and
    loom.moe (generate.py's build_with_loom): RMSNorm, rotary embeddings,
    causal attention over the KV cache, ternary and 2-bit weights, MoE."""
    example, _, tokens, expected = decoder_block
    weights = example.Weights(np.random.default_rng(2026))
    model = loom.compile(loom.Module(*example.build_with_loom(loom, weights)))
    assert model.entry_points == ["step", "attention_part", "ffn_part"]
    got = run_steps(model, tokens, 6, 3)
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()
    x1, _, _ = model.attention_part(tokens[:6], np.array([0], np.int64),
                                    np.zeros((64, 64), np.float32), np.zeros((64, 64), np.float32))
    np.testing.assert_allclose(model.ffn_part(x1), got[:6], rtol=1e-5, atol=1e-6)


def test_compiles_in_threads():
    """Compilation releases the GIL: two threads compile at once."""
    from concurrent.futures import ThreadPoolExecutor

    def build(scale):
        f = loom.Function(lambda x: x * float(scale), name=f"times{scale}",
                          args=[loom.tensor(4)])
        return loom.compile(f)(np.ones(4, np.float32))

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(build, [2, 3]))
    np.testing.assert_array_equal(results[0], 2 * np.ones(4))
    np.testing.assert_array_equal(results[1], 3 * np.ones(4))


def test_results_are_not_copied():
    """Results are numpy views on the runtime's buffers: writable, alive
    after the model is gone, freed with the last view (no growth over many
    calls)."""
    import gc
    import resource

    f = loom.Function(lambda x: (x * 2.0, x + 1.0), name="pair",
                      args=[loom.tensor(None, 4)])
    model = loom.compile(f, cache=False)
    x = np.ones((1024, 4), np.float32)
    doubled, shifted = model(x)
    assert doubled.base is not None and doubled.flags.writeable
    doubled[0, 0] = 7.0
    del model
    gc.collect()
    assert doubled.sum() == 2 * x.size + 5 and shifted.sum() == 2 * x.size
    model = loom.compile(f, cache=False)
    for _ in range(2000):
        model(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(20000):
        model(x)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 20000  # 20000 leaked pairs would be 640 MB

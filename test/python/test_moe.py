"""loom.moe.layer compiled and run, against a numpy MoE written from
moe.md; and the bundled example block (examples/moe_lut_block) built from
Python ops, against the example's own numpy reference."""

import numpy as np
import pytest

import loom
import references
from conftest import load_example

E, D = 4, 16
CASES = {
    "top2_swiglu_renorm": dict(k=2, renormalize=True, ffn="swiglu"),
    "top1_relu": dict(k=1, ffn="relu"),
    "topall_gelu": dict(k=E, ffn="gelu"),
    "sigmoid_geglu_scaled": dict(k=2, scoring="sigmoid", renormalize=True,
                                 scale=2.5, ffn="geglu"),
    "capacity_drops": dict(k=2, capacity_factor=0.5, ffn="silu"),
    "capacity_roomy": dict(k=2, capacity_factor=4.0, ffn="gelu_tanh"),
    "groups_top2sum_prioritized": dict(k=2, groups=2, group_topk=1, group_score="top2_sum",
                                       prioritized=True, capacity_factor=1.0),
    "pre_score": dict(k=2, score_at="pre", ffn="relu"),
}
HIDDEN = 12


def weights(name, gated):
    rng = np.random.default_rng(abs(hash(name)) % 2 ** 32)
    router = rng.uniform(-1, 1, (E, D)).astype(np.float32)
    w_in = rng.uniform(-0.5, 0.5, (E, (2 if gated else 1) * HIDDEN, D)).astype(np.float32)
    w_out = rng.uniform(-0.5, 0.5, (E, D, HIDDEN)).astype(np.float32)
    return router, w_in, w_out


@pytest.fixture(scope="module")
def compiled():
    functions, data = [], {}
    for name, options in CASES.items():
        data[name] = weights(name, options.get("ffn", "swiglu") in ("swiglu", "geglu"))

        def layer(x, w=data[name], options=options):
            return loom.moe.layer(x, *w, **options)
        functions.append(loom.Function(layer, name=name, args=[loom.tensor(None, D)]))
    return loom.compile(loom.Module(*functions)), data


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("tokens", [1, 5, 33])
def test_layer_matches_numpy(compiled, name, tokens):
    model, data = compiled
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, D)).astype(np.float32)
    got = model.run(name, x)
    want = references.moe_layer(x, *data[name], **CASES[name])
    assert got.shape == (tokens, D)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_operand_options(rng):
    """select_bias, expert biases, a gated shared expert and the aux loss."""
    router, w_in, w_out = weights("options", False)
    options = dict(
        k=2, ffn="relu", select_bias=rng.uniform(-0.3, 0.3, E).astype(np.float32),
        bias_in=rng.uniform(-0.5, 0.5, (E, HIDDEN)).astype(np.float32),
        bias_out=rng.uniform(-0.5, 0.5, (E, D)).astype(np.float32),
        shared=(rng.uniform(-0.5, 0.5, (8, D)).astype(np.float32),
                rng.uniform(-0.5, 0.5, (D, 8)).astype(np.float32)),
        shared_gate=rng.uniform(-1, 1, D).astype(np.float32), aux_loss=True)

    @loom.function
    def layer(x: loom.tensor(None, D)):
        return loom.moe.layer(x, router, w_in, w_out, **options)

    model = loom.compile(layer)
    for tokens in (1, 6, 21):
        x = rng.uniform(-1, 1, (tokens, D)).astype(np.float32)
        (y, aux), (want, want_aux) = model(x), references.moe_layer(x, router, w_in, w_out, **options)
        np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-5)
        assert aux.shape == () and abs(float(aux) - want_aux) <= 1e-5 * max(1.0, want_aux)


@pytest.mark.parametrize("layout", ["codes", "bitplane"])
def test_low_bit_experts(rng, layout):
    """Experts of int4 and ternary lut weights (lut.stack) against numpy on
    the dequantized weights: to f32 rounding in the reference layout; in
    the kernels' layout within the int8 tables' error (lut.md §1.4) carried
    through the SwiGLU, here under 2 % of the largest output."""
    router = rng.uniform(-1, 1, (E, D)).astype(np.float32)
    w_in = [loom.lut.quantize(rng.normal(size=(2 * HIDDEN, D)), "ternary", layout=layout)
            for _ in range(E)]
    w_out = [loom.lut.quantize(rng.normal(size=(D, HIDDEN)) * 0.3, "int4", group_size=-1,
                               layout=layout) for _ in range(E)]

    @loom.function
    def layer(x: loom.tensor(None, D)):
        return loom.moe.layer(x, router, w_in, w_out, k=2, renormalize=True)

    model = loom.compile(layer)
    dense_in = np.stack([w.dequantize() for w in w_in])
    dense_out = np.stack([w.dequantize() for w in w_out])
    for tokens in (1, 7):
        x = rng.uniform(-1, 1, (tokens, D)).astype(np.float32)
        want = references.moe_layer(x, router, dense_in, dense_out, k=2, renormalize=True)
        if layout == "codes":
            np.testing.assert_allclose(model(x), want, rtol=1e-4, atol=1e-4)
        else:
            assert np.abs(model(x) - want).max() <= 0.02 * np.abs(want).max()


def test_strategy_is_honoured(rng):
    """Each dispatch strategy, forced, computes the same layer."""
    router, w_in, w_out = weights("strategies", True)
    functions = []
    for strategy in ("grouped", "padded", "dense"):
        def layer(x, strategy=strategy):
            return loom.moe.layer(x, router, w_in, w_out, k=2, strategy=strategy)
        functions.append(loom.Function(layer, name=strategy, args=[loom.tensor(None, D)]))
    module = loom.Module(*functions)
    assert "#moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>" in str(module)
    model = loom.compile(module)
    x = rng.uniform(-1, 1, (9, D)).astype(np.float32)
    want = references.moe_layer(x, router, w_in, w_out, k=2)
    for strategy in ("grouped", "padded", "dense"):
        np.testing.assert_allclose(model.run(strategy, x), want, rtol=1e-4, atol=1e-5)


def test_example_block_from_python():
    g = load_example("moe_lut_block")
    x, codes, scale, router, w13, w2 = g.inputs()
    model = loom.compile(g.build_with_loom(loom, codes, scale, router, w13, w2))
    want = g.reference(x, codes, scale[0, 0], router, w13, w2)
    np.testing.assert_allclose(model(x), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(model(x[:1]), want[:1], rtol=1e-4, atol=1e-5)

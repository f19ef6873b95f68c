"""moe.layer compiled for nvptx (convert-moe-to-gpu): the routing kernel,
the grouped GEMM over every expert's rows, the scatter into the tokens and
the row moves, run through the interpreter (the same kernels, their blocks
and threads as host loops) against the numpy MoE of moe.md, over every
routing option, dispatch strategy and shapes that cut the kernels' tiles
(64 x 64, 16 x 128 and 16 x 32, 16 deep; row vectors of 4 rows by 16
columns) and the routing block's 128 threads. The
library built for the device loads everywhere; without a GPU a run fails
with a clear error."""
import numpy as np
import pytest

import loom
import references
from test_gpu import gpu_present
from test_moe import CASES, D, weights

TOKENS = [1, 5, 33]


def compile_layers(layers, options="interpret=1"):
    functions = [loom.Function(fn, name=name, args=[loom.tensor(None, d)])
                 for name, (fn, d) in layers.items()]
    return loom.compile(loom.Module(*functions), target="nvptx",
                        pipeline_options=options)


@pytest.fixture(scope="module")
def routed():
    layers, data = {}, {}
    for name, options in CASES.items():
        data[name] = weights(name, options.get("ffn", "swiglu") in ("swiglu", "geglu"))

        def layer(x, w=data[name], options=options):
            return loom.moe.layer(x, *w, **options)
        layers[name] = (layer, D)
    return compile_layers(layers), data


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("tokens", TOKENS)
def test_layer_matches_numpy(routed, name, tokens):
    model, data = routed
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, D)).astype(np.float32)
    want = references.moe_layer(x, *data[name], **CASES[name])
    np.testing.assert_allclose(model.run(name, x), want, rtol=1e-4, atol=1e-5)


def random_layer(rng, experts, d, hidden, gated):
    router = rng.uniform(-1, 1, (experts, d)).astype(np.float32)
    w_in = rng.uniform(-0.3, 0.3, (experts, (2 if gated else 1) * hidden, d)).astype(np.float32)
    w_out = rng.uniform(-0.3, 0.3, (experts, d, hidden)).astype(np.float32)
    return router, w_in, w_out


# (experts, d, hidden, options): tiles cut along every axis; more experts
# than the routing block's threads; the operands the epilogues take.
AWKWARD = {
    "tiles_swiglu": (6, 80, 70, dict(k=2, renormalize=True)),
    "tiles_relu_bias": (5, 40, 130, dict(k=2, ffn="relu", bias=True)),
    "many_experts": (160, 24, 20, dict(k=3, ffn="gelu")),
    "one_expert": (1, 17, 9, dict(k=1, ffn="silu")),
    "select_bias_shared": (8, 32, 16, dict(k=2, select_bias=True, shared=True,
                                           aux_loss=True)),
    # DeepSeek-V3's routing: sigmoid scores, a selection bias, the experts
    # of the 2 best of 4 groups (by their two best), scaled weights.
    "group_limited": (16, 32, 24, dict(k=4, scoring="sigmoid", groups=4, group_topk=2,
                                       group_score="top2_sum", select_bias=True,
                                       renormalize=True, scale=2.5)),
}


# Below 4 rows per expert on average (1 token) the grouped GEMM runs row
# vectors; below 32 (33 tokens) 16 x 32 blocks when 16 x 128 ones would be
# too few to fill the GPU (always, for layers this small); fill-blocks=0
# keeps the 16 x 128 ones.
@pytest.fixture(scope="module", params=["narrow", "short"])
def awkward(request):
    rng = np.random.default_rng(5)
    layers, data = {}, {}
    for name, (experts, d, hidden, spec) in AWKWARD.items():
        options = {key: v for key, v in spec.items()
                   if key not in ("bias", "select_bias", "shared")}
        w = random_layer(rng, experts, d, hidden, options.get("ffn", "swiglu") == "swiglu")
        if spec.get("bias"):
            options["bias_in"] = rng.uniform(-0.5, 0.5, (experts, hidden)).astype(np.float32)
            options["bias_out"] = rng.uniform(-0.5, 0.5, (experts, d)).astype(np.float32)
        if spec.get("select_bias"):
            options["select_bias"] = rng.uniform(-0.3, 0.3, experts).astype(np.float32)
        if spec.get("shared"):
            options["shared"] = (rng.uniform(-0.3, 0.3, (24, d)).astype(np.float32),
                                 rng.uniform(-0.3, 0.3, (d, 12)).astype(np.float32))
            options["shared_gate"] = rng.uniform(-1, 1, d).astype(np.float32)
        data[name] = (w, options, d)

        def layer(x, w=w, options=options):
            return loom.moe.layer(x, *w, **options)
        layers[name] = (layer, d)
    fill = "" if request.param == "narrow" else " fill-blocks=0"
    return compile_layers(layers, options="interpret=1" + fill), data


@pytest.mark.parametrize("name", AWKWARD)
@pytest.mark.parametrize("tokens", [0, 1, 33, 150])
def test_awkward_shapes_match_numpy(awkward, name, tokens):
    model, data = awkward
    w, options, d = data[name]
    x = np.random.default_rng(tokens).uniform(-1, 1, (tokens, d)).astype(np.float32)
    got, want = model.run(name, x), references.moe_layer(x, *w, **options)
    if options.get("aux_loss"):
        (got, aux), (want, want_aux) = got, want
        assert abs(float(aux) - want_aux) <= 1e-5 * max(1.0, want_aux)
    assert got.shape == (tokens, d)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_every_strategy_matches_numpy(rng):
    router, w_in, w_out = random_layer(rng, 6, 24, 40, True)
    layers = {}
    for strategy in ("grouped", "padded", "dense"):
        def layer(x, strategy=strategy):
            return loom.moe.layer(x, router, w_in, w_out, k=2, strategy=strategy)
        layers[strategy] = (layer, 24)
    model = compile_layers(layers)
    for tokens in (1, 70):
        x = rng.uniform(-1, 1, (tokens, 24)).astype(np.float32)
        want = references.moe_layer(x, router, w_in, w_out, k=2)
        for strategy in layers:
            np.testing.assert_allclose(model.run(strategy, x), want, rtol=1e-4, atol=1e-5,
                                       err_msg=strategy)


def test_device_library_loads_and_fails_cleanly_without_a_gpu(rng):
    router, w_in, w_out = random_layer(rng, 4, 16, 12, True)

    def layer(x):
        return loom.moe.layer(x, router, w_in, w_out, k=2)
    model = compile_layers({"layer": (layer, 16)}, options="")
    x = rng.uniform(-1, 1, (3, 16)).astype(np.float32)
    if gpu_present():
        np.testing.assert_allclose(model.run("layer", x),
                                   references.moe_layer(x, router, w_in, w_out, k=2),
                                   rtol=1e-4, atol=1e-5)
        return
    with pytest.raises(loom.RunError, match="runs on an NVIDIA GPU"):
        model.run("layer", x)


@pytest.mark.parametrize("ffn", ["swiglu", "relu"])
def test_half_precision_layer_matches_the_host(rng, ffn):
    """An f16 layer (weights, activations, hidden rows and result in f16;
    the kernels compute in f32 and round where the host lowering stores)
    against the same layer compiled for the CPU, and both against numpy."""
    router, w_in, w_out = (w.astype(np.float16) for w in
                           random_layer(rng, 6, 40, 70, ffn == "swiglu"))
    bias_out = rng.uniform(-0.2, 0.2, (6, 40)).astype(np.float16)

    def layer(x):
        return loom.moe.layer(x, router, w_in, w_out, k=2, ffn=ffn, renormalize=True,
                              bias_out=bias_out)
    function = loom.Function(layer, name="layer", args=[loom.tensor(None, 40, dtype="f16")])
    gpu = loom.compile(loom.Module(function), target="nvptx", pipeline_options="interpret=1")
    cpu = loom.compile(loom.Module(function))
    for tokens in (1, 70):
        x = rng.uniform(-1, 1, (tokens, 40)).astype(np.float16)
        got, host = gpu.run("layer", x), cpu.run("layer", x)
        assert got.dtype == np.float16 and got.shape == (tokens, 40)
        np.testing.assert_allclose(got.astype(np.float32), host.astype(np.float32),
                                   rtol=2e-3, atol=2e-3)
        want = references.moe_layer(x, router, w_in, w_out, k=2, ffn=ffn, renormalize=True,
                                    bias_out=bias_out)
        np.testing.assert_allclose(got.astype(np.float32), want, rtol=2e-2, atol=2e-2)


def test_tensor_cores_match_numpy_to_tf32(awkward):
    """tensor-cores=1: the wide tile's products on TF32 mma.sync tiles (the
    interpreter emulates each warp from its threads' fragments, in PTX's
    layout); within TF32's rounding (10-bit mantissas) of numpy."""
    _, data = awkward
    layers = {}
    for name in ("tiles_swiglu", "tiles_relu_bias", "select_bias_shared"):
        w, options, d = data[name]

        def layer(x, w=w, options=options):
            return loom.moe.layer(x, *w, **options)
        layers[name] = (layer, d)
    model = compile_layers(layers, options="interpret=1 tensor-cores=1")
    for name in layers:
        w, options, d = data[name]
        # 150 tokens: past 32 rows per expert, the wide (tensor-core) tile.
        x = np.random.default_rng(1).uniform(-1, 1, (150, d)).astype(np.float32)
        got, want = model.run(name, x), references.moe_layer(x, *w, **options)
        if options.get("aux_loss"):
            (got, _), (want, _) = got, want
        assert np.abs(got - want).max() <= 2e-3 * np.abs(want).max(), name


def test_half_precision_tensor_cores_match_the_host(rng):
    """An f16 layer with tensor-cores=1 takes f16 mma.sync (m16n8k16, its
    own fragment layout; the products exact): as close to the CPU build as
    the threads' kernel is."""
    router, w_in, w_out = (w.astype(np.float16) for w in random_layer(rng, 4, 48, 40, True))

    def layer(x):
        return loom.moe.layer(x, router, w_in, w_out, k=2)
    function = loom.Function(layer, name="layer", args=[loom.tensor(None, 48, dtype="f16")])
    gpu = loom.compile(loom.Module(function), target="nvptx",
                       pipeline_options="interpret=1 tensor-cores=1")
    cpu = loom.compile(loom.Module(function))
    # 150 tokens: 75 rows per expert, the wide (tensor-core) tile.
    x = rng.uniform(-1, 1, (150, 48)).astype(np.float16)
    got, host = gpu.run("layer", x), cpu.run("layer", x)
    np.testing.assert_allclose(got.astype(np.float32), host.astype(np.float32),
                               rtol=2e-3, atol=2e-3)

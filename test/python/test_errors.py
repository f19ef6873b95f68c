"""Compiler errors arrive as loom.CompileError naming the Python file and
line that built the op; run-time errors as loom.RunError with the
runtime's message; misuse of the API as the usual Python exceptions."""
import inspect
import re

import numpy as np
import pytest

import loom


def line_of(marker):
    """The line of this file holding `marker` (a comment)."""
    lines = inspect.getsource(inspect.getmodule(line_of)).splitlines()
    return next(k + 1 for k, text in enumerate(lines) if marker in text and "line_of" not in text)


def assert_names_line(error, marker):
    where = f"{__file__}:{line_of(marker)}:"
    assert str(error.value).startswith(where), str(error.value)


def test_verifier_error_names_the_python_line(rng):
    w = loom.lut.quantize(rng.normal(size=(8, 32)), "int4", group_size=16)

    @loom.function
    def bad(x: loom.tensor(None, 16)):
        return loom.lut.linear(x, w)  # MARK-LUT

    with pytest.raises(loom.CompileError) as error:
        loom.compile(bad)
    assert_names_line(error, "MARK-LUT")
    assert "x's last dimension must be K = 32" in str(error.value)


def test_moe_weight_mismatch_names_the_line(rng):
    router = rng.normal(size=(4, 16)).astype(np.float32)
    w_in = rng.normal(size=(4, 24, 16)).astype(np.float32)
    w_out = rng.normal(size=(3, 16, 12)).astype(np.float32)

    @loom.function
    def bad(x: loom.tensor(None, 16)):
        y = x * 2.0
        return loom.moe.layer(y, router, w_in, w_out, k=2)  # MARK-MOE

    with pytest.raises(loom.CompileError) as error:
        loom.Module(bad).verify()
    assert_names_line(error, "MARK-MOE")
    assert "'moe.layer' op" in str(error.value)


def test_bad_attribute_values_name_the_line(rng):
    """Values that only an attribute's verifier checks (k, a register tile)
    are reported at the user's call, not at the attribute's text."""
    router = rng.normal(size=(4, 16)).astype(np.float32)
    w_in = rng.normal(size=(4, 24, 16)).astype(np.float32)
    w_out = rng.normal(size=(4, 16, 12)).astype(np.float32)

    @loom.function
    def no_experts(x: loom.tensor(None, 16)):
        return loom.moe.layer(x, router, w_in, w_out, k=0)  # MARK-K

    @loom.function
    def huge_tile(x: loom.tensor(None, 16)):
        return loom.moe.layer(x, router, w_in, w_out, k=2, strategy="grouped",
                              tile=(8, 8))  # MARK-TILE

    with pytest.raises(loom.CompileError) as error:
        loom.Module(no_experts)
    assert_names_line(error, "MARK-K")
    assert "routing needs k >= 1, got 0 (in #moe.routing<k = 0>)" in str(error.value)
    with pytest.raises(loom.CompileError) as error:
        loom.Module(huge_tile)
    assert "more than the 32 vector registers" in str(error.value)
    assert str(error.value).startswith(f"{__file__}:"), str(error.value)


def test_type_mismatch_in_arithmetic(rng):
    @loom.function
    def bad(x: loom.tensor(4, 8)):
        return x + loom.constant(np.ones((4, 4), np.float32))  # MARK-ADD

    with pytest.raises(loom.CompileError) as error:
        loom.compile(bad)
    assert_names_line(error, "MARK-ADD")


def test_parse_errors_name_the_file():
    with pytest.raises(loom.CompileError, match=r"^model\.mlir:2:3: error: "):
        loom.parse("func.func @f() {\n  bogus.op\n}", "model.mlir")


def test_bad_options_and_pipelines():
    @loom.function
    def f(x: loom.tensor(4)):
        return x * x

    with pytest.raises(loom.CompileError, match="is not a level"):
        loom.compile(f, opt_level=7)
    with pytest.raises(loom.CompileError, match="bad loom-cpu-pipeline options"):
        loom.compile(f, pipeline_options="column-tile=two")
    # LLVM itself would only warn and compile for a generic CPU.
    with pytest.raises(loom.CompileError, match="'zen9' is not a CPU of"):
        loom.compile(f, cpu="zen9")
    with pytest.raises(loom.CompileError, match="'avx2' is not a feature of"):
        loom.compile(f, features="avx2")
    with pytest.raises(loom.CompileError, match="bad pass pipeline"):
        loom.Module(f).run_pipeline("builtin.module(no-such-pass)")


def test_unknown_op_names_the_line():
    @loom.function
    def f(x: loom.tensor(4)):
        loom._ir.create("arith.no_such_op", [x], [x.type])  # MARK-UNKNOWN
        return x

    with pytest.raises(loom.CompileError) as error:
        loom.Module(f)
    assert_names_line(error, "MARK-UNKNOWN")
    assert "unknown operation 'arith.no_such_op'" in str(error.value)


def test_api_misuse():
    with pytest.raises(RuntimeError, match="inside a @loom.function"):
        loom.constant(np.ones(3))
    with pytest.raises(TypeError, match="needs a loom.tensor"):
        @loom.function
        def f(x):
            return x
    with pytest.raises(TypeError, match="returns 3"):
        loom.compile(loom.Function(lambda x: 3, name="g", args=[loom.tensor(4)]))
    with pytest.raises(TypeError, match="no element type"):
        loom.tensor(4, dtype="complex64")
    with pytest.raises(ValueError, match="a dimension is a size >= 0"):
        loom.tensor(-1, 4)


@pytest.fixture(scope="module")
def model():
    @loom.function
    def scale(x: loom.tensor(None, 4), s: loom.tensor(4, dtype=np.float64)):
        return x * 2.0, s + s
    return loom.compile(scale)


def test_runtime_errors(model):
    x, s = np.ones((3, 4), np.float32), np.ones(4)
    y, t = model(x, s)
    np.testing.assert_array_equal(y, 2 * x)
    np.testing.assert_array_equal(t, 2 * s)
    cases = [
        ((x.astype(np.float64), s), re.escape("input 0 (arg0) has element type f64, expected f32")),
        ((x[0], s), re.escape("input 0 (arg0) has rank 1, expected 2")),
        ((np.ones((3, 5), np.float32), s), re.escape("input 0 (arg0) has shape [3, 5], expected [?, 4]")),
        ((x,), "expected 2 inputs, got 1"),
        ((x.astype(np.complex64), s), "numpy dtype complex64"),
    ]
    for inputs, message in cases:
        with pytest.raises(loom.RunError, match=message):
            model(*inputs)


def test_non_contiguous_inputs_are_copied(model):
    x = np.arange(24, dtype=np.float32).reshape(3, 8)[:, ::2]
    y, _ = model(x, np.ones(4))
    np.testing.assert_array_equal(y, 2 * x)


def test_calls_between_functions():
    @loom.function
    def double(x: loom.tensor(4)):
        return x + x

    @loom.function
    def quadruple(x: loom.tensor(4)):
        return double(double(x))

    module = loom.Module(quadruple)
    text = str(module)
    assert text.count("func.func private @double") == 1
    assert text.count("call @double") == 2
    model = loom.compile(module)
    assert model.entry_points == ["quadruple"]
    np.testing.assert_array_equal(model(np.ones(4, np.float32)), 4 * np.ones(4))
    both = loom.compile(loom.Module(quadruple, double))
    assert both.entry_points == ["quadruple", "double"]

    @loom.function(name="double")
    def other(x: loom.tensor(4)):
        return x

    with pytest.raises(ValueError, match="two functions named double"):
        loom.Module(quadruple, other)
    with pytest.raises(RuntimeError, match="call it inside a traced"):
        double(np.ones(4))


def test_recursion_is_refused():
    @loom.function
    def forever(x: loom.tensor(4)):
        return forever(x)

    with pytest.raises(RuntimeError, match="calls itself"):
        loom.Module(forever)

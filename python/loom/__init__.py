"""Loom from Python: build Loom models and workflows, compile them ahead of
time to a native library, and run them on numpy arrays.

    import loom, numpy as np

    w = loom.lut.quantize(np.random.randn(64, 128), "ternary")

    @loom.function
    def proj(x: loom.tensor(None, 128)):
        return loom.lut.linear(x, w)

    model = loom.compile(proj)
    y = model(np.ones((4, 128), np.float32))

See docs/Python.md.
"""
from . import linalg, lut, moe, ops, wf
from ._ir import Scalar, Tensor, TensorType, tensor
from ._loom import CompileError, RunError
from .compiler import CompiledModel, compile, load
from .module import Function, Module, function, parse, parse_file
from .ops import constant

__all__ = [
    "CompileError", "CompiledModel", "Function", "Module", "RunError", "Scalar",
    "Tensor", "TensorType", "compile", "constant", "function", "linalg", "load",
    "lut", "moe", "ops", "parse", "parse_file", "tensor", "wf",
]

"""Tracing Python into Loom IR.

A `Function` runs its Python body once on symbolic `Tensor`s; every op it
calls appends to the function being traced, stamped with the position of the
user's Python code that called it (the first frame outside this package), so
that a verifier error names the user's file and line, not Loom's.
"""
import os
import re
import sys
import threading

import numpy as np

from . import _loom

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# numpy dtype names and the element types of Loom's C API.
_ELEMENT_TYPES = {
    "float32": "f32", "float64": "f64", "float16": "f16", "int8": "i8",
    "int16": "i16", "int32": "i32", "int64": "i64", "bool": "i1",
}

_context = None


def context():
    """The process-wide MLIR context with Loom's dialects."""
    global _context
    if _context is None:
        _context = _loom.Context()
    return _context


def element_type(dtype):
    """An MLIR element type name for a numpy dtype or a name such as 'f32'."""
    try:
        name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    except TypeError:
        name = str(dtype)
    if name in _ELEMENT_TYPES.values() or name == "bf16":
        return name
    if name in _ELEMENT_TYPES:
        return _ELEMENT_TYPES[name]
    raise TypeError(f"Loom has no element type for {name!r}")


class TensorType:
    """A ranked tensor type; None in `shape` is a dynamic dimension."""

    def __init__(self, shape, dtype="f32"):
        self.shape = tuple(None if d is None or d == "?" else int(d) for d in shape)
        if any(d is not None and d < 0 for d in self.shape):
            raise ValueError(f"a dimension is a size >= 0 or None (dynamic), not in {shape}")
        self.dtype = element_type(dtype)

    def mlir(self):
        dims = "".join(("?" if d is None else str(d)) + "x" for d in self.shape)
        return f"tensor<{dims}{self.dtype}>"

    def __eq__(self, other):
        return isinstance(other, TensorType) and (self.shape, self.dtype) == (
            other.shape, other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"loom.tensor({', '.join(map(str, self.shape))}, dtype={self.dtype!r})"


def type_text(t):
    """MLIR type text of a TensorType or a type given as text."""
    return t.mlir() if isinstance(t, TensorType) else str(t)


def float_literal(value):
    """A finite float as MLIR spells it (a decimal point and all the digits
    that round-trip: 1e-05 is not MLIR, 1.00000000000000008e-05 is)."""
    return f"{float(value):.17e}"


def tensor(*shape, dtype="f32"):
    """`loom.tensor(None, 16)`: the type of a [?, 16] f32 tensor argument."""
    return TensorType(shape, dtype)


def caller_position():
    """(file, line, column) of the innermost frame outside the loom package."""
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(
            os.path.abspath(frame.f_code.co_filename)).startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return "<unknown>", 0, 0
    column = 1
    if frame.f_lasti >= 0:
        for k, position in enumerate(frame.f_code.co_positions()):
            if k == frame.f_lasti // 2:
                column = (position[2] or 0) + 1
                break
    return frame.f_code.co_filename, frame.f_lineno, column


class _Tracing(threading.local):
    builder = None
    # The loom.Module a function or graph is being traced into: calls to
    # other functions add those to it.
    module = None
    # The wf graph being traced (loom.wf), which collects the declarations
    # its nodes use.
    graph = None


_tracing = _Tracing()


def builder():
    """The builder of the function being traced; ops outside one are errors."""
    if _tracing.builder is None:
        raise RuntimeError(
            "Loom ops build IR: call them inside a @loom.function while it is "
            "traced (by loom.compile or loom.Module)")
    return _tracing.builder


def attr(text):
    """The attribute `text` spells. One that does not verify (a value the
    user gave, out of range) raises a CompileError naming the caller's
    line, as an op's verifier error does, not the attribute's own text."""
    try:
        return context().attr(text)
    except _loom.CompileError as error:
        first = str(error).splitlines()[0]
        parsed = re.match(r"(.*):\d+:\d+: error: (.*)", first)
        detail = f"{parsed[2]} (in {parsed[1]})" if parsed else first
        file, line, column = caller_position()
        raise _loom.CompileError(f"{file}:{line}:{column}: error: {detail}") from None


def create(name, operands=(), results=(), attributes=None, regions=0, bodies=()):
    """Appends op `name` at the caller's Python position; `bodies` (blocks
    from trace_block) become its regions."""
    b = builder()
    b.set_loc(*caller_position())
    ctx = context()
    return b.create(name, [getattr(v, "value", v) for v in operands],
                    [ctx.type(type_text(t)) for t in results],
                    attributes or {}, regions, list(bodies))


def trace_block(fn, arg_types, wrap, terminator):
    """Traces `fn` into a new block, not yet in any op: `fn` gets the block's
    arguments (typed by `arg_types`) wrapped by `wrap(value, type)`, and
    what it returns feeds a `terminator` op. Returns (block, results): the
    results' types decide those of the op the block goes into."""
    ctx = context()
    outer = builder()
    outer.set_loc(*caller_position())
    body = outer.new_block([ctx.type(type_text(t)) for t in arg_types])
    inner = _loom.Builder(ctx)
    inner.set_insertion_point_to_end(body.block)
    previous, _tracing.builder = _tracing.builder, inner
    try:
        results = fn(*[wrap(body.block.arg(k), t) for k, t in enumerate(arg_types)])
        results = list(results) if isinstance(results, (list, tuple)) else [results]
        create(terminator, results)
    finally:
        _tracing.builder = previous
    return body, results


class Valued:
    """A value of the function being traced, with Python's arithmetic
    operators (loom.ops.elementwise)."""

    def __init__(self, value, type_):
        self.value = value
        self.type = type_

    def _binary(self, other, op, swap=False):
        from . import ops
        return ops.elementwise(op, other, self) if swap else ops.elementwise(op, self, other)

    def __add__(self, other):
        return self._binary(other, "add")

    def __radd__(self, other):
        return self._binary(other, "add", swap=True)

    def __sub__(self, other):
        return self._binary(other, "sub")

    def __rsub__(self, other):
        return self._binary(other, "sub", swap=True)

    def __mul__(self, other):
        return self._binary(other, "mul")

    def __rmul__(self, other):
        return self._binary(other, "mul", swap=True)

    def __truediv__(self, other):
        return self._binary(other, "div")

    def __rtruediv__(self, other):
        return self._binary(other, "div", swap=True)

    def __neg__(self):
        from . import ops
        return ops.neg(self)


class Tensor(Valued):
    """A tensor value of the function being traced."""

    @property
    def shape(self):
        return self.type.shape

    @property
    def dtype(self):
        return self.type.dtype

    def __repr__(self):
        return f"<loom.Tensor {self.type.mlir()}>"


class Scalar(Valued):
    """A scalar value (f32, i64, index, i1, ...): an element inside a
    loom.ops.generic body, a tensor element, a dimension size."""

    @property
    def dtype(self):
        return self.type

    def __repr__(self):
        return f"<loom.Scalar {self.type}>"

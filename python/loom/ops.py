"""Tensor ops of the upstream dialects that Loom's blocks need.

Elementwise arithmetic (the operators + - * / of loom.Tensor, maximum,
minimum) takes two tensors of one type, or a tensor and a Python number
(splatted to the tensor's shape); shapes are not broadcast, so a mismatch
is an error of the op's verifier at the calling line.
"""
import numpy as np

from . import _ir
from ._ir import Tensor, TensorType, context, create

_FLOAT_OPS = {"add": "arith.addf", "sub": "arith.subf", "mul": "arith.mulf",
              "div": "arith.divf", "max": "arith.maximumf",
              "min": "arith.minimumf"}
_INT_OPS = {"add": "arith.addi", "sub": "arith.subi", "mul": "arith.muli",
            "div": "arith.divsi", "max": "arith.maxsi", "min": "arith.minsi"}


def _is_float(dtype):
    return dtype in ("f16", "bf16", "f32", "f64")


def constant(array, dtype=None):
    """A tensor constant holding a numpy array (converted to `dtype`)."""
    array = np.asarray(array)
    if dtype is not None:
        array = array.astype(np.dtype(_numpy_name(_ir.element_type(dtype))))
    type_ = TensorType(array.shape, array.dtype)
    ctx = context()
    attr = ctx.dense(np.ascontiguousarray(array), ctx.type(type_.mlir()))
    op = create("arith.constant", results=[type_], attributes={"value": attr})
    return Tensor(op.result(0), type_)


def _numpy_name(element):
    return {"f32": "float32", "f64": "float64", "f16": "float16", "i8": "int8",
            "i16": "int16", "i32": "int32", "i64": "int64", "i1": "bool"}[element]


def _index(value):
    op = create("arith.constant", results=["index"],
                attributes={"value": context().attr(f"{int(value)} : index")})
    return op.result(0)


def full_like(x, value):
    """A tensor of x's type and shape filled with the number `value`."""
    element = x.dtype
    literal = repr(float(value)) if _is_float(element) else str(int(value))
    scalar = create("arith.constant", results=[element],
                    attributes={"value": context().attr(f"{literal} : {element}")})
    dims = [create("tensor.dim", [x.value, _index(k)], ["index"]).result(0)
            for k, d in enumerate(x.shape) if d is None]
    op = create("tensor.splat", [scalar.result(0)] + dims, [x.type])
    return Tensor(op.result(0), x.type)


def elementwise(kind, lhs, rhs):
    """lhs <kind> rhs for kind in add, sub, mul, div, max, min."""
    if not isinstance(lhs, Tensor):
        lhs = full_like(rhs, lhs)
    if not isinstance(rhs, Tensor):
        rhs = full_like(lhs, rhs)
    table = _FLOAT_OPS if _is_float(lhs.dtype) else _INT_OPS
    op = create(table[kind], [lhs, rhs], [lhs.type])
    return Tensor(op.result(0), lhs.type)


def _unary(name, x):
    op = create(name, [x], [x.type])
    return Tensor(op.result(0), x.type)


def maximum(lhs, rhs):
    return elementwise("max", lhs, rhs)


def minimum(lhs, rhs):
    return elementwise("min", lhs, rhs)


def neg(x):
    return _unary("arith.negf", x)


def exp(x):
    return _unary("math.exp", x)


def tanh(x):
    return _unary("math.tanh", x)


def sqrt(x):
    return _unary("math.sqrt", x)


def relu(x):
    return maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + exp(-x))


def silu(x):
    return x * sigmoid(x)

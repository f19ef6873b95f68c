"""Ops of the upstream dialects (arith, math, tensor, linalg) over traced
tensors and scalars.

Elementwise arithmetic (the operators + - * / of loom.Tensor and
loom.Scalar, maximum, minimum, the math functions) takes two values of one
type, or a value and a Python number (a constant of the value's type);
tensors are not broadcast here — loom.linalg maps and reduces over index
expressions — so a shape mismatch is an error of the op's verifier at the
calling line.
"""
import numpy as np

from . import _ir
from ._ir import Scalar, Tensor, TensorType, Valued, context, create

_FLOAT_OPS = {"add": "arith.addf", "sub": "arith.subf", "mul": "arith.mulf",
              "div": "arith.divf", "max": "arith.maximumf",
              "min": "arith.minimumf"}
_INT_OPS = {"add": "arith.addi", "sub": "arith.subi", "mul": "arith.muli",
            "div": "arith.divsi", "max": "arith.maxsi", "min": "arith.minsi"}
_FLOATS = ("f16", "bf16", "f32", "f64")
# arith.cmpf's and arith.cmpi's predicate numbers: olt, ole, ogt, oge, oeq,
# one; slt, sle, sgt, sge, eq, ne.
_COMPARE_F = {"<": 4, "<=": 5, ">": 2, ">=": 3, "==": 1, "!=": 6}
_COMPARE_I = {"<": 2, "<=": 3, ">": 4, ">=": 5, "==": 0, "!=": 1}


def _is_float(dtype):
    return dtype in _FLOATS


def _bits(dtype):
    return 64 if dtype == "index" else int(dtype[1:]) if dtype[0] in "if" else 16


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


def scalar(value, dtype="f32"):
    """A scalar constant: scalar(0.5), scalar(3, "index"), scalar(-inf)."""
    if not _is_float(dtype):
        literal = str(int(value))
    elif np.isfinite(value):
        literal = _ir.float_literal(value)
    else:  # MLIR spells infinities and NaNs by their bits.
        bits = np.array(value, np.float64 if dtype == "f64" else np.float32)
        literal = "0x" + bits.tobytes()[::-1].hex().upper()
    op = create("arith.constant", results=[dtype],
                attributes={"value": context().attr(f"{literal} : {dtype}")})
    return Scalar(op.result(0), dtype)


def _numpy_name(element):
    return next(n for n, e in _ir._ELEMENT_TYPES.items() if e == element)


def _index(value):
    return value.value if isinstance(value, Scalar) else scalar(value, "index").value


def dim(x, axis):
    """The size of x along `axis`, as an index scalar (tensor.dim)."""
    axis %= len(x.shape)
    if x.shape[axis] is not None:
        return scalar(x.shape[axis], "index")
    return Scalar(create("tensor.dim", [x, _index(axis)], ["index"]).result(0), "index")


def _dynamic_sizes(shape, sizes_of):
    """The index operands of a shape's dynamic dimensions."""
    return [_index(sizes_of(k)) for k, d in enumerate(shape) if d is None]


def empty(shape, dtype="f32"):
    """An uninitialized tensor (tensor.empty); a dimension is an int or an
    index scalar (dynamic)."""
    static = tuple(d if isinstance(d, int) else None for d in shape)
    type_ = TensorType(static, dtype)
    op = create("tensor.empty", [d for d in shape if not isinstance(d, int)], [type_])
    return Tensor(op.result(0), type_)


def full_like(x, value):
    """A tensor of x's type and shape filled with the number `value`, or a
    scalar constant of x's type if x is a scalar."""
    if isinstance(x, Scalar):
        return scalar(value, x.type)
    fill = scalar(value, x.dtype)
    op = create("tensor.splat", [fill] + _dynamic_sizes(x.shape, lambda k: dim(x, k)),
                [x.type])
    return Tensor(op.result(0), x.type)


def fill(value, like):
    """`like` (a tensor, e.g. from empty) overwritten with `value` (linalg.fill)."""
    if not isinstance(value, Scalar):
        value = scalar(value, like.dtype)
    op = create("linalg.fill", [value, like], [like.type], {
        "operandSegmentSizes": context().attr("array<i32: 1, 1>")}, bodies=[
            _ir.trace_block(lambda v, o: v, [value.type, like.dtype], Scalar,
                            "linalg.yield")[0]])
    return Tensor(op.result(0), like.type)


def elementwise(kind, lhs, rhs):
    """lhs <kind> rhs for kind in add, sub, mul, div, max, min."""
    if not isinstance(lhs, Valued):
        lhs = full_like(rhs, lhs)
    if not isinstance(rhs, Valued):
        rhs = full_like(lhs, rhs)
    table = _FLOAT_OPS if _is_float(lhs.dtype) else _INT_OPS
    return type(lhs)(create(table[kind], [lhs, rhs], [lhs.type]).result(0), lhs.type)


def _unary(name, x):
    return type(x)(create(name, [x], [x.type]).result(0), x.type)


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


def cos(x):
    return _unary("math.cos", x)


def sin(x):
    return _unary("math.sin", x)


def relu(x):
    return maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + exp(-x))


def silu(x):
    return x * sigmoid(x)


def compare(op, lhs, rhs):
    """lhs <op> rhs for op in < <= > >= == != (ordered for floats, signed
    for integers and indices): an i1 scalar or tensor."""
    if not isinstance(rhs, Valued):
        rhs = full_like(lhs, rhs)
    floating = _is_float(lhs.dtype)
    predicate = (_COMPARE_F if floating else _COMPARE_I)[op]
    attr = context().i64(predicate)
    result = "i1" if isinstance(lhs, Scalar) else TensorType(lhs.shape, "i1")
    op_ = create("arith.cmpf" if floating else "arith.cmpi", [lhs, rhs], [result],
                 {"predicate": attr})
    return type(lhs)(op_.result(0), result)


def select(condition, if_true, if_false):
    """if_true where condition, else if_false (arith.select)."""
    if not isinstance(if_true, Valued):
        if_true = full_like(if_false, if_true)
    if not isinstance(if_false, Valued):
        if_false = full_like(if_true, if_false)
    op = create("arith.select", [condition, if_true, if_false], [if_true.type])
    return type(if_true)(op.result(0), if_true.type)


def convert(x, dtype):
    """x converted to `dtype` (int <-> float, widths, index) with the arith
    cast that fits: sitofp, fptosi, extf, truncf, extsi, trunci, index_cast."""
    src = x.dtype
    if src == dtype:
        return x
    if src == "index" or dtype == "index":
        name = "arith.index_cast"
    elif _is_float(src) and _is_float(dtype):
        name = "arith.extf" if _bits(dtype) > _bits(src) else "arith.truncf"
    elif _is_float(dtype):
        name = "arith.sitofp"
    elif _is_float(src):
        name = "arith.fptosi"
    else:
        name = "arith.extsi" if _bits(dtype) > _bits(src) else "arith.trunci"
    result = dtype if isinstance(x, Scalar) else TensorType(x.shape, dtype)
    return type(x)(create(name, [x], [result]).result(0), result)


def extract(x, *indices):
    """The element of x at `indices` (ints or index scalars) (tensor.extract)."""
    op = create("tensor.extract", [x] + [_index(i) for i in indices], [x.dtype])
    return Scalar(op.result(0), x.dtype)


_DYNAMIC = -9223372036854775808  # ShapedType::kDynamic


def _mixed(values):
    """Static ints and index scalars as (static array text, dynamic operands)."""
    static, dynamic = [], []
    for v in values:
        if isinstance(v, int):
            static.append(v)
        else:
            static.append(_DYNAMIC)
            dynamic.append(_index(v))
    return "array<i64: " + ", ".join(map(str, static)) + ">", dynamic


def _slice_attributes(offsets, sizes, strides, sources):
    ctx = context()
    (off, off_v), (siz, siz_v), (st, st_v) = _mixed(offsets), _mixed(sizes), _mixed(strides)
    attributes = {"static_offsets": ctx.attr(off), "static_sizes": ctx.attr(siz),
                  "static_strides": ctx.attr(st),
                  "operandSegmentSizes": ctx.attr(
                      "array<i32: " + ", ".join(map(str, [1] * sources + [len(off_v), len(siz_v), len(st_v)])) + ">")}
    return attributes, off_v + siz_v + st_v


def slice(x, offsets, sizes):
    """x[offsets : offsets + sizes], unit strides (tensor.extract_slice);
    offsets and sizes are ints or index scalars."""
    strides = [1] * len(offsets)
    attributes, operands = _slice_attributes(offsets, sizes, strides, 1)
    type_ = TensorType(tuple(s if isinstance(s, int) else None for s in sizes), x.dtype)
    op = create("tensor.extract_slice", [x] + operands, [type_], attributes)
    return Tensor(op.result(0), type_)


def insert(source, dest, offsets):
    """dest with `source` written at `offsets` (tensor.insert_slice)."""
    sizes = [d if d is not None else dim(source, k) for k, d in enumerate(source.shape)]
    attributes, operands = _slice_attributes(offsets, sizes, [1] * len(offsets), 2)
    op = create("tensor.insert_slice", [source, dest] + operands, [dest.type], attributes)
    return Tensor(op.result(0), dest.type)


def split_dim(x, axis, sizes):
    """x with dimension `axis` split into `sizes` (one may be None: the rest)
    (tensor.expand_shape)."""
    axis %= len(x.shape)
    shape = x.shape[:axis] + tuple(sizes) + x.shape[axis + 1:]
    groups, k = [], 0
    for a in range(len(x.shape)):
        width = len(sizes) if a == axis else 1
        groups.append(list(range(k, k + width)))
        k += width
    sizes_of = [None] * len(shape)
    for a, d in enumerate(x.shape):
        if d is None and a != axis:
            sizes_of[groups[a][0]] = dim(x, a)
    if None in sizes:
        rest = dim(x, axis)
        known = int(np.prod([s for s in sizes if s is not None]))
        sizes_of[axis + list(sizes).index(None)] = rest if known == 1 else rest / scalar(known, "index")
    static, dynamic = _mixed([d if d is not None else sizes_of[k] for k, d in enumerate(shape)])
    ctx = context()
    type_ = TensorType(shape, x.dtype)
    op = create("tensor.expand_shape", [x] + dynamic, [type_], {
        "reassociation": ctx.attr(str(groups)), "static_output_shape": ctx.attr(static)})
    return Tensor(op.result(0), type_)


def merge_dims(x, first, last):
    """x with dimensions first..last (inclusive) merged into one
    (tensor.collapse_shape)."""
    rank = len(x.shape)
    first, last = first % rank, last % rank
    groups = [[a] for a in range(first)] + [list(range(first, last + 1))] + \
        [[a] for a in range(last + 1, rank)]
    merged = x.shape[first:last + 1]
    size = None if None in merged else int(np.prod(merged))
    type_ = TensorType(x.shape[:first] + (size,) + x.shape[last + 1:], x.dtype)
    op = create("tensor.collapse_shape", [x], [type_],
                {"reassociation": context().attr(str(groups))})
    return Tensor(op.result(0), type_)

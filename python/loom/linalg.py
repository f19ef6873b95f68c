"""Structured tensor computations (linalg.generic) written as index
expressions, the way the decoder block's attention, norms and rotary
embeddings are.

A spec names each operand's dimensions by letters and the result's after
`->`: "nj,j->nj" maps over n and j (j broadcast from the second operand);
"nhe,she->nhs" also reduces over e. Sizes come from the operands.
"""
from . import ops
from ._ir import Scalar, Tensor, context, create, trace_block


def _parse(spec, operands):
    inputs, output = spec.replace(" ", "").split("->")
    inputs = inputs.split(",") if inputs else []
    if len(inputs) != len(operands):
        raise ValueError(f"spec {spec!r} names {len(inputs)} operands, got {len(operands)}")
    for letters, x in zip(inputs, operands):
        if len(letters) != len(x.shape):
            raise ValueError(f"spec {spec!r}: {letters!r} for an operand of rank {len(x.shape)}")
    loops = list(output) + [c for c in dict.fromkeys("".join(inputs)) if c not in output]
    return inputs, output, loops


def _size(letter, inputs, operands):
    """The extent of a loop letter: static if any operand knows it."""
    found = None
    for letters, x in zip(inputs, operands):
        for axis, c in enumerate(letters):
            if c == letter:
                if x.shape[axis] is not None:
                    return x.shape[axis]
                found = found or (x, axis)
    if found is None:
        raise ValueError(f"dimension {letter!r} of the result is on no operand")
    return ops.dim(*found)


def generic(body, spec, inputs, inits):
    """linalg.generic: `body(*elements)` gets one scalar per input and per
    init (the accumulator) and returns the new value of each init; loops not
    in the result are reductions. Returns the result tensor(s)."""
    letters, output, loops = _parse(spec, inputs)
    dims = ", ".join(loops)
    maps = [f"affine_map<({dims}) -> ({', '.join(l)})>" for l in letters]
    maps += [f"affine_map<({dims}) -> ({', '.join(output)})>"] * len(inits)
    ctx = context()
    iterators = [f"#linalg.iterator_type<{'parallel' if c in output else 'reduction'}>"
                 for c in loops]
    block, _ = trace_block(body, [x.dtype for x in inputs] + [x.dtype for x in inits],
                           Scalar, "linalg.yield")
    op = create("linalg.generic", list(inputs) + list(inits), [x.type for x in inits], {
        "indexing_maps": ctx.array([ctx.attr(m) for m in maps]),
        "iterator_types": ctx.array([ctx.attr(i) for i in iterators]),
        "operandSegmentSizes": ctx.attr(f"array<i32: {len(inputs)}, {len(inits)}>")},
        bodies=[block])
    results = [Tensor(op.result(k), x.type) for k, x in enumerate(inits)]
    return results[0] if len(results) == 1 else tuple(results)


def _result_init(spec, inputs, dtype, value=None):
    letters, output, _ = _parse(spec, inputs)
    shape = [_size(c, letters, inputs) for c in output]
    init = ops.empty(shape, dtype)
    return init if value is None else ops.fill(value, init)


def apply(fn, spec, *inputs, dtype=None):
    """A map over index expressions: result[out] = fn(inputs[...]) for a
    spec without reductions ("nj,j->nj" broadcasts the second operand).
    `fn` gets one scalar per input; loom.ops.index(axis) inside it is the
    loop index."""
    init = _result_init(spec, inputs, dtype or inputs[0].dtype)
    return generic(lambda *e: fn(*e[:-1]), spec, inputs, [init])


def generate(fn, shape, dtype="f32"):
    """A tensor of `shape` whose elements `fn()` computes from the loop
    indices (loom.linalg.index): tables such as rotary angles."""
    letters = _LETTERS[:len(shape)]
    return generic(lambda out: fn(), "->" + letters, [], [ops.empty(shape, dtype)])


def contract(spec, *inputs):
    """Sum of products over the letters not in the result (einsum):
    "nhe,she->nhs" is attention's scores."""
    init = _result_init(spec, inputs, inputs[0].dtype, 0.0)

    def body(*elements):
        product = elements[0]
        for e in elements[1:-1]:
            product = product * e
        return elements[-1] + product
    return generic(body, spec, inputs, [init])


def reduce(spec, x, kind="sum"):
    """x reduced over the letters not in the result: kind sum, max or min."""
    start = {"sum": 0.0, "max": float("-inf"), "min": float("inf")}[kind]
    combine = {"sum": lambda a, acc: acc + a, "max": lambda a, acc: ops.maximum(acc, a),
               "min": lambda a, acc: ops.minimum(acc, a)}[kind]
    return generic(combine, spec, [x], [_result_init(spec, [x], x.dtype, start)])


def index(axis):
    """Inside a generic body: the loop index of result dimension `axis`."""
    ctx = context()
    op = create("linalg.index", [], ["index"], {"dim": ctx.attr(f"{int(axis)} : i64")})
    return Scalar(op.result(0), "index")


_LETTERS = "abcdefgh"


def softmax(x, axis=-1):
    """exp(x - max) / sum(exp(x - max)) along `axis`."""
    rank = len(x.shape)
    axis %= rank
    full = _LETTERS[:rank]
    kept = full[:axis] + full[axis + 1:]
    top = reduce(f"{full}->{kept}", x, "max")
    e = apply(lambda a, m: ops.exp(a - m), f"{full},{kept}->{full}", x, top)
    total = reduce(f"{full}->{kept}", e, "sum")
    return apply(lambda a, s: a / s, f"{full},{kept}->{full}", e, total)


def rmsnorm(x, gain, eps=1e-6):
    """x / sqrt(mean(x^2 over the last axis) + eps) * gain (gain over the
    last axis)."""
    rank = len(x.shape)
    full, rows = _LETTERS[:rank], _LETTERS[:rank - 1]
    squares = generic(lambda a, acc: acc + a * a, f"{full}->{rows}", [x],
                      [_result_init(f"{full}->{rows}", [x], x.dtype, 0.0)])
    width = ops.convert(ops.dim(x, -1), "i64")

    def normalize(a, total, g):
        mean = total / ops.convert(width, a.dtype)
        return a / ops.sqrt(mean + eps) * g
    return apply(normalize, f"{full},{rows},{full[-1]}->{full}", x, squares, gain)

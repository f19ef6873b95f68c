"""Workflows from Python, captured into `wf` IR (Trace's node and bundle).

A @wf.graph function runs once on symbolic values; the models, parameters,
tools and bundles it calls become wf.llm, wf.tool and wf.code nodes, and
their declarations (wf.model, wf.param, wf.tool_def, wf.code_def) join the
module. Compiled with loom.compile, the graph runs on Loom's workflow
runtime (loom-run): the result holds the outputs and the run's trace in
OptoPrime's sections (#Variables, #Inputs, #Others, #Outputs, #Code,
#Documentation, #Feedback), which an optimizer reads to update the
trainable parameters, passed back as `params=` without recompiling.

    llm = wf.model("m")
    style = wf.param("style", "Answer briefly: ", trainable=True)

    @wf.bundle(trainable=True)
    def normalize(question):
        return " ".join(question.lower().split()) + "?"

    @wf.graph
    def answer(question: wf.text):
        a = llm(style, normalize(question), max_tokens=8)
        wf.feedback(a)
        return a
"""
import inspect
import textwrap

from . import _ir, _wfrun
from ._ir import Tensor, TensorType, context, create
from .module import trace_body

ErrorValue, WorkflowResult = _wfrun.ErrorValue, _wfrun.WorkflowResult

text = "!wf.text"
i64 = "i64"
f64 = "f64"
i1 = "i1"


def list_of(element):
    """The type of a list of `element` values (wf.list)."""
    return f"!wf.list<{element}>"


class Var:
    """A value of the workflow graph being traced (a semantic variable)."""

    def __init__(self, value, type_):
        self.value = value
        self.type = type_

    def __repr__(self):
        return f"<loom.wf.Var {_ir.type_text(self.type)}>"


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\0A") + '"'


class _Declaration:
    """A module-level symbol a graph refers to; declared once per module."""

    name = None

    def declare(self, ctx):
        """The declaring op: (op name, attributes)."""
        raise NotImplementedError


def _used(decl):
    graph = _ir._tracing.graph
    if graph is None:
        raise RuntimeError(f"@{decl.name} is used outside a @wf.graph being traced")
    for d in [decl, *getattr(decl, "dependencies", ())]:
        if graph.uses.setdefault(d.name, d) is not d:
            raise ValueError(f"two different declarations named @{d.name} in one graph")


class Param(_Declaration):
    """A parameter: a prompt, a number (`hparam`) or code an optimizer may
    change (trainable)."""

    def __init__(self, name, value, *, kind=None, trainable=False,
                 description=None, lang=None):
        self.name, self.value, self.trainable = name, value, trainable
        self.kind = kind or ("prompt" if isinstance(value, str) else "hparam")
        self.description, self.lang = description, lang

    def declare(self, ctx):
        if isinstance(self.value, str):
            type_, value = text, ctx.string(self.value)
        elif isinstance(self.value, float):
            type_, value = f64, ctx.attr(f"{_ir.float_literal(self.value)} : f64")
        else:
            type_, value = i64, ctx.i64(int(self.value))
        attributes = {"sym_name": ctx.string(self.name),
                      "type": ctx.type_attr(ctx.type(type_)),
                      "initial_value": value,
                      "kind": ctx.attr(f"#wf.param_kind<{self.kind}>")}
        if self.trainable:
            attributes["trainable"] = ctx.attr("unit")
        if self.description:
            attributes["description"] = ctx.string(self.description)
        if self.lang:
            attributes["lang"] = ctx.string(self.lang)
        return "wf.param", attributes


def param(name, value, *, trainable=False, description=None):
    return Param(name, value, trainable=trainable, description=description)


def _segments(parts):
    """wf.seg attributes and operands for prompt parts: literal text,
    parameters and values."""
    segments, operands = [], []
    for part in parts:
        if isinstance(part, str):
            segments.append(f"#wf.seg<text {_quote(part)}>")
        elif isinstance(part, Param):
            _used(part)
            segments.append(f"#wf.seg<param @{part.name}>")
        elif isinstance(part, (Var, Tensor)):
            segments.append(f"#wf.seg<operand {len(operands)}>")
            operands.append(part)
        else:
            raise TypeError(f"a prompt part is text, a wf.param or a value, not {part!r}")
    ctx = context()
    return ctx.array([ctx.attr(s) for s in segments]), operands


class Model(_Declaration):
    """A language model; calling it inside a graph is one completion."""

    def __init__(self, name, *, max_concurrency=None, max_context=None):
        self.name = name
        self.options = {"max_concurrency": max_concurrency, "max_context": max_context}

    def declare(self, ctx):
        attributes = {"sym_name": ctx.string(self.name)}
        for key, v in self.options.items():
            if v is not None:
                attributes[key] = ctx.i64(int(v))
        return "wf.model", attributes

    def __call__(self, *prompt, max_tokens, temperature=None, stop=None, seed=None):
        _used(self)
        ctx = context()
        segments, operands = _segments(prompt)
        attributes = {"model": ctx.attr(f"@{self.name}"), "segments": segments,
                      "max_tokens": ctx.i64(max_tokens)}
        if temperature is not None:
            attributes["temperature"] = ctx.attr(f"{_ir.float_literal(temperature)} : f64")
        if stop:
            attributes["stop"] = ctx.array([ctx.string(s) for s in stop])
        if seed is not None:
            attributes["seed"] = ctx.i64(seed)
        op = create("wf.llm", operands, [text], attributes)
        return Var(op.result(0), text)


def model(name, *, max_concurrency=None, max_context=None):
    return Model(name, max_concurrency=max_concurrency, max_context=max_context)


def _signature_attrs(ctx, name, args, results, description):
    attributes = {
        "sym_name": ctx.string(name),
        "function_type": ctx.type_attr(ctx.function_type(
            [ctx.type(_ir.type_text(a)) for a in args],
            [ctx.type(_ir.type_text(r)) for r in results]))}
    if description:
        attributes["description"] = ctx.string(description)
    return attributes


class Tool(_Declaration):
    """A tool without side effects on the world (`pure` or `read`: it may
    be retried, deduplicated and run in any order). At run time it calls
    the native function of that name a loaded library exports
    (loom-c/Workflow.h), or is simulated from its declaration. Tools that
    write are ordered by tokens, which graphs built in Python do not thread
    yet: declare those in MLIR."""

    def __init__(self, name, args, results, *, description=None, effects="read"):
        if effects not in ("pure", "read"):
            raise ValueError(f"tool {name}: effects is 'pure' or 'read' from Python, "
                             f"not {effects!r} (ordered writes need MLIR's tokens)")
        self.name, self.args, self.results = name, list(args), list(results)
        self.description, self.effects = description, effects

    def declare(self, ctx):
        attributes = _signature_attrs(ctx, self.name, self.args, self.results,
                                      self.description)
        attributes["effects"] = ctx.attr(f"#wf.effects<{self.effects}>")
        return "wf.tool_def", attributes

    def __call__(self, *args):
        _used(self)
        ctx = context()
        attributes = {"tool": ctx.attr(f"@{self.name}"),
                      "operandSegmentSizes": ctx.attr(f"array<i32: {len(args)}, 0>")}
        op = create("wf.tool", list(args), self.results, attributes)
        return _results(op, self.results)


def tool(name, args=(text,), results=(text,), *, description=None, effects="read"):
    return Tool(name, args, results, description=description, effects=effects)


class Bundle(_Declaration):
    """A Python function as a code node (Trace's @bundle): its source is a
    code parameter the node runs in the runtime's embedded CPython, so with
    `trainable` an optimizer may rewrite it. Outside a graph it is the plain
    Python function."""

    def __init__(self, fn, *, trainable=False, description=None, args=None,
                 result=text):
        self.fn = fn
        self.name = fn.__name__
        parameters = list(inspect.signature(fn).parameters)
        self.arg_names = parameters
        self.args = list(args) if args is not None else [text] * len(parameters)
        self.result = result
        self.description = description or inspect.getdoc(fn) or ""
        source = textwrap.dedent(inspect.getsource(fn))
        lines = source.splitlines(keepends=True)
        while lines and lines[0].lstrip().startswith("@"):
            lines.pop(0)
        self.source = Param(f"{self.name}_source", "".join(lines), kind="code",
                            trainable=trainable, lang="python",
                            description=f"The code of {self.name}.")
        self.dependencies = [self.source]

    def declare(self, ctx):
        attributes = _signature_attrs(ctx, self.name, self.args, [self.result],
                                      self.description)
        attributes["source"] = ctx.attr(f"@{self.source.name}")
        attributes["arg_names"] = ctx.array([ctx.string(a) for a in self.arg_names])
        return "wf.code_def", attributes

    def __call__(self, *args):
        if _ir._tracing.graph is None:
            return self.fn(*args)
        _used(self)
        op = create("wf.code", list(args), [self.result],
                    {"callee": context().attr(f"@{self.name}")})
        return Var(op.result(0), self.result)


def bundle(fn=None, *, trainable=False, description=None, args=None, result=text):
    """Decorator: `@wf.bundle` or `@wf.bundle(trainable=True)`."""
    make = lambda f: Bundle(f, trainable=trainable, description=description,
                            args=args, result=result)
    return make if fn is None else make(fn)


def _results(op, types):
    values = [_var(op.result(k), t) for k, t in enumerate(types)]
    return values[0] if len(values) == 1 else tuple(values)


def format(*parts):
    """Text from literal parts and values (wf.format)."""
    segments, operands = _segments(parts)
    op = create("wf.format", operands, [text], {"segments": segments})
    return Var(op.result(0), text)


def const(value):
    """A constant: text, i64, f64 or i1 (wf.const)."""
    ctx = context()
    if isinstance(value, bool):
        attr, type_ = ctx.attr("true" if value else "false"), i1
    elif isinstance(value, int):
        attr, type_ = ctx.attr(f"{value} : i64"), i64
    elif isinstance(value, float):
        attr, type_ = ctx.attr(f"{_ir.float_literal(value)} : f64"), f64
    else:
        attr, type_ = ctx.attr(f"{_quote(str(value))} : !wf.text"), text
    return Var(create("wf.const", [], [type_], {"value": attr}).result(0), type_)


def _var(value, type_):
    return (Tensor if isinstance(type_, TensorType) else Var)(value, type_)


def _types(results):
    return [r.type for r in results]


def cond(condition, then_fn, else_fn):
    """then_fn() if the i1 `condition` holds, else else_fn() (wf.if): only
    the branch taken runs, and a trace shows only it."""
    then_block, then_results = _ir.trace_block(then_fn, [], _var, "wf.yield")
    else_block, else_results = _ir.trace_block(else_fn, [], _var, "wf.yield")
    if [_ir.type_text(t) for t in _types(then_results)] != [
            _ir.type_text(t) for t in _types(else_results)]:
        raise TypeError("the two branches of wf.cond return different types")
    types = _types(then_results)
    op = create("wf.if", [condition], types, bodies=[then_block, else_block])
    return _results(op, types)


def replicate(fn, count, *, seed_base=0):
    """fn(i) for i in 0..count-1, in parallel, each sampling with seed
    seed_base + i: self-consistency's samples (wf.replicate)."""
    body, results = _ir.trace_block(fn, [i64], _var, "wf.yield")
    if len(results) != 1:
        raise TypeError(f"a replicate body returns one value, not {len(results)}")
    result = list_of(_ir.type_text(results[0].type))
    op = create("wf.replicate", [], [result], {
        "count": context().i64(count), "seed_base": context().i64(seed_base)},
        bodies=[body])
    return Var(op.result(0), result)


def catch(value, fallback):
    """value, or fallback(error text) if value's node failed (wf.catch):
    Trace's errors as feedback."""
    body, _ = _ir.trace_block(fallback, [text], _var, "wf.yield")
    op = create("wf.catch", [value], [value.type], bodies=[body])
    return _var(op.result(0), value.type)


def while_loop(condition_fn, body_fn, *state, max_iters):
    """Loop state: while condition_fn(*state) holds (an i1 value), state =
    body_fn(*state), at most `max_iters` times (wf.while)."""
    types = [s.type for s in state]

    def check(*values):
        return [condition_fn(*values), *values]
    cond_block, _ = _ir.trace_block(check, types, _var, "wf.condition")
    body_block, results = _ir.trace_block(body_fn, types, _var, "wf.yield")
    if [_ir.type_text(t) for t in _types(results)] != [_ir.type_text(t) for t in types]:
        raise TypeError("a while body returns the loop state's types")
    op = create("wf.while", list(state), types, {"max_iters": context().i64(max_iters)},
                bodies=[cond_block, body_block])
    return _results(op, types)


def feedback(value):
    """Marks `value` as the one the run's feedback is about (wf.feedback)."""
    create("wf.feedback", [value])


def compute(fn, *args):
    """A node of tensor code: `fn` is traced like a @loom.function over the
    args' tensor types into the node's body (wf.compute), which Loom
    compiles with its CPU pipeline into the same library."""
    for k, a in enumerate(args):
        if not isinstance(a.type, TensorType):
            raise TypeError(f"wf.compute: argument {k} is {_ir.type_text(a.type)}; "
                            "the body's loom ops take tensors")
    body, results = _ir.trace_block(fn, [a.type for a in args], Tensor, "wf.yield")
    types = [r.type for r in results]
    return _results(create("wf.compute", list(args), types, bodies=[body]), types)


def _element_type(values):
    text = _ir.type_text(values.type)
    if not text.startswith("!wf.list<"):
        raise TypeError(f"expected a list value (wf.list_of(...)), not {text}")
    return text[len("!wf.list<"):-1]


def map(fn, values, *, max_parallel=16):
    """fn applied to every element of a list, the calls in parallel (up to
    `max_parallel` at once): the map of a map-reduce (wf.map)."""
    def element(value, type_):
        return Var(value, type_)
    body, results = _ir.trace_block(fn, [_element_type(values)], element, "wf.yield")
    if len(results) != 1:
        raise TypeError(f"a map body returns one value, not {len(results)}")
    result = list_of(_ir.type_text(results[0].value.type))
    op = create("wf.map", [values], [result], {"max_parallel": context().i64(max_parallel)},
                bodies=[body])
    return Var(op.result(0), result)


def split(value, chunk_tokens):
    """A text cut into chunks of about `chunk_tokens` tokens (wf.split)."""
    op = create("wf.split", [value], [list_of(text)],
                {"chunk_tokens": context().i64(chunk_tokens)})
    return Var(op.result(0), list_of(text))


def join(values, sep=""):
    """A list's elements rendered and joined with `sep` (wf.join)."""
    op = create("wf.join", [values], [text], {"sep": context().string(sep)})
    return Var(op.result(0), text)


class _GraphTrace:
    """The declarations a graph being traced uses (the graph is
    _ir._tracing.graph, per thread like the builder)."""

    def __init__(self):
        self.uses = {}


class Graph:
    """A workflow graph traced from a Python function; argument types come
    from annotations (wf.text, wf.i64, wf.f64, loom.tensor(...))."""

    def __init__(self, fn, name=None):
        self.fn = fn
        self.name = name or fn.__name__
        parameters = inspect.signature(fn).parameters.values()
        self.arg_names = [p.name for p in parameters]
        self.arg_types = [p.annotation for p in parameters]
        for p, t in zip(parameters, self.arg_types):
            if t is inspect.Parameter.empty:
                raise TypeError(f"{self.name}: parameter {p.name} needs a type "
                                "annotation (wf.text, wf.i64, wf.f64, loom.tensor(...))")

    def trace_into(self, module):
        ctx = context()
        graph, outer = _GraphTrace(), _ir._tracing.graph
        _ir._tracing.graph = graph
        try:
            b, op, _ = trace_body(
                module, self.fn, "wf.graph", "wf.return", self.name, self.arg_types,
                _var,
                (Tensor, Var), {"arg_attrs": ctx.array([
                    ctx.dictionary({"wf.name": ctx.string(n)}) for n in self.arg_names])})
        finally:
            _ir._tracing.graph = outer
        declared = module.__dict__.setdefault("_wf_declared", {})
        for name, decl in graph.uses.items():
            if name in declared:
                if declared[name] is not decl:
                    raise ValueError(f"two different declarations named @{name} in one module")
                continue
            declared[name] = decl
            kind, attributes = decl.declare(ctx)
            b.set_insertion_point_before(op)
            b.create(kind, [], [], attributes, 0)
        return op


def graph(fn=None, *, name=None):
    """Decorator: `@wf.graph` traces a Python function into a wf.graph."""
    make = lambda f: Graph(f, name=name)
    return make if fn is None else make(fn)

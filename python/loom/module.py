"""Functions traced into func.func and the modules that hold them."""
import functools
import inspect

from . import _ir, _loom
from ._ir import Tensor, TensorType, context


class Function:
    """A Python function over Loom tensors, traced into a func.func: public
    (an entry point of the library) when added to a module, private when
    only called from other traced functions.

    The argument types come from `args` or the parameters' annotations
    (`loom.tensor(...)`); the results are whatever tensors it returns.
    """

    def __init__(self, fn, name=None, args=None):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name or fn.__name__
        if args is None:
            parameters = inspect.signature(fn).parameters.values()
            args = [p.annotation for p in parameters]
        for k, a in enumerate(args):
            if not isinstance(a, TensorType):
                raise TypeError(
                    f"{self.name}: argument {k} needs a loom.tensor(...) type "
                    f"(an annotation or args=[...]), not {a!r}")
        self.arg_types = list(args)

    def __call__(self, *args):
        """Inside a traced function or graph: a func.call of this function,
        which joins the module (traced once, as a private function)."""
        module = _ir._tracing.module
        if module is None:
            raise RuntimeError(f"{self.name} builds IR: call it inside a traced "
                               "@loom.function, or pass it to loom.compile")
        module.declare(self)
        ctx = context()
        op = _ir.create("func.call", args, self.result_types,
                        {"callee": ctx.attr(f"@{self.name}")})
        results = [Tensor(op.result(k), t) for k, t in enumerate(self.result_types)]
        return results[0] if len(results) == 1 else tuple(results)

    def trace_into(self, module, public=True):
        """Appends this function to `module` (a loom.Module)."""
        attributes = {} if public else {"sym_visibility": context().string("private")}
        _, func, results = trace_body(module, self.fn, "func.func", "func.return",
                                      self.name, self.arg_types, Tensor, (Tensor,),
                                      attributes)
        self.result_types = [r.type for r in results]
        return func


def trace_body(module, fn, op_name, return_name, name, arg_types, wrap,
               result_kinds, attributes=None):
    """Traces `fn` into a new function-like op (func.func, wf.graph) named
    `name` at the end of `module`, located at `fn`'s def line: `fn` gets the
    entry block's arguments (typed by `arg_types`) wrapped by
    `wrap(value, type)`, what it returns feeds the `return_name` op, and the
    op's function_type follows. Returns (builder, op, results)."""
    ctx = context()
    b = _loom.Builder(ctx)
    file, line = fn.__code__.co_filename, fn.__code__.co_firstlineno
    b.set_loc(file, line, 1)
    b.set_insertion_point_to_end(module.handle.body)
    types = [ctx.type(_ir.type_text(t)) for t in arg_types]
    op = b.create(op_name, [], [], {
        "sym_name": ctx.string(name),
        "function_type": ctx.type_attr(ctx.function_type(types, [])),
        **(attributes or {})}, 1)
    block = op.region(0).add_block(types)
    b.set_insertion_point_to_end(block)
    state = _ir._tracing
    previous = state.builder, state.module
    state.builder, state.module = b, module
    try:
        results = fn(*[wrap(block.arg(k), t) for k, t in enumerate(arg_types)])
        if results is None:
            results = []
        elif not isinstance(results, (list, tuple)):
            results = [results]
        for k, r in enumerate(results):
            if not isinstance(r, result_kinds):
                raise TypeError(f"{name} returns {r!r} as result {k}; expected "
                                f"{' or '.join(c.__name__ for c in result_kinds)}")
        b.set_loc(file, line, 1)
        b.create(return_name, [r.value for r in results], [], {}, 0)
    finally:
        state.builder, state.module = previous
    op.set_attr("function_type", ctx.type_attr(ctx.function_type(
        types, [r.value.type for r in results])))
    return b, op, list(results)


def function(fn=None, *, name=None, args=None):
    """Decorator: `@loom.function` or `@loom.function(args=[...])`."""
    if fn is None:
        return lambda f: Function(f, name=name, args=args)
    return Function(fn, name=name, args=args)


class Module:
    """A module of Loom IR: traced functions, or parsed MLIR."""

    def __init__(self, *functions, handle=None):
        if handle is None:
            file, line, _ = _ir.caller_position()
            handle = context().new_module(file, line)
        self.handle = handle
        self._functions = {}  # name -> (Function, func.func op)
        for f in functions:
            self.add(f)

    def add(self, fn):
        """Traces a loom.Function, wf graph (or plain Python function over
        annotated tensors) into the module, as an entry point."""
        if not hasattr(fn, "trace_into"):
            fn = Function(fn)
        if isinstance(fn, Function) and fn.name in self._functions:
            self.declare(fn).set_attr("sym_visibility", context().string("public"))
        else:
            op = fn.trace_into(self)
            if isinstance(fn, Function):
                self._functions[fn.name] = (fn, op)
        return self

    def declare(self, fn):
        """The func.func of `fn` in this module, traced (private) if new."""
        if fn.name not in self._functions:
            self._functions[fn.name] = (fn, None)  # a recursive call finds it
            self._functions[fn.name] = (fn, fn.trace_into(self, public=False))
        known, op = self._functions[fn.name]
        if known is not fn:
            raise ValueError(f"two functions named {fn.name} in one module")
        if op is None:
            raise RuntimeError(f"{fn.name} calls itself; Loom functions do not recurse")
        return op

    def verify(self):
        """Raises loom.CompileError naming the Python line of a bad op."""
        self.handle.verify()
        return self

    def run_pipeline(self, pipeline):
        """Runs a textual pass pipeline in place, e.g.
        'builtin.module(loom-cpu-pipeline)'."""
        _loom.run_pipeline(self.handle, pipeline)
        return self

    def mlir(self, debug_info=False):
        """The module's text; with `debug_info`, each op's Python location."""
        return self.handle.print(debug_info)

    def __str__(self):
        return self.mlir()


def parse(text, filename="<string>"):
    """A Module from MLIR text (Loom's dialects and the upstream ones)."""
    return Module(handle=context().parse(text, filename))


def parse_file(path):
    with open(path) as f:
        return parse(f.read(), str(path))

"""loom.compile and loom.load: model libraries called with numpy arrays."""
import json
import os
import shutil
import tempfile
import weakref

import numpy as np

from . import _cache, _loom, _wfrun
from .module import Module, parse_file


class CompiledModel:
    """A model library loaded through its C API.

    With one entry point the model itself is callable; every entry point is
    also an attribute: `model.block(x)`. Calls take numpy arrays and return
    one array, or a tuple for several results; a wrong shape or dtype raises
    loom.RunError with the runtime's message.
    """

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self._library = _loom.Library(self.path)
        self.workflow = self._library.workflow()
        self.from_cache = False
        if self.workflow is None:
            self.entry_points = self._library.entry_points()
        else:
            self.entry_points = list(self.workflow["graphs"])

    def signature(self, entry):
        """Names, element types and shapes (-1: dynamic) of an entry point."""
        return json.loads(self._library.signature(entry))

    def run(self, entry, *inputs, **options):
        """Runs an entry point. For a workflow graph the inputs are Python
        values (str, int, float, bool, list of str, numpy arrays) and the
        options those of a run on Loom's workflow runtime: params (name ->
        new value of a parameter, e.g. an optimizer's update), feedback (the
        text the trace's #Feedback holds; implies trace), trace (bool),
        bind (model -> sim | http://HOST:PORT/v1[#NAME] | lib:PATH), seed,
        load (libraries exporting native tools). It returns a
        loom.wf.WorkflowResult."""
        if self.workflow is not None:
            if entry not in self.entry_points:
                raise _loom.RunError(f"no graph @{entry} in {self.path}")
            return _wfrun.run(self.path, entry, inputs, **options)
        if options:
            raise TypeError(f"{entry} is a tensor entry point: no options "
                            f"({', '.join(options)})")
        results = self._library.run(entry, [np.asarray(a) for a in inputs])
        return results[0] if len(results) == 1 else tuple(results)

    def set_num_threads(self, threads):
        self._library.set_num_threads(threads)

    def __call__(self, *inputs, **options):
        if len(self.entry_points) != 1:
            raise TypeError(f"{self.path} has entry points {self.entry_points}; "
                            "call one by name")
        return self.run(self.entry_points[0], *inputs, **options)

    def __getattr__(self, name):
        if name.startswith("_") or name not in self.__dict__.get("entry_points", ()):
            raise AttributeError(name)
        return lambda *inputs, **options: self.run(name, *inputs, **options)

    def __repr__(self):
        return f"<loom.CompiledModel {self.path} {self.entry_points}>"


def _as_module(model):
    if isinstance(model, Module):
        return model
    if isinstance(model, (str, os.PathLike)):
        return parse_file(model)
    functions = model if isinstance(model, (list, tuple)) else [model]
    return Module(*functions)


def compile(model, output=None, *, header=None, opt_level=2, cpu="",
            features="", pipeline_options="", reference=False,
            dump_decisions=None, load_decisions=None, cost_model=None,
            target="cpu", cache=True):
    """Compiles a loom.Module, @loom.function(s) or an .mlir file as
    loom-compile does, and loads the library.

    output: where the shared library goes (its header beside it, or at
    `header`); by default the compile cache (loom._cache: an identical
    compile is reused), or with cache=False a temporary file removed with
    the model. cpu, features: the target (default: this machine).
    reference: the oracle lowering (loom-reference-pipeline) instead of the
    optimizing one. cost_model: what makes the lowering decisions, as
    loom-compile --cost-model takes it ("auto", the default; "roofline";
    "none"; a directory of models, whose compiles are not cached: the cache
    cannot see the files change). target: "cpu", or "nvptx" (the lut GEMMs
    as NVIDIA GPU kernels, loom-gpu-pipeline; pipeline_options="interpret=1"
    runs those kernels as host loops). Errors raise loom.CompileError naming
    the Python line that built the op.
    """
    module = _as_module(model)
    options = dict(opt_level=opt_level, cpu=cpu, features=features,
                   pipeline_options=pipeline_options, reference=reference,
                   dump_decisions=os.fspath(dump_decisions or ""),
                   load_decisions=os.fspath(load_decisions or ""),
                   cost_model=os.fspath(cost_model or ""), target=target)

    def build(library, header=None):
        _loom.compile_library(module.handle, library,
                              os.fspath(header) if header else _loom.default_header_path(library),
                              **options)

    if output is not None:
        build(os.fspath(output), header)
        return CompiledModel(output)
    model_files = cost_model is not None and os.path.isdir(cost_model)
    root = (_cache.directory()
            if cache and not dump_decisions and not model_files else None)
    if root is not None:
        digest = _cache.key(module.mlir(), options)
        library = _cache.lookup(root, digest)
        hit = library is not None
        if not hit:
            library = _cache.store(root, digest, build)
        model = CompiledModel(library)
        model.from_cache = hit
        return model
    scratch = tempfile.mkdtemp(prefix="loom-")
    library = os.path.join(scratch, "libmodel.so")
    try:
        build(library)
        model = CompiledModel(library)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    # loom-run opens a workflow library by its path, so the file lives as
    # long as the model.
    weakref.finalize(model, shutil.rmtree, scratch, ignore_errors=True)
    return model


def load(path):
    """A library built by loom-compile or loom.compile."""
    return CompiledModel(path)

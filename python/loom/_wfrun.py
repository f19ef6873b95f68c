"""Runs a workflow library's graph with loom-run and reads what it wrote.

A separate process on purpose: code nodes run their Python source in
loom-run's embedded interpreter, apart from the caller's, and a node that
crashes cannot take the caller down.
"""
import json
import os
import subprocess
import tempfile

import numpy as np

from . import _loom

try:
    from ._config import LOOM_RUN
except ImportError:  # A source tree without a build.
    LOOM_RUN = "loom-run"

_NUMPY = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i8": np.int8,
          "i16": np.int16, "i32": np.int32, "i64": np.int64, "bool": np.bool_}


class ErrorValue:
    """An output whose node failed: the runtime's errors are values, and a
    trace reports them as `(<Kind>) <message>`."""

    def __init__(self, kind, instance, message):
        self.kind, self.instance, self.message = kind, instance, message

    def __repr__(self):
        return f"<loom.wf.ErrorValue in {self.instance}: {self.message}>"


class WorkflowResult:
    """outputs: the graph's results as Python values (str, int, float, bool,
    list, numpy array, or ErrorValue); trace: the run's Trace/OptoPrime JSON
    for the graph (None unless asked for); log: loom-run's report."""

    def __init__(self, outputs, trace, log):
        self.outputs, self.trace, self.log = outputs, trace, log

    @property
    def ok(self):
        return not any(isinstance(v, ErrorValue) for v in self.outputs)

    @property
    def problem(self):
        """The OptoPrime sections (#Variables, #Inputs, ... #Feedback)."""
        return None if self.trace is None else self.trace["problem"]

    def __repr__(self):
        return f"<loom.wf.WorkflowResult outputs={self.outputs!r}>"


def _decode(v):
    kind = v["kind"]
    if kind == "tensor":
        data = np.frombuffer(bytes.fromhex(v["value"]), _NUMPY[v["dtype"]])
        return data.reshape([int(d) for d in v["shape"]]).copy()
    if kind == "list":
        return [_decode(e) for e in v["value"]]
    if kind == "i64":
        return int(v["value"])
    if kind == "error":
        return ErrorValue(v["error_kind"], v["instance"], v["value"])
    return v.get("value")


def _value_flag(value, scratch, name):
    """loom-run's KIND:VALUE for a Python value."""
    if isinstance(value, bool):
        return f"i1:{'true' if value else 'false'}"
    if isinstance(value, int):
        return f"i64:{value}"
    if isinstance(value, float):
        return f"f64:{value!r}"
    if isinstance(value, str):
        return f"text:{value}"
    if isinstance(value, np.ndarray):
        path = os.path.join(scratch, f"{name}.npy")
        np.save(path, np.ascontiguousarray(value))
        return f"npy:{path}"
    if isinstance(value, (list, tuple)) and all(isinstance(e, str) for e in value):
        if any("\n" in e for e in value):
            raise ValueError(f"{name}: list elements cannot hold newlines")
        path = os.path.join(scratch, f"{name}.txt")
        with open(path, "w") as f:
            f.write("".join(e + "\n" for e in value))
        return f"lines:{path}"
    raise TypeError(f"{name}: a workflow value is str, int, float, bool, a list "
                    f"of str or a numpy array, not {type(value).__name__}")


def _failure(done, fallback):
    """loom-run's error (the last line it wrote to stderr) as a RunError."""
    lines = done.stderr.strip().splitlines()
    return _loom.RunError(lines[-1] if lines else fallback)


def run(library, graph, args, *, params=None, feedback=None, bind=None,
        seed=None, trace=False, load=()):
    """One run of `graph`; see CompiledModel.run."""
    with tempfile.TemporaryDirectory(prefix="loom-wf-") as scratch:
        command = [LOOM_RUN, library, "--graph", graph]
        for k, a in enumerate(args):
            command += ["--arg", _value_flag(a, scratch, f"arg{k}")]
        for name, value in (params or {}).items():
            command += ["--param", f"{name}={_value_flag(value, scratch, name)}"]
        for name, uri in (bind or {}).items():
            command += ["--bind", f"{name}={uri}"]
        for path in load:
            command += ["--load", os.fspath(path)]
        if seed is not None:
            command += ["--seed", str(int(seed))]
        outputs = os.path.join(scratch, "outputs.json")
        command += ["--outputs", outputs]
        trace_path = os.path.join(scratch, "trace.json")
        if trace or feedback is not None:
            command += ["--trace", trace_path]
        if feedback is not None:
            command += ["--feedback", feedback]
        done = subprocess.run(command, capture_output=True, text=True)
        if not os.path.exists(outputs):
            raise _failure(done, f"loom-run failed with exit code {done.returncode}")
        with open(outputs) as f:
            values = [_decode(v) for v in json.load(f)]
        traced = None
        if trace or feedback is not None:
            if not os.path.exists(trace_path):
                raise _failure(done, "loom-run wrote no trace")
            with open(trace_path) as f:
                traced = json.load(f)[graph]
        return WorkflowResult(values, traced, done.stdout + done.stderr)

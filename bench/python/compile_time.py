#!/usr/bin/env python3
"""Compile time from Python against loom-compile on the bundled examples.

For each example, the rounds alternate the two ways (order flipped every
round) and the median of each is reported with their ratio:

  moe_lut_block      loom-compile block.mlir (generate.py's MLIR)  vs  the
                     same block built with the Python API + loom.compile
  decoder_block      the same for the README's decoder block (generate.py's
                     build_with_loom: loom.linalg, loom.ops, loom.lut, loom.moe)
  decoder_block_mlir loom-compile block.mlir  vs  loom.parse_file + loom.compile

loom-compile's time is its whole process (start, parse, compile, link), as
a user sees it; the Python time is building the IR, compiling and loading
the library in a running interpreter (`import loom` is reported apart).
Last, the cost of one call from Python: a 4-element add, best of 5 runs of
20000 calls, through CompiledModel and through the bare extension.

Usage: compile_time.py BUILD_DIR [--rounds N] [--json FILE]
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def example(name):
    path = os.path.join(ROOT, "examples", name, "generate.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python_packages"))
    import_time = timed(lambda: __import__("loom"))
    import loom
    compiler = os.path.join(args.build, "bin", "loom-compile")
    work = tempfile.mkdtemp(prefix="loom-compile-time-")
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "moe_lut_block", "generate.py"),
                    os.path.join(work, "moe_lut_block")], check=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "examples", "decoder_block", "generate.py"),
                    os.path.join(work, "decoder_block"), "--prefill", "16", "--decode", "16"],
                   check=True, capture_output=True)
    g, d = example("moe_lut_block"), example("decoder_block")
    import numpy as np
    decoder_weights = d.Weights(np.random.default_rng(2026))
    builders = {
        "moe_lut_block": lambda: loom.Module(g.build_with_loom(loom, *g.inputs()[1:])),
        "decoder_block": lambda: loom.Module(*d.build_with_loom(loom, decoder_weights)),
        "decoder_block_mlir": lambda: loom.parse_file(
            os.path.join(work, "decoder_block", "block.mlir")),
    }
    print(f"import loom: {import_time:.2f} s (once per process)")
    results = {}
    for name, build in builders.items():
        source = os.path.join(work, name.removesuffix("_mlir"), "block.mlir")
        cli, py = [], []
        for r in range(args.rounds):
            ways = [
                (cli, lambda: subprocess.run([compiler, source, "-o", os.path.join(work, "libcli.so")],
                                             check=True, capture_output=True)),
                (py, lambda: loom.compile(build(), os.path.join(work, f"lib{name}{r}.so"))),
            ]
            for times, run in (ways if r % 2 == 0 else ways[::-1]):
                times.append(timed(run))
            print(f"  {name} round {r + 1}/{args.rounds}: loom-compile {cli[-1]:.2f} s, "
                  f"Python {py[-1]:.2f} s", file=sys.stderr)
        a, b = statistics.median(cli), statistics.median(py)
        results[name] = {"loom_compile_s": a, "python_s": b, "ratio": b / a}
        print(f"{name}: loom-compile {a:.2f} s, Python {b:.2f} s, "
              f"Python / loom-compile = {b / a:.2f} (goal <= 1.20)")
    overhead = call_overhead(loom)
    print(f"one call from Python: {overhead['model_us']:.2f} us through CompiledModel, "
          f"{overhead['extension_us']:.2f} us through loom._loom")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"import_s": import_time, "examples": results,
                       "call_overhead": overhead}, f, indent=2)


def call_overhead(loom):
    import numpy as np
    f = loom.Function(lambda x: x + x, name="add", args=[loom.tensor(4)])
    model = loom.compile(f, cache=False)
    x = np.ones(4, np.float32)
    calls = 20000

    def best(call):
        return min(timed(lambda: [call() for _ in range(calls)]) for _ in range(5)) / calls * 1e6
    return {"model_us": best(lambda: model(x)),
            "extension_us": best(lambda: model._library.run("add", [x]))}


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The README's main job as a ctest test: generate, compile, run and check
the bundled example in the build tree. Usage: example_test.py SRC BUILD"""
import os
import subprocess
import sys

src, build = sys.argv[1], sys.argv[2]
example = os.path.join(src, "examples", "moe_lut_block")
out = os.path.join(build, "test", "example-moe-lut-block")
py = "/usr/bin/python3"


def run(*cmd):
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


run(py, os.path.join(example, "generate.py"), out)
run(os.path.join(build, "bin", "loom-compile"), os.path.join(out, "block.mlir"),
    "-o", os.path.join(out, "libblock.so"))
run(os.path.join(build, "bin", "loom-run"), os.path.join(out, "libblock.so"),
    "--input", os.path.join(out, "input.npy"), "--output", os.path.join(out, "output.npy"))
run(py, os.path.join(example, "check.py"), os.path.join(out, "output.npy"),
    os.path.join(out, "expected.npy"))

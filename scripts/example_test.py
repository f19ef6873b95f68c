#!/usr/bin/env python3
"""The README's main job as a ctest test: generate, lower, run and check the
bundled example in the build tree. Usage: example_test.py SRC_DIR BUILD_DIR"""
import os
import subprocess
import sys

src, build = sys.argv[1], sys.argv[2]
example = os.path.join(src, "examples", "moe_lut_block")
out = os.path.join(build, "test", "example-moe-lut-block")
llvm = "/usr/lib/llvm-22"
py = "/usr/bin/python3"


def run(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


run([py, os.path.join(example, "generate.py"), out])
run([os.path.join(build, "bin", "loom-opt"), os.path.join(out, "block.mlir"),
     "--loom-reference-pipeline", "-o", os.path.join(out, "block.llvm.mlir")])
with open(os.path.join(out, "output.txt"), "w") as f:
    run([os.path.join(llvm, "bin", "mlir-runner"), os.path.join(out, "block.llvm.mlir"),
         "-e", "main", "-entry-point-result=void",
         "-shared-libs=" + ",".join(os.path.join(llvm, "lib", lib) for lib in
                                    ["libmlir_runner_utils.so", "libmlir_c_runner_utils.so"])],
        stdout=f)
sys.exit(subprocess.run([py, os.path.join(example, "check.py"), os.path.join(out, "output.txt"),
                         os.path.join(out, "expected.txt")]).returncode)

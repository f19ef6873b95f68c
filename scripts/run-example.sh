#!/usr/bin/env bash
# Loom's main job on the bundled example: builds Loom (installing what is
# missing), lowers examples/moe_lut_block (a wf graph running a ternary LUT
# projection, a top-2 MoE layer and a residual add) through
# loom-reference-pipeline to LLVM, runs it, and checks the printed result
# against an independent numpy reference.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

EXAMPLE="$LOOM_ROOT/examples/moe_lut_block"
OUT="$LOOM_BUILD/examples/moe_lut_block"
LLVM_BIN=/usr/lib/llvm-22/bin
LLVM_LIB=/usr/lib/llvm-22/lib

/usr/bin/python3 "$EXAMPLE/generate.py" "$OUT"
echo "loom: lowering $OUT/block.mlir with loom-reference-pipeline"
"$LOOM_BUILD/bin/loom-opt" "$OUT/block.mlir" --loom-reference-pipeline -o "$OUT/block.llvm.mlir"
echo "loom: running @main"
"$LLVM_BIN/mlir-runner" "$OUT/block.llvm.mlir" -e main -entry-point-result=void \
  -shared-libs="$LLVM_LIB/libmlir_runner_utils.so,$LLVM_LIB/libmlir_c_runner_utils.so" \
  | tee "$OUT/output.txt"
/usr/bin/python3 "$EXAMPLE/check.py" "$OUT/output.txt" "$OUT/expected.txt"

#!/usr/bin/env bash
# Loom's main job on the bundled example: builds Loom (installing what is
# missing), compiles examples/moe_lut_block (a wf graph running a ternary LUT
# projection, a top-2 MoE layer and a residual add) with loom-compile into a
# shared library, runs it with loom-run, and checks the result against an
# independent numpy reference.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

EXAMPLE="$LOOM_ROOT/examples/moe_lut_block"
OUT="$LOOM_BUILD/examples/moe_lut_block"

/usr/bin/python3 "$EXAMPLE/generate.py" "$OUT"
echo "loom: loom-compile $OUT/block.mlir -o $OUT/libblock.so"
time "$LOOM_BUILD/bin/loom-compile" "$OUT/block.mlir" -o "$OUT/libblock.so"
echo "loom: loom-run $OUT/libblock.so"
"$LOOM_BUILD/bin/loom-run" "$OUT/libblock.so" --entry block \
  --input "$OUT/input.npy" --output "$OUT/output.npy" --repeat 100
/usr/bin/python3 "$EXAMPLE/check.py" "$OUT/output.npy" "$OUT/expected.npy"

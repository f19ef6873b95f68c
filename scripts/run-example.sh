#!/usr/bin/env bash
# Loom's main job: builds Loom (installing what is missing), then compiles
# the decoder block of a low-bit MoE LLM (examples/decoder_block: RMSNorm,
# 4-head attention with RoPE and a KV cache, top-2-of-8 SwiGLU experts with
# ternary and 2-bit LUT weights, residual adds) with loom-compile, runs a
# prefill of 16 tokens and 16 decode steps through the generated C API,
# prints tokens per second, and checks every output against numpy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

EXAMPLE="$LOOM_ROOT/examples/decoder_block"
OUT="$LOOM_BUILD/examples/decoder_block"
PREFILL=16 DECODE=16

/usr/bin/python3 "$EXAMPLE/generate.py" "$OUT" --prefill $PREFILL --decode $DECODE
echo "loom: loom-compile block.mlir -o libblock.so"
TIMEFORMAT="loom: compiled in %R s"
time "$LOOM_BUILD/bin/loom-compile" "$OUT/block.mlir" -o "$OUT/libblock.so"
clang-22 -O2 "$EXAMPLE/run_block.c" -I"$OUT" -I"$LOOM_ROOT/include" \
  -L"$OUT" -lblock -Wl,-rpath,"$OUT" -o "$OUT/run_block"
"$OUT/run_block" "$OUT/tokens.npy" $PREFILL $DECODE "$OUT/outputs.bin"
/usr/bin/python3 "$LOOM_ROOT/examples/check.py" "$OUT/outputs.bin" "$OUT/expected.npy"

#!/usr/bin/env bash
# The GPU check of the lut and moe kernels (docs/GPU.md): correctness
# against numpy and kernel times against the HBM bandwidth, cuBLAS fp16
# GEMMs of the same FLOPs and a per-expert cuBLAS loop, all measured in
# this run. Writes report.txt and results.json
# to $OUT (default $LOOM_BUILD/bench-gpu, LOOM_BUILD default build).
#
#   bench/gpu/run-on-gpu.sh            on a machine with an NVIDIA GPU
#   bench/gpu/run-on-gpu.sh --dry-run  anywhere: builds everything, runs the
#                                      flow on interpreter libraries (CPU)
#
# The cases (prepare.py: GPU libraries of 4096 x 4096 lut GEMMs and of an
# 8-expert SwiGLU MoE layer, and expected outputs) are built where Loom builds, into bench/gpu/prepared; a GPU
# machine without LLVM takes them as they are (carry that folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${LOOM_BUILD:-$ROOT/build}
OUT=${OUT:-$BUILD/bench-gpu}
PREPARED=${LOOM_GPU_PREPARED:-$ROOT/bench/gpu/prepared}
CUDA=${CUDA_HOME:-/usr/local/cuda}
PY=${LOOM_PYTHON:-/usr/bin/python3}
DRY=0
[[ ${1:-} == --dry-run ]] && DRY=1
mkdir -p "$OUT"
log() { echo "[gpu $(date +%T)] $*"; }

loom_builds() { [[ -d /usr/lib/llvm-22/lib/cmake/mlir ]]; }
if loom_builds && [[ ! -x $BUILD/bin/loom-compile ]]; then
  log "building Loom in $BUILD"
  cmake -G Ninja -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir > /dev/null
  cmake --build "$BUILD"
fi
prepare() {
  PYTHONPATH=$BUILD/python_packages $PY bench/gpu/prepare.py "$@"
}
if (( DRY )); then
  CASES=$OUT/dry
  log "preparing interpreter cases (512x512) in $CASES"
  prepare "$CASES" --shape 512x512 --moe 4,2,64,64 --tokens 5,200 --interpret
elif [[ -f $PREPARED/cases.tsv ]]; then
  CASES=$PREPARED
  log "using the prepared cases in $CASES"
elif loom_builds; then
  CASES=$PREPARED
  log "preparing the cases (4096x4096) in $CASES"
  prepare "$CASES"
else
  echo "run-on-gpu.sh: no prepared cases in $PREPARED and no LLVM 22 to build" \
       "them: run bench/gpu/prepare.py where Loom builds" >&2
  exit 1
fi

log "compiling the harness and the baselines"
${CC:-cc} -O2 -I include bench/gpu/harness.c -o "$OUT/harness" -ldl -lm
HAVE_NVCC=0
if [[ -x $CUDA/bin/nvcc ]]; then
  "$CUDA/bin/nvcc" -O2 -std=c++17 -arch=sm_90 bench/gpu/baselines.cu \
    -o "$OUT/baselines" -lcublas
  HAVE_NVCC=1
elif (( ! DRY )); then
  echo "run-on-gpu.sh: no nvcc in $CUDA (set CUDA_HOME)" >&2
  exit 1
fi

if (( DRY )); then
  log "dry run: baselines $( ((HAVE_NVCC)) && echo compiled || echo skipped), not run"
  echo '{"device": "none (dry run)", "hbm_read_gbps": 0, "cublas_fp16": [], "moe": []}' \
    > "$OUT/baselines.json"
else
  log "baselines: HBM read, cuBLAS fp16 $(cat "$CASES/baselines.args")"
  # shellcheck disable=SC2046
  "$OUT/baselines" $(cat "$CASES/baselines.args") > "$OUT/baselines.json"
fi

: > "$OUT/cases.jsonl"
FAILED=0
while read -r name library entry tolerance bytes reps inputs; do
  (( DRY )) && reps=2
  log "$name ($reps reps)"
  # shellcheck disable=SC2086
  if line=$("$OUT/harness" "$CASES/$library" "$entry" "$CASES/$name.expected" \
              "$tolerance" "$bytes" "$reps" $inputs); then :; else
    FAILED=1
  fi
  echo "{\"case\": \"$name\", \"result\": $line}" >> "$OUT/cases.jsonl"
done < "$CASES/cases.tsv"

if [[ -x $PY ]]; then
  $PY bench/gpu/report.py "$OUT/baselines.json" "$CASES/cases.json" \
    "$OUT/cases.jsonl" "$OUT/results.json" | tee "$OUT/report.txt"
else
  # No Python on this machine: the raw measurements, for report.py later.
  cat "$OUT/baselines.json" "$OUT/cases.jsonl" | tee "$OUT/report.txt"
fi
log "wrote $OUT/report.txt and $OUT/results.json"
exit $FAILED

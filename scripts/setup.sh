#!/usr/bin/env bash
# Installs the Debian packages Loom needs (only the missing ones) and
# configures the build directory. Sourced by the other scripts; safe to run
# again.
set -euo pipefail

LOOM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOOM_BUILD="${LOOM_BUILD:-$LOOM_ROOT/build}"

PACKAGES=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22 libclang-rt-22-dev
  cmake ninja-build ccache libgtest-dev
  python3 python3-numpy libpython3-dev python3-pytest pybind11-dev python3-pip python3-venv
  libopenblas-dev libdnnl-dev libomp-22-dev libcurl4-openssl-dev
  # oneDNN's CMake config needs OpenCL; libdnnl-dev only recommends it.
  ocl-icd-opencl-dev
  libxgboost-dev librsvg2-bin
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "loom: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache hits across build directories (CI's fresh clone) only with a base dir.
export CCACHE_BASEDIR="$LOOM_ROOT"

if [[ ! -f "$LOOM_BUILD/build.ninja" ]]; then
  cmake -S "$LOOM_ROOT" -B "$LOOM_BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
# Two cores: an MLIR translation unit takes up to 1.6 GB and 10 s of CPU.
cmake --build "$LOOM_BUILD" -j2

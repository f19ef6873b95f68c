// REQUIRES: nvptx, ptxas
// ptxas accepts every kernel of nvptx.mlir for sm_80 (A100) and sm_90
// (H100, H200), with the large-N GEMMs on tensor cores, and with
// elongated lookup tiles.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %S/nvptx.mlir --target=nvptx --emit=ptx -o %t/k90.ptx
// RUN: %ptxas -arch=sm_90 %t/k90.ptx -o %t/k90.cubin
// RUN: loom-compile %S/nvptx.mlir --target=nvptx --pipeline-options="chip=sm_80" --emit=ptx -o %t/k80.ptx
// RUN: %ptxas -arch=sm_80 %t/k80.ptx -o %t/k80.cubin
// RUN: loom-compile %S/nvptx.mlir --target=nvptx --pipeline-options="tensor-cores=1" --emit=ptx -o %t/tc90.ptx
// RUN: %ptxas -arch=sm_90 %t/tc90.ptx -o %t/tc90.cubin
// Elongated lookup tiles: nvptx-split-k.mlir's 64 rows as 32-thread
// blocks of two rows per thread.
// RUN: loom-compile %S/nvptx-split-k.mlir --target=nvptx --pipeline-options="block-rows=32 rows-per-thread=2" --emit=ptx -o %t/e90.ptx
// RUN: %ptxas -arch=sm_90 %t/e90.ptx -o %t/e90.cubin
// RUN: test -s %t/k90.cubin && test -s %t/k80.cubin && test -s %t/tc90.cubin && test -s %t/e90.cubin

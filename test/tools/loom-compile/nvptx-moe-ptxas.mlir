// REQUIRES: nvptx, ptxas
// ptxas accepts every kernel of nvptx-moe.mlir for sm_80 (A100) and sm_90
// (H100, H200), with no register spills; and with tensor-cores=1, whose wide
// GEMM tiles run mma.sync (TF32, or f16 for the f16 layer).
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %S/nvptx-moe.mlir --target=nvptx --emit=ptx -o %t/k90.ptx
// RUN: %ptxas -v -arch=sm_90 %t/k90.ptx -o %t/k90.cubin 2>&1 | FileCheck %s
// RUN: loom-compile %S/nvptx-moe.mlir --target=nvptx --pipeline-options="chip=sm_80" --emit=ptx -o %t/k80.ptx
// RUN: %ptxas -v -arch=sm_80 %t/k80.ptx -o %t/k80.cubin 2>&1 | FileCheck %s
// RUN: test -s %t/k90.cubin && test -s %t/k80.cubin
// RUN: loom-compile %S/nvptx-moe.mlir --target=nvptx --pipeline-options="tensor-cores=1" --emit=ptx -o %t/tc90.ptx
// RUN: FileCheck %s --check-prefix=MMA --input-file=%t/tc90.ptx
// RUN: %ptxas -v -arch=sm_90 %t/tc90.ptx -o %t/tc90.cubin 2>&1 | FileCheck %s
// RUN: loom-compile %S/nvptx-moe.mlir --target=nvptx --pipeline-options="chip=sm_80 tensor-cores=1" --emit=ptx -o %t/tc80.ptx
// RUN: %ptxas -v -arch=sm_80 %t/tc80.ptx -o %t/tc80.cubin 2>&1 | FileCheck %s

// CHECK-NOT: error
// CHECK-NOT: {{[1-9][0-9]*}} bytes spill
// CHECK: Used {{[0-9]+}} registers

// The f32 layers' wide tiles on TF32, the f16 layer's on f16.
// MMA-DAG: mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// MMA-DAG: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512-vnni cost-model=none" --mlir-print-ir-after=lut-select-strategy 2>&1 | FileCheck %s
// RUN: loom-opt %s --loom-cpu-pipeline="isa=avx512-vnni cost-model=none" | FileCheck %s --check-prefix=LLVM

!w = !lut.packed<256x256, #lut.quant<ternary, group = 8, scale = f32>, #lut.layout<bitplane>>

// Without the cost model (cost-model=none; its dot_from_n knob otherwise
// decides, test/Transforms/loom-decide-path.mlir), loom-cpu-pipeline chooses
// per GEMM with lut-select-strategy's roofline (the pass's
// default figures): ternary weights in groups of 8 K leave the dot kernel
// steps of 8 K only, so 4-bit value indices, twice the lookups' 2 bits per
// weight, which wins N = 1; from N = 2 on the dot kernel's cheaper steps
// do. The function keeps both kernels behind a test of N.
// CHECK-LABEL: IR Dump After LutSelectStrategy
// CHECK: lut.mpgemm {{.*}} {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 2 : i64}
// LLVM-LABEL: llvm.func @gemm
// LLVM: llvm.icmp "sge"
// LLVM: llvm.x86.avx512.vpdpbusd.512
// LLVM: llvm.x86.avx512.pshuf.b.512
func.func @gemm(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<2> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<256x32xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<256x32xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=lut-fuse-precompute 2>&1 | FileCheck %s
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=lut-fuse-precompute 2>&1 | FileCheck %s --check-prefix=FUSED
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// Low-bit experts in loom-cpu-pipeline: moe-decompose gives each expert a
// lut.mpgemm over its gathered tokens; after the lut passes, x's int8
// tables are built once (whatever the number of experts) and every expert
// gathers its rows' tables, sums and scales. The second GEMM of each
// expert builds its tables while evaluating SwiGLU on the first GEMM's
// output (lut-fuse-precompute), so the hidden activation is never stored.
// The whole layer reaches LLVM.
// CHECK-LABEL: IR Dump After LutFusePrecompute
// CHECK: %[[T:.*]], %[[XS:.*]], %[[TS:.*]] = lut.table_precompute %arg0 {{.*}} : tensor<?x64xf32> -> tensor<?x16x16xi8>
// CHECK-NOT: lut.table_precompute
// CHECK-NOT: lut.gather_rows %arg0
// CHECK-COUNT-4: lut.gather_rows %[[T]]
// CHECK-NOT: lut.table_precompute
// CHECK-NOT: lut.gather_rows %arg0
// CHECK: return
// FUSED-COUNT-4: lut.fused_table_precompute ins(%{{.*}}, %{{.*}} : tensor<?x32xf32>, tensor<?x32xf32>)
// FUSED-NOT: lut.fused_table_precompute
// LLVM: llvm.func @lowbit
// LLVM-NOT: lut.
// LLVM-NOT: moe.
!w1 = !lut.packed<64x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
!w2 = !lut.packed<64x32, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
func.func @lowbit(%x: tensor<?x64xf32>, %wr: tensor<4x64xf32>, %a: !w1, %b: !w1, %c: !w1, %d: !w1, %e: !w2, %f: !w2, %g: !w2, %h: !w2) -> tensor<?x64xf32> {
  %w1 = lut.stack %a, %b, %c, %d : !lut.stacked<4, !w1>
  %w2 = lut.stack %e, %f, %g, %h : !lut.stacked<4, !w2>
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}
     : (tensor<?x64xf32>, tensor<4x64xf32>, !lut.stacked<4, !w1>, !lut.stacked<4, !w2>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

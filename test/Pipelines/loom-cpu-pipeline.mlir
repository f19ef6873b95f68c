// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=lut-decompose-mpgemm 2>&1 | FileCheck %s --check-prefix=DECOMPOSED
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="symmetrize-tables=true" --mlir-print-ir-after=lut-symmetrize-tables 2>&1 | FileCheck %s --check-prefix=MIRROR
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=lut-symmetrize-tables 2>&1 | FileCheck %s --check-prefix=FULL

// A bitplane weight takes the bit-serial table-lookup form on the way to
// LLVM; nothing of the lut dialect remains.
// DECOMPOSED: lut.table_precompute
// DECOMPOSED: lut.lookup_accumulate
// DECOMPOSED: lut.scale_combine
// MIRROR: lut.table_precompute {{.*}}g = 4 : i64, mirror, segment = 64 : i64} : tensor<1x64xf32> -> tensor<1x16x8xf32>
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=lut-quantize-tables 2>&1 | FileCheck %s --check-prefix=INT8
// INT8: lut.table_precompute {{.*}} -> tensor<1x16x16xi8>, tensor<1x1xf32>, tensor<1x1xf32>
// INT8: lut.lookup_accumulate {{.*}} -> tensor<1x128x1xi32>
// INT8: lut.scale_combine {{.*}} tscale
// FULL-NOT: IR Dump After LutSymmetrizeTables
// CHECK-NOT: lut.
// CHECK-LABEL: llvm.func @gemv(
// CHECK-LABEL: llvm.func @_mlir_ciface_gemv(
!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemv(%c: tensor<128x64xi8>, %s: tensor<1x1xf32>, %x: tensor<1x64xf32>) -> tensor<1x128xf32> {
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.linear %x, %w : tensor<1x64xf32>, !w -> tensor<1x128xf32>
  return %y : tensor<1x128xf32>
}

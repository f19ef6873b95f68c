// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512 cost-model=roofline" --mlir-print-ir-before=convert-lut-to-vector -o /dev/null 2>&1 | FileCheck %s --check-prefix=CARRIED
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512 cost-model=roofline" --mlir-print-ir-after=convert-linalg-to-loops -o /dev/null 2>&1 | FileCheck %s

// loom-decide runs in loom-cpu-pipeline; a decision pinned by hand survives
// it (replay=keep), lut-decompose-mpgemm and lut-quantize-tables carry it to
// the epilogue the kernel is built from, and the kernel follows it: one
// column per weight load, no prefetches. @decided gets the roofline's
// choice: four columns, prefetching.
// CARRIED-LABEL: func.func @pinned
// CARRIED: lut.scale_combine {{.*}}loom.decision = #loom.decision<"lut.gemm", {column_tile = 1 : i64, gemv_prefetch = 0 : i64, prefetch = 0 : i64}, source = "user"
// CARRIED-LABEL: func.func @decided
// CARRIED: lut.scale_combine {{.*}}loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "roofline"
// CHECK-LABEL: func.func @pinned
// CHECK-NOT: memref.prefetch
// CHECK-NOT: vector<32xi16>, vector<32xi16>, vector<32xi16>
// CHECK: lut.x86.pshufb
// CHECK-LABEL: func.func @decided
// CHECK: -> (vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>)
// CHECK: memref.prefetch

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @pinned(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<2> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 1 : i64, gemv_prefetch = 0 : i64, prefetch = 0 : i64}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

func.func @decided(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

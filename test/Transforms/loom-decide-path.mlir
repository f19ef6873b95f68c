// RUN: loom-opt %s --loom-decide="isa=avx512-vnni cost-model=roofline" | FileCheck %s
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512-vnni cost-model=roofline" --mlir-print-ir-after=lut-decompose-mpgemm -o /dev/null 2>&1 | FileCheck %s --check-prefix=PATH

// With int8 activations and constant weights the int8-dot path competes
// with the lookups: the decision gets a dot_from_n knob (0: never), which
// lut-decompose-mpgemm follows over lut-select-strategy's crossover.
!w = !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The roofline sees the 2-bit dot stream beat the lookups' 2-bit planes
// plus tables at every N: int8 dots from N = 1.
// CHECK-LABEL: func.func @decided
// CHECK: lut.mpgemm {{.*}}loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 1 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "roofline"
// PATH-LABEL: func.func @decided
// PATH: lut.dot_accumulate
func.func @decided(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// PATH-LABEL: func.func @lookups_only
// PATH-NOT: lut.dot_accumulate
// PATH: lut.lookup_accumulate
// PATH-NOT: lut.dot_accumulate
// PATH-LABEL: func.func @dots_only
func.func @lookups_only(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>, loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 0 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// PATH-NOT: lut.lookup_accumulate
// PATH: lut.dot_accumulate
// PATH-NOT: lut.lookup_accumulate
func.func @dots_only(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>, loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 1 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// A lut.dot_from_n written into the IR pins the path (beyond 128: never);
// the model still chooses the schedule.
// CHECK-LABEL: func.func @pinned_path
// PATH-LABEL: func.func @pinned_path
// PATH-NOT: lut.dot_accumulate
// PATH: lut.lookup_accumulate
// CHECK: loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 0 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "roofline", model = "roofline">, lut.dot_from_n = 4611686018427387904 : i64}
func.func @pinned_path(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 4611686018427387904 : i64} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

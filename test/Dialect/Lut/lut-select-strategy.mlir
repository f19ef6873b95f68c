// RUN: loom-opt %s -split-input-file --lut-select-strategy="isa=avx512-vnni bandwidth-gbps=20 pair-lookup-step-ns=2 single-lookup-step-ns=4 dot-step-ns=0.5" | FileCheck %s
// RUN: loom-opt %s -split-input-file --lut-select-strategy="isa=avx512 bandwidth-gbps=20 pair-lookup-step-ns=2 single-lookup-step-ns=4 dot-step-ns=0.5" | FileCheck %s --check-prefix=NOVNNI
// RUN: not loom-opt %s -split-input-file --lut-select-strategy="dot-step-ns=0" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: lut-select-strategy: the bandwidth and step times must be positive

!t = !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
!w4 = !lut.packed<256x256, #lut.quant<signed, bits = 4, group = 32, scale = f32>, #lut.layout<bitplane>>
!w3 = !lut.packed<256x256, #lut.quant<signed, bits = 3, group = 32, scale = f32>, #lut.layout<bitplane>>

// The roofline of each path, 256 x 256 weights at 20 GB/s. Ternary: the
// lookups stream 16 KiB in 819 ns and issue 256 N steps of 2 ns; the dot
// kernel (2-bit value indices: three values) streams as many bytes and
// issues 256 N steps of 16 K at 1 ns: a tie at N = 1 keeps the lookups, the
// dot path from N = 2. W4 (4-bit indices, 32 KiB either way, twice the
// lookup steps) and W3 (single-plane steps of 4 ns): the dot path from
// N = 2. Without VNNI a dot step costs three times as much: ternary's
// lookups win at every N, W4 and W3 still go to the dot path from N = 2.
// CHECK-LABEL: func @crossovers
// CHECK: lut.mpgemm {{.*}} {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 2 : i64}
// CHECK: lut.mpgemm {{.*}} {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 2 : i64}
// CHECK: lut.mpgemm {{.*}} x_scale {{.*}} {lut.dot_from_n = 2 : i64}
// NOVNNI-LABEL: func @crossovers
// NOVNNI: lut.mpgemm {{.*}} {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !lut.packed<256x256, #lut.quant<ternary
// NOVNNI: lut.dot_from_n = 2 : i64
// NOVNNI: lut.dot_from_n = 2 : i64
func.func @crossovers(%x: tensor<?x256xf32>, %x8: tensor<?x256xi8>, %s8: tensor<?xf32>, %st: tensor<1x1xf32>, %s32: tensor<256x8xf32>) -> (tensor<?x256xf32>, tensor<?x256xf32>, tensor<?x256xf32>) {
  %ct = arith.constant dense<1> : tensor<256x256xi8>
  %t = lut.pack %ct, %st : tensor<256x256xi8>, tensor<1x1xf32> -> !t
  %w4 = lut.pack %ct, %s32 : tensor<256x256xi8>, tensor<256x8xf32> -> !w4
  %w3 = lut.pack %ct, %s32 : tensor<256x256xi8>, tensor<256x8xf32> -> !w3
  %a = lut.mpgemm %x, %t {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !t -> tensor<?x256xf32>
  %b = lut.mpgemm %x, %w4 {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !w4 -> tensor<?x256xf32>
  %c = lut.mpgemm %x8, %w3 x_scale %s8 : tensor<?x256xi8>, !w3, tensor<?xf32> -> tensor<?x256xf32>
  return %a, %b, %c : tensor<?x256xf32>, tensor<?x256xf32>, tensor<?x256xf32>
}

// -----

!t = !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
!t3 = !lut.packed<128x96, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3, tile_m = 128>>

// Left alone: fp activations (their contract keeps the lookups), a decision
// already made, a weight that is no pack of constant codes (neither kernel folds
// it). trit3 weights have no vector lookup kernel: int8 dot products for
// every N.
// CHECK-LABEL: func @kept
// CHECK: lut.mpgemm %{{.*}}, %{{.*}} : tensor<?x256xf32>
// CHECK: lut.dot_from_n = 7 : i64
// CHECK: lut.mpgemm %{{.*}}, %{{.*}} {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>
// CHECK: lut.mpgemm {{.*}} {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 1 : i64} : tensor<?x96xf32>
func.func @kept(%x: tensor<?x256xf32>, %st: tensor<1x1xf32>, %arg: !t, %x96: tensor<?x96xf32>) -> (tensor<?x256xf32>, tensor<?x256xf32>, tensor<?x256xf32>, tensor<?x128xf32>) {
  %ct = arith.constant dense<1> : tensor<256x256xi8>
  %c96 = arith.constant dense<2> : tensor<128x96xi8>
  %t = lut.pack %ct, %st : tensor<256x256xi8>, tensor<1x1xf32> -> !t
  %a = lut.mpgemm %x, %t : tensor<?x256xf32>, !t -> tensor<?x256xf32>
  %b = lut.mpgemm %x, %t {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 7 : i64} : tensor<?x256xf32>, !t -> tensor<?x256xf32>
  %c = lut.mpgemm %x, %arg {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !t -> tensor<?x256xf32>
  %w = lut.pack %c96, %st : tensor<128x96xi8>, tensor<1x1xf32> -> !t3
  %d = lut.mpgemm %x96, %w {act_quant = #lut.act_quant<i8>} : tensor<?x96xf32>, !t3 -> tensor<?x128xf32>
  return %a, %b, %c, %d : tensor<?x256xf32>, tensor<?x256xf32>, tensor<?x256xf32>, tensor<?x128xf32>
}

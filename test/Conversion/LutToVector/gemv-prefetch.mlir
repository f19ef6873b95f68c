// RUN: loom-opt %s -split-input-file --lut-decompose-mpgemm --convert-lut-to-vector="isa=avx512-vbmi" | FileCheck %s

!w1 = !lut.packed<64x64, #lut.quant<binary, bits = 1, group = 64, scale = f16>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A dynamic N whose decision gives its GEMV a prefetch distance of its own
// gets a kernel of its own for N = 1: here without prefetches, while from
// N = 2 on the stream is prefetched 2048 bytes ahead and the quad layout
// still takes over from N = 8. Every kernel reads the one index stream of
// each layout, and so does the same weight's GEMM below.
// CHECK-DAG: memref.global "private" constant @{{.*}} : memref<1024xi8> = dense<15>
// CHECK-DAG: memref.global "private" constant @{{.*}} : memref<512xi8> = dense<-1>
// CHECK-NOT: memref.global
// CHECK-LABEL: func @gemv_apart
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x16x16xi8>
// CHECK: %[[GEMV:.*]] = arith.cmpi slt, %[[N]], %c2 : index
// CHECK: scf.if %[[GEMV]] -> (tensor<?x64xf32>) {
// CHECK-NOT: memref.prefetch
// CHECK: lut.x86.pshufb
// CHECK-NOT: memref.prefetch
// CHECK: } else {
// CHECK: %[[BELOW:.*]] = arith.cmpi slt, %[[N]], %c8 : index
// CHECK: scf.if %[[BELOW]] -> (tensor<?x64xf32>) {
// CHECK: memref.prefetch
// CHECK: lut.x86.pshufb
// CHECK: } else {
// CHECK: memref.prefetch
// CHECK: lut.x86.vpermb
// A static N has no GEMV to take apart.
// CHECK-LABEL: func @static_n
// CHECK-NOT: scf.if
// CHECK: memref.prefetch
// CHECK-NOT: scf.if
// CHECK: return
func.func @gemv_apart(%t: tensor<?x16x16xi8>, %ts: tensor<?x1xf32>, %xs: tensor<?x1xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<1> : tensor<64x64xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf16>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x1xf16> -> !w1
  %acc = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<?x16x16xi8>, !w1 -> tensor<?x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 0 : i64, prefetch = 2048 : i64, quad_from_n = 8 : i64}, source = "user", model = "hand">} : tensor<?x64x1xi32>, !w1, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

func.func @static_n(%t: tensor<4x16x16xi8>, %ts: tensor<4x1xf32>, %xs: tensor<4x1xf32>) -> tensor<4x64xf32> {
  %c = arith.constant dense<1> : tensor<64x64xi8>
  %s = arith.constant dense<0.5> : tensor<64x1xf16>
  %w = lut.pack %c, %s : tensor<64x64xi8>, tensor<64x1xf16> -> !w1
  %acc = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<4x16x16xi8>, !w1 -> tensor<4x64x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, prefetch = 2048 : i64, quad_from_n = 0 : i64}, source = "user", model = "hand">} : tensor<4x64x1xi32>, !w1, tensor<4x1xf32>, tensor<4x1xf32> -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

!w = !lut.packed<80x16, #lut.quant<signed, bits = 4, group = per_channel, scale = f16>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The int8-dot kernel takes its GEMV apart alike: prefetching 4096 bytes
// ahead at N = 1, 512 from N = 2 on, both over one stream.
// CHECK: memref.global "private" constant @[[$STREAM:__loom_lut_stream.*]] : memref<1024xi8>
// CHECK-NOT: memref.global "private" constant @__loom_lut_stream
// CHECK-LABEL: func @dot_gemv_apart
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x16xi8>
// CHECK: %[[GEMV:.*]] = arith.cmpi slt, %[[N]], %c2 : index
// CHECK: scf.if %[[GEMV]] -> (tensor<?x80xf32>) {
// CHECK: memref.get_global @[[$STREAM]]
// CHECK: arith.addi %{{.*}}, %c4096 : index
// CHECK: memref.prefetch
// CHECK: } else {
// CHECK: memref.get_global @[[$STREAM]]
// CHECK: arith.addi %{{.*}}, %c512 : index
// CHECK: memref.prefetch
func.func @dot_gemv_apart(%x: tensor<?x16xi8>, %xs: tensor<?x1xf32>, %ts: tensor<?x1xf32>) -> tensor<?x80xf32> {
  %c = arith.constant dense<1> : tensor<80x16xi8>
  %s = arith.constant dense<0.5> : tensor<80x1xf16>
  %w = lut.pack %c, %s : tensor<80x16xi8>, tensor<80x1xf16> -> !w
  %acc = lut.dot_accumulate %x, %w {segment = 16 : i64} : tensor<?x16xi8>, !w -> tensor<?x80x1xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 1 : i64, gemv_prefetch = 4096 : i64, prefetch = 512 : i64}, source = "user", model = "hand">} : tensor<?x80x1xi32>, !w, tensor<?x1xf32>, tensor<?x1xf32> -> tensor<?x80xf32>
  return %y : tensor<?x80xf32>
}

// -----

!w = !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A kernel that never sees N = 1 builds no GEMV kernel, and one that sees
// only N = 1 is that kernel: int8 dots from N = 4 run one kernel, the
// lookups below them two; int8 dots from N = 2 leave the lookups the GEMV
// alone, without prefetches.
// CHECK-LABEL: func @dots_from_4
// CHECK: %[[DOTS:.*]] = arith.cmpi sge, %{{.*}}, %c4 : index
// CHECK: scf.if %[[DOTS]]
// CHECK-NOT: scf.if
// CHECK: lut.x86.vpdpbusd
// CHECK: } else {
// CHECK: %[[GEMV:.*]] = arith.cmpi slt, %{{.*}}, %c2 : index
// CHECK: scf.if %[[GEMV]]
// CHECK-LABEL: func @dots_from_2
// CHECK: %[[DOTS:.*]] = arith.cmpi sge, %{{.*}}, %c2 : index
// CHECK: scf.if %[[DOTS]]
// CHECK: memref.prefetch
// CHECK: lut.x86.vpdpbusd
// CHECK: } else {
// CHECK-NOT: scf.if
// CHECK-NOT: memref.prefetch
// CHECK: return
func.func @dots_from_4(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>, loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 4 : i64, gemv_prefetch = 0 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

func.func @dots_from_2(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>, loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, dot_from_n = 2 : i64, gemv_prefetch = 0 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// RUN: loom-opt %s -split-input-file | FileCheck %s
// RUN: loom-opt %s -split-input-file --mlir-print-op-generic | loom-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @pack_w4
// CHECK: lut.pack %{{.*}}, %{{.*}} : tensor<64x128xi8>, tensor<64x4xf16> -> !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32, scale = f16>, #lut.layout<codes>>
func.func @pack_w4(%c: tensor<64x128xi8>, %s: tensor<64x4xf16>) -> !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32, scale = f16>, #lut.layout<codes>> {
  %w = lut.pack %c, %s : tensor<64x128xi8>, tensor<64x4xf16> -> !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32, scale = f16>, #lut.layout<codes>>
  return %w : !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32, scale = f16>, #lut.layout<codes>>
}

// -----

// CHECK-LABEL: func @pack_zero_point
// CHECK: lut.pack %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x256xi8>, tensor<8x2xf32>, tensor<8x2xi8> -> !lut.packed<8x256, #lut.quant<unsigned, bits = 2, group = 128, scale = f32, offset = zero_point>, #lut.layout<codes>>
func.func @pack_zero_point(%c: tensor<8x256xi8>, %s: tensor<8x2xf32>, %z: tensor<8x2xi8>) -> !lut.packed<8x256, #lut.quant<unsigned, bits = 2, group = 128, scale = f32, offset = zero_point>> {
  %w = lut.pack %c, %s, %z : tensor<8x256xi8>, tensor<8x2xf32>, tensor<8x2xi8> -> !lut.packed<8x256, #lut.quant<unsigned, bits = 2, group = 128, scale = f32, offset = zero_point>>
  return %w : !lut.packed<8x256, #lut.quant<unsigned, bits = 2, group = 128, scale = f32, offset = zero_point>>
}

// -----

// CHECK-LABEL: func @layouts
// CHECK-SAME: !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 256>>
// CHECK-SAME: !lut.packed<256x256, #lut.quant<ternary, group = 256, scale = f16>, #lut.layout<trit3, tile_m = 128>>
// CHECK-SAME: !lut.packed<64x256, #lut.quant<ternary, group = 256, scale = f16>, #lut.layout<gguf<TQ2_0>>>
// CHECK-SAME: !lut.packed<64x256, #lut.quant<binary, bits = 1, group = 128, scale = bf16>, #lut.layout<bitplane, g = 8, lanes = 1x1, tile_m = 64>>
func.func @layouts(
    %a: !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 256>>,
    %b: !lut.packed<256x256, #lut.quant<ternary, group = 256, scale = f16>, #lut.layout<trit3, tile_m = 128>>,
    %c: !lut.packed<64x256, #lut.quant<ternary, group = 256, scale = f16>, #lut.layout<gguf<TQ2_0>>>,
    %d: !lut.packed<64x256, #lut.quant<binary, group = 128, scale = bf16>, #lut.layout<bitplane, g = 8, lanes = 1x1, tile_m = 64>>) {
  return
}

// -----

// CHECK-LABEL: func @mpgemm_modes
// CHECK: lut.mpgemm %{{.*}}, %{{.*}} : tensor<?x128xf32>, !lut.packed
// CHECK: lut.mpgemm %{{.*}}, %{{.*}} {accuracy = #lut.accuracy<exact>, act_quant = #lut.act_quant<i8, block = 32>} : tensor<?x128xf32>
// CHECK: lut.mpgemm %{{.*}}, %{{.*}} x_scale %{{.*}} : tensor<?x128xi8>, !lut.packed<{{.*}}>, tensor<?xf32> -> tensor<?x64xbf16>
// CHECK: lut.mpgemm %{{.*}}, %{{.*}} x_scale %{{.*}} : tensor<?x128xi8>, !lut.packed<{{.*}}>, tensor<?x4xf32> -> tensor<?x64xf32>
// CHECK: lut.dequantize %{{.*}} : !lut.packed<{{.*}}> -> tensor<64x128xf16>
func.func @mpgemm_modes(%c: tensor<64x128xi8>, %s: tensor<64x1xf32>, %x: tensor<?x128xf32>, %xi: tensor<?x128xi8>, %xs: tensor<?xf32>, %xb: tensor<?x4xf32>) {
  %w = lut.pack %c, %s : tensor<64x128xi8>, tensor<64x1xf32> -> !lut.packed<64x128, #lut.quant<unsigned, bits = 3, group = per_channel, scale = f32>>
  %0 = lut.mpgemm %x, %w : tensor<?x128xf32>, !lut.packed<64x128, #lut.quant<unsigned, bits = 3, group = per_channel, scale = f32>> -> tensor<?x64xf32>
  %1 = lut.mpgemm %x, %w {accuracy = #lut.accuracy<exact>, act_quant = #lut.act_quant<i8, block = 32>} : tensor<?x128xf32>, !lut.packed<64x128, #lut.quant<unsigned, bits = 3, group = per_channel, scale = f32>> -> tensor<?x64xf32>
  %2 = lut.mpgemm %xi, %w x_scale %xs : tensor<?x128xi8>, !lut.packed<64x128, #lut.quant<unsigned, bits = 3, group = per_channel, scale = f32>>, tensor<?xf32> -> tensor<?x64xbf16>
  %3 = lut.mpgemm %xi, %w x_scale %xb : tensor<?x128xi8>, !lut.packed<64x128, #lut.quant<unsigned, bits = 3, group = per_channel, scale = f32>>, tensor<?x4xf32> -> tensor<?x64xf32>
  %4 = lut.dequantize %w : !lut.packed<64x128, #lut.quant<unsigned, bits = 3, group = per_channel, scale = f32>> -> tensor<64x128xf16>
  return
}

// -----

// CHECK-LABEL: func @linear
// CHECK: lut.linear %{{.*}}, %{{.*}} bias %{{.*}} : tensor<2x?x256xf32>, !lut.packed<{{.*}}>, tensor<128xf32> -> tensor<2x?x128xf32>
func.func @linear(%x: tensor<2x?x256xf32>, %w: !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 128>>, %b: tensor<128xf32>) -> tensor<2x?x128xf32> {
  %y = lut.linear %x, %w bias %b : tensor<2x?x256xf32>, !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 128>>, tensor<128xf32> -> tensor<2x?x128xf32>
  return %y : tensor<2x?x128xf32>
}

// -----

!w = !lut.packed<256x128, #lut.quant<unsigned, bits = 2, group = 32, scale = f32, offset = zero_point>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// CHECK-LABEL: func @bit_serial
// CHECK: lut.table_precompute %{{.*}} {g = 4 : i64, segment = 32 : i64} : tensor<?x128xf32> -> tensor<?x32x16xf32>, tensor<?x4xf32>
// CHECK: lut.lookup_accumulate %{{.*}}, %{{.*}} {segment = 32 : i64} : tensor<?x32x16xf32>, !lut.packed<{{.*}}> -> tensor<?x256x4xf32>
// CHECK: lut.scale_combine %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x256x4xf32>, !lut.packed<{{.*}}>, tensor<?x4xf32> -> tensor<?x256xf16>
func.func @bit_serial(%x: tensor<?x128xf32>, %w: !w) -> tensor<?x256xf16> {
  %t, %xs = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<?x128xf32> -> tensor<?x32x16xf32>, tensor<?x4xf32>
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x32x16xf32>, !w -> tensor<?x256x4xf32>
  %y = lut.scale_combine %acc, %w, %xs : tensor<?x256x4xf32>, !w, tensor<?x4xf32> -> tensor<?x256xf16>
  return %y : tensor<?x256xf16>
}

// -----

!w = !lut.packed<256x128, #lut.quant<signed, bits = 2, group = 64, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// CHECK-LABEL: func @int8_tables
// CHECK: lut.table_precompute %{{.*}} {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, mirror, segment = 32 : i64} : tensor<?x128xf32> -> tensor<?x32x8xi8>, tensor<?x4xf32>, tensor<?x4xf32>
// CHECK: lut.lookup_accumulate {{.*}} -> tensor<?x256x4xi32>
// CHECK: lut.scale_combine %{{.*}}, %{{.*}}, %{{.*}} tscale %{{.*}} : tensor<?x256x4xi32>
func.func @int8_tables(%x: tensor<?x128xf32>, %w: !w) -> tensor<?x256xf32> {
  %t, %xs, %ts = lut.table_precompute %x {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, mirror, segment = 32 : i64} : tensor<?x128xf32> -> tensor<?x32x8xi8>, tensor<?x4xf32>, tensor<?x4xf32>
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x32x8xi8>, !w -> tensor<?x256x4xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x256x4xi32>, !w, tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

// CHECK-LABEL: func @quantize_activations
// CHECK: lut.quantize_activations %{{.*}} : tensor<?x128xf32> -> tensor<?x128xi8>, tensor<?xf32>
// CHECK: lut.quantize_activations %{{.*}} {block = 32 : i64} : tensor<?x128xbf16> -> tensor<?x128xi8>, tensor<?x4xf32>
func.func @quantize_activations(%x: tensor<?x128xf32>, %y: tensor<?x128xbf16>) {
  %q, %s = lut.quantize_activations %x : tensor<?x128xf32> -> tensor<?x128xi8>, tensor<?xf32>
  %q2, %s2 = lut.quantize_activations %y {block = 32 : i64} : tensor<?x128xbf16> -> tensor<?x128xi8>, tensor<?x4xf32>
  return
}

// -----

// CHECK-LABEL: func @x86_pshufb
// CHECK: lut.x86.pshufb %{{.*}}, %{{.*}} : vector<64xi8>
func.func @x86_pshufb(%t: vector<64xi8>, %i: vector<64xi8>) -> vector<64xi8> {
  %v = lut.x86.pshufb %t, %i : vector<64xi8>
  return %v : vector<64xi8>
}

// -----

// CHECK-LABEL: func @x86_vpermb
// CHECK: lut.x86.vpermb %{{.*}}, %{{.*}} : vector<64xi8>
func.func @x86_vpermb(%t: vector<64xi8>, %i: vector<64xi8>) -> vector<64xi8> {
  %v = lut.x86.vpermb %t, %i : vector<64xi8>
  return %v : vector<64xi8>
}

// -----

// CHECK-LABEL: func @x86_pmaddubsw
// CHECK: lut.x86.pmaddubsw %{{.*}}, %{{.*}} : vector<64xi8> -> vector<32xi16>
func.func @x86_pmaddubsw(%w: vector<64xi8>, %v: vector<64xi8>) -> vector<32xi16> {
  %r = lut.x86.pmaddubsw %w, %v : vector<64xi8> -> vector<32xi16>
  return %r : vector<32xi16>
}

// -----

// CHECK-LABEL: func @fused_table_precompute
// CHECK: lut.fused_table_precompute ins(%{{.*}}, %{{.*}} : tensor<?x128xf32>, tensor<128xf32>) attributes {g = 4 : i64, indexing_maps = [#{{.*}}, #{{.*}}], segment = 32 : i64} {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32):
// CHECK:   lut.yield %{{.*}} : f32
// CHECK: } -> tensor<?x32x16xi8>, tensor<?x4xf32>, tensor<?x4xf32>
func.func @fused_table_precompute(%a: tensor<?x128xf32>, %b: tensor<128xf32>) -> tensor<?x32x16xi8> {
  %t, %xs, %ts = lut.fused_table_precompute ins(%a, %b : tensor<?x128xf32>, tensor<128xf32>)
      attributes {g = 4 : i64, segment = 32 : i64,
                  indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (k)>]} {
  ^bb0(%ai: f32, %bi: f32):
    %x = arith.mulf %ai, %bi : f32
    lut.yield %x : f32
  } -> tensor<?x32x16xi8>, tensor<?x4xf32>, tensor<?x4xf32>
  return %t : tensor<?x32x16xi8>
}

// -----

!w = !lut.packed<256x128, #lut.quant<signed, bits = 4, group = 32>, #lut.layout<bitplane>>

// The int8-dot path: activation sums and scales per segment, dot products
// into the same i32 sums the lookups give, the same epilogue.
// CHECK-LABEL: func @int8_dot
// CHECK: %[[XS:.*]], %[[TS:.*]] = lut.activation_sums %{{.*}} x_scale %{{.*}} {segment = 32 : i64} : tensor<?x128xi8>, tensor<?xf32> -> tensor<?x4xf32>, tensor<?x4xf32>
// CHECK: %[[ACC:.*]] = lut.dot_accumulate %{{.*}}, %{{.*}} {segment = 32 : i64} : tensor<?x128xi8>, !lut.packed<{{.*}}> -> tensor<?x256x4xi32>
// CHECK: lut.scale_combine %[[ACC]], %{{.*}}, %[[XS]] tscale %[[TS]]
func.func @int8_dot(%x: tensor<?x128xi8>, %sx: tensor<?xf32>, %w: !w) -> tensor<?x256xf32> {
  %xs, %ts = lut.activation_sums %x x_scale %sx {segment = 32 : i64} : tensor<?x128xi8>, tensor<?xf32> -> tensor<?x4xf32>, tensor<?x4xf32>
  %acc = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<?x128xi8>, !w -> tensor<?x256x4xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x256x4xi32>, !w, tensor<?x4xf32>, tensor<?x4xf32> -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

// CHECK-LABEL: func @x86_vpdpbusd
// CHECK: lut.x86.vpdpbusd %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<64xi8>
func.func @x86_vpdpbusd(%acc: vector<16xi32>, %u: vector<64xi8>, %s: vector<64xi8>) -> vector<16xi32> {
  %r = lut.x86.vpdpbusd %acc, %u, %s : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}

// -----

// CHECK-LABEL: func @stacked_experts
// CHECK: %[[S:.*]] = lut.stack %{{.*}}, %{{.*}} : !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>>
// CHECK: lut.expert %[[S]][1] : !lut.stacked<2, !lut.packed<64x128,
// CHECK: lut.gather_rows %{{.*}}[%{{.*}}] : tensor<?x128xf32>, tensor<?xi32> -> tensor<?x128xf32>
func.func @stacked_experts(%a: !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>,
                           %b: !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>,
                           %x: tensor<?x128xf32>, %rows: tensor<?xi32>)
    -> (!lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<?x128xf32>) {
  %s = lut.stack %a, %b : !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>
  %w = lut.expert %s[1] : !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>
  %g = lut.gather_rows %x[%rows] : tensor<?x128xf32>, tensor<?xi32> -> tensor<?x128xf32>
  return %w, %g : !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<?x128xf32>
}

// RUN: loom-opt %s -split-input-file --lut-decompose-mpgemm | FileCheck %s

!w = !lut.packed<256x128, #lut.quant<signed, bits = 2, group = 32, scale = f16>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// CHECK-LABEL: func @bitplane
// CHECK-SAME: (%[[X:.*]]: tensor<?x128xf32>, %[[W:.*]]: !lut.packed
// CHECK: %[[T:.*]], %[[XS:.*]] = lut.table_precompute %[[X]] {accuracy = #lut.accuracy<table_i8>, g = 4 : i64, segment = 32 : i64} : tensor<?x128xf32> -> tensor<?x32x16xf32>, tensor<?x4xf32>
// CHECK: %[[ACC:.*]] = lut.lookup_accumulate %[[T]], %[[W]] {segment = 32 : i64} : tensor<?x32x16xf32>, !lut.packed{{.*}} -> tensor<?x256x4xf32>
// CHECK: %[[Y:.*]] = lut.scale_combine %[[ACC]], %[[W]], %[[XS]] : tensor<?x256x4xf32>, !lut.packed{{.*}}, tensor<?x4xf32> -> tensor<?x256xf32>
// CHECK: return %[[Y]]
func.func @bitplane(%x: tensor<?x128xf32>, %w: !w) -> tensor<?x256xf32> {
  %y = lut.mpgemm %x, %w : tensor<?x128xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

!w = !lut.packed<64x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 8, lanes = 1x1, tile_m = 64>>

// g = 8 tables have 256 entries. A per-tensor scale is one weight group of
// K; table_i8 GEMMs still get a table scale per 64 K elements, fp GEMMs one
// segment of K.
// CHECK-LABEL: func @per_tensor_g8
// CHECK: lut.table_precompute %{{.*}} {accuracy = #lut.accuracy<table_i8>, g = 8 : i64, segment = 64 : i64} : tensor<3x256xf32> -> tensor<3x32x256xf32>, tensor<3x4xf32>
// CHECK: lut.lookup_accumulate {{.*}} -> tensor<3x64x4xf32>
// CHECK: lut.scale_combine {{.*}} -> tensor<3x64xbf16>
// CHECK: lut.table_precompute %{{.*}} {accuracy = #lut.accuracy<fp>, g = 8 : i64, segment = 256 : i64} : tensor<3x256xf32> -> tensor<3x32x256xf32>, tensor<3x1xf32>
// CHECK: lut.lookup_accumulate {{.*}} -> tensor<3x64x1xf32>
func.func @per_tensor_g8(%x: tensor<3x256xf32>, %w: !w) -> (tensor<3x64xbf16>, tensor<3x64xf32>) {
  %y = lut.mpgemm %x, %w : tensor<3x256xf32>, !w -> tensor<3x64xbf16>
  %z = lut.mpgemm %x, %w {accuracy = #lut.accuracy<fp>} : tensor<3x256xf32>, !w -> tensor<3x64xf32>
  return %y, %z : tensor<3x64xbf16>, tensor<3x64xf32>
}

// -----

!codes = !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32>>
!w = !lut.packed<128x128, #lut.quant<signed, bits = 4, group = 32>, #lut.layout<bitplane>>

// int8 activations: exact i16 tables whose tscale is the activation scale;
// segments fit in the activation blocks of 32. act_quant quantizes first and
// takes the same path. Left alone: weights not in the bitplane layout.
// CHECK-LABEL: func @untouched
// CHECK: lut.mpgemm
// CHECK: lut.table_precompute %{{.*}} x_scale %{{.*}} {accuracy = #lut.accuracy<exact>, g = 4 : i64, segment = 32 : i64} : tensor<2x128xi8>, tensor<2x4xf32> -> tensor<2x32x16xi16>, tensor<2x4xf32>, tensor<2x4xf32>
// CHECK: lut.lookup_accumulate {{.*}} -> tensor<2x128x4xi32>
// CHECK: lut.scale_combine {{.*}} tscale
// CHECK: %[[Q:.*]], %[[QS:.*]] = lut.quantize_activations %{{.*}} : tensor<2x128xf32> -> tensor<2x128xi8>, tensor<2xf32>
// CHECK: lut.table_precompute %[[Q]] x_scale %[[QS]] {accuracy = #lut.accuracy<exact>, g = 4 : i64, segment = 32 : i64}
// CHECK-NOT: lut.mpgemm
func.func @untouched(%c: tensor<64x128xi8>, %s: tensor<64x4xf32>, %x: tensor<2x128xf32>, %xi: tensor<2x128xi8>, %xs: tensor<2x4xf32>, %w: !w) -> (tensor<2x64xf32>, tensor<2x128xf32>, tensor<2x128xf32>) {
  %p = lut.pack %c, %s : tensor<64x128xi8>, tensor<64x4xf32> -> !codes
  %0 = lut.mpgemm %x, %p : tensor<2x128xf32>, !codes -> tensor<2x64xf32>
  %1 = lut.mpgemm %xi, %w x_scale %xs : tensor<2x128xi8>, !w, tensor<2x4xf32> -> tensor<2x128xf32>
  %2 = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>} : tensor<2x128xf32>, !w -> tensor<2x128xf32>
  return %0, %1, %2 : tensor<2x64xf32>, tensor<2x128xf32>, tensor<2x128xf32>
}

// -----

!t = !lut.packed<128x96, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3, tile_m = 128>>

// trit3 weights: 14-entry tables of 3 activations; a per-tensor scale with
// K = 96 is one segment (96 is no multiple of the 64 of int8 tables).
// CHECK-LABEL: func @trit3
// CHECK: lut.table_precompute %{{.*}} {accuracy = #lut.accuracy<table_i8>, g = 3 : i64, segment = 96 : i64} : tensor<?x96xf32> -> tensor<?x32x14xf32>, tensor<?x1xf32>
// CHECK: lut.lookup_accumulate {{.*}} -> tensor<?x128x1xf32>
func.func @trit3(%x: tensor<?x96xf32>, %w: !t) -> tensor<?x128xf32> {
  %y = lut.mpgemm %x, %w : tensor<?x96xf32>, !t -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!t = !lut.packed<128x128, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3, tile_m = 128>>

// Segments of 64 are no multiple of 3: each ends in a triple padded with
// zero activations, 22 table groups per segment.
// CHECK-LABEL: func @trit3_padded
// CHECK: lut.table_precompute %{{.*}} {accuracy = #lut.accuracy<table_i8>, g = 3 : i64, segment = 64 : i64} : tensor<?x128xf32> -> tensor<?x44x14xf32>, tensor<?x2xf32>
// CHECK: lut.lookup_accumulate %{{.*}} {segment = 64 : i64} : tensor<?x44x14xf32>, {{.*}} -> tensor<?x128x2xf32>
func.func @trit3_padded(%x: tensor<?x128xf32>, %w: !t) -> tensor<?x128xf32> {
  %y = lut.mpgemm %x, %w : tensor<?x128xf32>, !t -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!w = !lut.packed<64x64, #lut.quant<signed, bits = 4, group = 32>, #lut.layout<bitplane>>

// lut.dot_from_n (lut-select-strategy's decision) on GEMMs with int8
// activations: a static N at or above it takes the int8-dot path, one below
// it the lookups; a dynamic N both, behind an scf.if on N. fp activations
// keep the lookups whatever the attribute says.
// CHECK-LABEL: func @dot_from_n
// CHECK: %[[Q:.*]], %[[QS:.*]] = lut.quantize_activations
// CHECK: %[[XS:.*]], %[[TS:.*]] = lut.activation_sums %[[Q]] x_scale %[[QS]] {segment = 32 : i64} : tensor<8x64xi8>, tensor<8xf32> -> tensor<8x2xf32>, tensor<8x2xf32>
// CHECK: %[[ACC:.*]] = lut.dot_accumulate %[[Q]], %{{.*}} {segment = 32 : i64} : tensor<8x64xi8>, !lut.packed<{{.*}}> -> tensor<8x64x2xi32>
// CHECK: lut.scale_combine %[[ACC]], %{{.*}}, %[[XS]] tscale %[[TS]]
// CHECK: lut.table_precompute {{.*}} : tensor<4x64xi8>
// CHECK: lut.lookup_accumulate
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x64xi8>
// CHECK: %[[LARGE:.*]] = arith.cmpi sge, %[[N]], %{{.*}} : index
// CHECK: scf.if %[[LARGE]] -> (tensor<?x64xf32>) {
// CHECK: lut.dot_accumulate
// CHECK: } else {
// CHECK: lut.lookup_accumulate
// CHECK: lut.table_precompute {{.*}} : tensor<?x64xf32>
// CHECK-NOT: lut.dot_accumulate
func.func @dot_from_n(%x8: tensor<8x64xf32>, %x4: tensor<4x64xi8>, %s4: tensor<4xf32>, %xn: tensor<?x64xi8>, %sn: tensor<?xf32>, %xf: tensor<?x64xf32>, %w: !w) -> (tensor<8x64xf32>, tensor<4x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>) {
  %a = lut.mpgemm %x8, %w {act_quant = #lut.act_quant<i8>, lut.dot_from_n = 8 : i64} : tensor<8x64xf32>, !w -> tensor<8x64xf32>
  %b = lut.mpgemm %x4, %w x_scale %s4 {lut.dot_from_n = 8 : i64} : tensor<4x64xi8>, !w, tensor<4xf32> -> tensor<4x64xf32>
  %c = lut.mpgemm %xn, %w x_scale %sn {lut.dot_from_n = 8 : i64} : tensor<?x64xi8>, !w, tensor<?xf32> -> tensor<?x64xf32>
  %d = lut.mpgemm %xf, %w {lut.dot_from_n = 1 : i64} : tensor<?x64xf32>, !w -> tensor<?x64xf32>
  return %a, %b, %c, %d : tensor<8x64xf32>, tensor<4x64xf32>, tensor<?x64xf32>, tensor<?x64xf32>
}

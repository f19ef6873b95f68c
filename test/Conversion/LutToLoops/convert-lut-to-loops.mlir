// RUN: loom-opt %s -split-input-file --convert-lut-to-loops | FileCheck %s

!w4 = !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32, scale = f16>, #lut.layout<codes>>

// The packed weight becomes its codes and scales; the GEMM decodes each code
// (mask, subtract the signed offset 8), scales it and accumulates in f64.
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$CODES:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$SCALES:.*]] = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 32)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @signed_w4
// CHECK-SAME: (%[[C:.*]]: tensor<64x128xi8>, %[[S:.*]]: tensor<64x4xf16>, %[[XA:.*]]: tensor<?x128xf32>)
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$CODES]], #[[$SCALES]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[XA]], %[[C]], %[[S]] : tensor<?x128xf32>, tensor<64x128xi8>, tensor<64x4xf16>) outs(%{{.*}} : tensor<?x64xf64>)
// CHECK: arith.andi %{{.*}}, %c15_i32
// CHECK: arith.subi %{{.*}}, %c8_i32
// CHECK: arith.extf %{{.*}} : f16 to f64
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<?x64xf64>) outs(%{{.*}} : tensor<?x64xf32>)
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @signed_w4(%c: tensor<64x128xi8>, %s: tensor<64x4xf16>, %x: tensor<?x128xf32>) -> tensor<?x64xf32> {
  %w = lut.pack %c, %s : tensor<64x128xi8>, tensor<64x4xf16> -> !w4
  %y = lut.mpgemm %x, %w : tensor<?x128xf32>, !w4 -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

!t = !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 128>>

// Function boundaries: the packed argument is split 1:N into its logical
// tensors, whatever its layout; ternary codes decode as min(q & 3, 2) - 1.
// CHECK-DAG: #[[$PT:.*]] = affine_map<(d0, d1, d2) -> (0, 0)>
// CHECK-LABEL: func @ternary_argument
// CHECK-SAME: (%{{.*}}: tensor<128x256xi8>, %{{.*}}: tensor<1x1xf32>, %{{.*}}: tensor<3x256xf32>) -> tensor<3x128xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[$PT]], #{{.*}}]
// CHECK: arith.andi %{{.*}}, %c3_i32
// CHECK: arith.minsi %{{.*}}, %c2_i32
// CHECK-LABEL: func @caller
// CHECK-SAME: (%[[CC:.*]]: tensor<128x256xi8>, %[[CS:.*]]: tensor<1x1xf32>, %[[CX:.*]]: tensor<3x256xf32>)
// CHECK: call @ternary_argument(%[[CC]], %[[CS]], %[[CX]])
func.func @ternary_argument(%w: !t, %x: tensor<3x256xf32>) -> tensor<3x128xf32> {
  %y = lut.linear %x, %w : tensor<3x256xf32>, !t -> tensor<3x128xf32>
  return %y : tensor<3x128xf32>
}
func.func @caller(%w: !t, %x: tensor<3x256xf32>) -> tensor<3x128xf32> {
  %y = call @ternary_argument(%w, %x) : (!t, tensor<3x256xf32>) -> tensor<3x128xf32>
  return %y : tensor<3x128xf32>
}

// -----

!z = !lut.packed<8x64, #lut.quant<unsigned, bits = 2, group = per_channel, scale = bf16, offset = zero_point>>

// CHECK-LABEL: func @dequantize_zero_point
// CHECK-SAME: (%[[C:.*]]: tensor<8x64xi8>, %[[S:.*]]: tensor<8x1xbf16>, %[[Z:.*]]: tensor<8x1xi8>)
// CHECK: linalg.generic {{.*}} ins(%[[C]], %[[S]], %[[Z]] : tensor<8x64xi8>, tensor<8x1xbf16>, tensor<8x1xi8>) outs(%{{.*}} : tensor<8x64xf16>)
// CHECK: %[[Q:.*]] = arith.andi
// CHECK: %[[ZP:.*]] = arith.andi
// CHECK: arith.subi %[[Q]], %[[ZP]]
func.func @dequantize_zero_point(%c: tensor<8x64xi8>, %s: tensor<8x1xbf16>, %z: tensor<8x1xi8>) -> tensor<8x64xf16> {
  %w = lut.pack %c, %s, %z : tensor<8x64xi8>, tensor<8x1xbf16>, tensor<8x1xi8> -> !z
  %f = lut.dequantize %w : !z -> tensor<8x64xf16>
  return %f : tensor<8x64xf16>
}

// -----

!b = !lut.packed<16x64, #lut.quant<binary, group = 32, scale = f32>>

// Per-row activation quantization: absmax over K, then round-half-even of
// x / (absmax / 127) inside the GEMM.
// CHECK-LABEL: func @act_quant_row
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [%{{.*}}, 1, 64]
// CHECK: math.absf
// CHECK: arith.maximumf
// CHECK: math.roundeven
func.func @act_quant_row(%c: tensor<16x64xi8>, %s: tensor<16x2xf32>, %x: tensor<?x64xf32>) -> tensor<?x16xf32> {
  %w = lut.pack %c, %s : tensor<16x64xi8>, tensor<16x2xf32> -> !b
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>} : tensor<?x64xf32>, !b -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The bit-serial form: tables of signed sums indexed by the table entry's
// bits, lookups that build each plane's 4-bit index from the codes, and the
// epilogue with kappa = 1/2 and c = -1/2 (signed codes).
// CHECK-LABEL: func @bit_serial
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.shrui
// CHECK: arith.negf
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2, 3]] output_shape [128, 2, 8, 4] : tensor<128x64xi8> into tensor<128x2x8x4xi8>
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x2x8x16xf32>
// CHECK: linalg.generic
// CHECK-DAG: arith.constant 5.000000e-01 : f32
// CHECK-DAG: arith.constant -5.000000e-01 : f32
func.func @bit_serial(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  %t, %xs = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<?x64xf32> -> tensor<?x16x16xf32>, tensor<?x2xf32>
  %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<?x16x16xf32>, !w -> tensor<?x128x2xf32>
  %y = lut.scale_combine %acc, %w, %xs : tensor<?x128x2xf32>, !w, tensor<?x2xf32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// A fused precompute's reference form: the producer writes the activations,
// the plain precompute reads them.
// CHECK-LABEL: func @fused_table_precompute
// CHECK-SAME: (%[[A:.*]]: tensor<?x64xf32>, %[[B:.*]]: tensor<64xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x64xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%[[N]]) : tensor<?x64xf32>
// CHECK: %[[X:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?x64xf32>, tensor<64xf32>) outs(%[[INIT]] : tensor<?x64xf32>)
// CHECK:   arith.mulf
// CHECK: tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2]] output_shape [%{{.*}}, 16, 4]
func.func @fused_table_precompute(%a: tensor<?x64xf32>, %b: tensor<64xf32>) -> (tensor<?x16x16xf32>, tensor<?x2xf32>) {
  %t, %xs = lut.fused_table_precompute ins(%a, %b : tensor<?x64xf32>, tensor<64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64,
                  indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (k)>]} {
  ^bb0(%ai: f32, %bi: f32):
    %x = arith.mulf %ai, %bi : f32
    lut.yield %x : f32
  } -> tensor<?x16x16xf32>, tensor<?x2xf32>
  return %t, %xs : tensor<?x16x16xf32>, tensor<?x2xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<ternary, group = 32, scale = f32>, #lut.layout<bitplane>>

// The int8-dot path: the segment sums of the int8 activations times their
// scale (and the scale itself, per segment), then per segment the sum of
// x * (the code's lookup value: 2 (q >= 1) + 2 (q >= 2) - 2 for ternary's
// planes of weight 1).
// CHECK-LABEL: func @int8_dot
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.mulf
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2]] output_shape [128, 2, 32] : tensor<128x64xi8> into tensor<128x2x32xi8>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.cmpi sge
// CHECK: arith.shli
// CHECK: arith.subi
// CHECK: arith.muli
// CHECK: -> tensor<?x128x2xi32>
// CHECK-NOT: lut.
func.func @int8_dot(%x: tensor<?x64xi8>, %sx: tensor<?xf32>, %c: tensor<128x64xi8>, %s: tensor<128x2xf32>) -> tensor<?x128xf32> {
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<128x2xf32> -> !w
  %xs, %ts = lut.activation_sums %x x_scale %sx {segment = 32 : i64} : tensor<?x64xi8>, tensor<?xf32> -> tensor<?x2xf32>, tensor<?x2xf32>
  %acc = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<?x64xi8>, !w -> tensor<?x128x2xi32>
  %y = lut.scale_combine %acc, %w, %xs tscale %ts : tensor<?x128x2xi32>, !w, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// A stacked weight is its experts' logical tensors in order: lut.expert
// picks expert 1's codes and scales.
// CHECK-LABEL: func @stacked_expert
// CHECK-SAME: (%[[C0:.*]]: tensor<64x128xi8>, %[[S0:.*]]: tensor<64x4xf32>, %[[C1:.*]]: tensor<64x128xi8>, %[[S1:.*]]: tensor<64x4xf32>)
// CHECK-SAME: -> (tensor<64x128xi8>, tensor<64x4xf32>)
// CHECK: return %[[C1]], %[[S1]]
!w2 = !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>
func.func @stacked_expert(%s: !lut.stacked<2, !w2>) -> !w2 {
  %w = lut.expert %s[1] : !lut.stacked<2, !w2>
  return %w : !w2
}

// -----

// gather_rows reads row rows[n] of the source, and a zero row for an index
// outside [0, rows of source).
// CHECK-LABEL: func @gather_rows
// CHECK-SAME: (%[[X:.*]]: tensor<?x16x4xi8>, %[[R:.*]]: tensor<?xi32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: linalg.generic {{.*}} ins(%[[R]] : tensor<?xi32>)
// CHECK: ^bb0(%[[IN:.*]]: i32,
// CHECK: %[[ROW:.*]] = arith.index_cast %[[IN]] : i32 to index
// CHECK: %[[LO:.*]] = arith.cmpi sge, %[[ROW]], %c0
// CHECK: %[[HI:.*]] = arith.cmpi slt, %[[ROW]], %[[N]]
// CHECK: %[[OK:.*]] = arith.andi %[[LO]], %[[HI]]
// CHECK: %[[SAFE:.*]] = arith.select %[[OK]], %[[ROW]], %c0
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[SAFE]], %{{.*}}, %{{.*}}]
// CHECK: arith.select %[[OK]], %[[V]], %c0_i8
func.func @gather_rows(%x: tensor<?x16x4xi8>, %r: tensor<?xi32>) -> tensor<?x16x4xi8> {
  %g = lut.gather_rows %x[%r] : tensor<?x16x4xi8>, tensor<?xi32> -> tensor<?x16x4xi8>
  return %g : tensor<?x16x4xi8>
}

// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi cost-model=roofline" | FileCheck %s --check-prefix=VBMI
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512 cost-model=roofline" | FileCheck %s --check-prefix=NOVBMI

// The table layout is a knob of lut.gemm where a weight's tables fit P64's
// quads (one plane per byte, constant weights, int8 tables): quad_from_n,
// the N from which the quad tables serve (0: never). The kernels' own rule
// is its first option — from 1, or from 2 for trit3's padded quads — and
// the roofline keeps it (it charges single tables over one plane per byte
// half a lookup more per lookup, and the padded quads their longer
// stream). Without VBMI only 0 is legal.
// VBMI-LABEL: func.func @w1
// VBMI: quad_from_n = 1 : i64
// NOVBMI-LABEL: func.func @w1
// NOVBMI: quad_from_n = 0 : i64
!w1 = !lut.packed<128x256, #lut.quant<binary, bits = 1, group = 64, scale = f16>, #lut.layout<bitplane>>
func.func @w1(%x: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x256xi8>
  %s = arith.constant dense<0.5> : tensor<128x4xf16>
  %w = lut.pack %c, %s : tensor<128x256xi8>, tensor<128x4xf16> -> !w1
  %y = lut.mpgemm %x, %w : tensor<?x256xf32>, !w1 -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// VBMI-LABEL: func.func @trit3
// VBMI: quad_from_n = 2 : i64
!t3 = !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<trit3>>
func.func @trit3(%x: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x256xi8>, tensor<1x1xf32> -> !t3
  %y = lut.mpgemm %x, %w : tensor<?x256xf32>, !t3 -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// Two planes per byte (ternary's 2-bit bitplanes) never fit the quads, and
// int8 activations take exact int16 tables: no table-layout knob.
// VBMI-LABEL: func.func @ternary_bitplanes
// VBMI-NOT: quad_from_n
// VBMI-LABEL: func.func @w1_int8_activations
// VBMI-NOT: quad_from_n
// VBMI: dot_from_n
!tb = !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @ternary_bitplanes(%x: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x256xi8>, tensor<1x1xf32> -> !tb
  %y = lut.mpgemm %x, %w : tensor<?x256xf32>, !tb -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

!w1i = !lut.packed<128x256, #lut.quant<binary, bits = 1, group = 64, scale = f16>, #lut.layout<bitplane>>
func.func @w1_int8_activations(%x: tensor<?x256xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x256xi8>
  %s = arith.constant dense<0.5> : tensor<128x4xf16>
  %w = lut.pack %c, %s : tensor<128x256xi8>, tensor<128x4xf16> -> !w1i
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>} : tensor<?x256xf32>, !w1i -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

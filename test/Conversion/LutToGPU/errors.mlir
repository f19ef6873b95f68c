// RUN: loom-opt %s -split-input-file -verify-diagnostics --convert-lut-to-gpu

!w = !lut.packed<16x96, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<codes>>

func.func @misaligned_blocks(%x: tensor<?x96xf32>) -> tensor<?x16xf32> {
  %c = arith.constant dense<1> : tensor<16x96xi8>
  %sc = arith.constant dense<1.0> : tensor<16x3xf32>
  %w = lut.pack %c, %sc : tensor<16x96xi8>, tensor<16x3xf32> -> !w
  // expected-error @below {{'lut.mpgemm' op has no GPU lowering for activation scale blocks that do not align with the weight's scale groups}}
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8, block = 48>} : tensor<?x96xf32>, !w -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

!w = !lut.packed<16x32, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

func.func @weight_argument(%x: tensor<?x32xf32>, %w: !w) -> tensor<?x16xf32> {
  // expected-error @below {{'lut.mpgemm' op has no GPU lowering for a weight that is not a lut.pack of constants}}
  %y = lut.mpgemm %x, %w : tensor<?x32xf32>, !w -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

!w = !lut.packed<16x32, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

func.func @codes_not_constant(%x: tensor<?x32xf32>, %c: tensor<16x32xi8>) -> tensor<?x16xf32> {
  %sc = arith.constant dense<1.0> : tensor<16x1xf32>
  %w = lut.pack %c, %sc : tensor<16x32xi8>, tensor<16x1xf32> -> !w
  // expected-error @below {{'lut.mpgemm' op has no GPU lowering for a weight that is not a lut.pack of constants}}
  %y = lut.mpgemm %x, %w : tensor<?x32xf32>, !w -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

// -----

!w = !lut.packed<16x12, #lut.quant<signed, bits = 2, group = 6>, #lut.layout<codes>>

func.func @groups_split_lookups(%x: tensor<?x12xf32>) -> tensor<?x16xf32> {
  %c = arith.constant dense<1> : tensor<16x12xi8>
  %sc = arith.constant dense<1.0> : tensor<16x2xf32>
  %w = lut.pack %c, %sc : tensor<16x12xi8>, tensor<16x2xf32> -> !w
  // expected-error @below {{'lut.mpgemm' op has no GPU lowering for scale groups of 6 K, which split lookup groups of 4}}
  %y = lut.mpgemm %x, %w : tensor<?x12xf32>, !w -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}

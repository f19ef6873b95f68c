// RUN: loom-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{'unsigned' codes take 1 to 4 bits, got 5}}
func.func @unsigned_bits(%w: !lut.packed<8x64, #lut.quant<unsigned, bits = 5, group = 32, scale = f32>>)

// -----

// expected-error @+1 {{'signed' codes take 2 to 4 bits, got 1}}
func.func @signed_bits(%w: !lut.packed<8x64, #lut.quant<signed, bits = 1, group = 32, scale = f32>>)

// -----

// expected-error @+1 {{'binary' codes take exactly 1 bit, got 2}}
func.func @binary_bits(%w: !lut.packed<8x64, #lut.quant<binary, bits = 2, group = 32, scale = f32>>)

// -----

// expected-error @+1 {{'ternary' codes take no 'bits'}}
func.func @ternary_bits(%w: !lut.packed<8x64, #lut.quant<ternary, bits = 2, group = 32, scale = f32>>)

// -----

// expected-error @+1 {{an offset ('zero_point') is only allowed with 'unsigned' codes}}
func.func @signed_offset(%w: !lut.packed<8x64, #lut.quant<signed, bits = 4, group = 32, scale = f32, offset = zero_point>>)

// -----

// expected-error @+1 {{scale type must be f32, f16 or bf16, got 'i8'}}
func.func @scale_type(%w: !lut.packed<8x64, #lut.quant<signed, bits = 4, group = 32, scale = i8>>)

// -----

// expected-error @+1 {{group size must be positive, got 0}}
func.func @group_zero(%w: !lut.packed<8x64, #lut.quant<signed, bits = 4, group = 0, scale = f32>>)

// -----

// expected-error @+1 {{#lut.quant needs a 'group'}}
func.func @no_group(%w: !lut.packed<8x64, #lut.quant<signed, bits = 4, scale = f32>>)

// -----

// expected-error @+1 {{expected one of [unsigned, signed, binary, ternary] for how a stored code maps to a value, got: nibble}}
func.func @bad_encoding(%w: !lut.packed<8x64, #lut.quant<nibble, bits = 4, group = 32>>)

// -----

// expected-error @+1 {{unknown #lut.quant parameter 'blocks'}}
func.func @bad_key(%w: !lut.packed<8x64, #lut.quant<signed, bits = 4, blocks = 32>>)

// -----

// expected-error @+1 {{bitplane lookup group g must be 4 or 8, got 5}}
func.func @bitplane_g(%w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane, g = 5, lanes = 1x1, tile_m = 128>>)

// -----

// expected-error @+1 {{bitplane lanes PxQ must have P*Q in {1, 2, 4}, got 3x1}}
func.func @bitplane_lanes(%w: !lut.packed<128x64, #lut.quant<signed, bits = 3, group = 32>, #lut.layout<bitplane, g = 4, lanes = 3x1, tile_m = 128>>)

// -----

// expected-error @+1 {{tile_m must be a positive multiple of the row block 64, got 96}}
func.func @tile_m(%w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane, g = 4, lanes = 2x1, tile_m = 96>>)

// -----

// expected-error @+1 {{tile_m must be a positive multiple of the row block 128, got 64}}
func.func @trit3_tile_m(%w: !lut.packed<128x66, #lut.quant<ternary, group = per_tensor>, #lut.layout<trit3, tile_m = 64>>)

// -----

// expected-error @+1 {{unknown parameter 'lanes' for the 'trit3' layout}}
func.func @trit3_lanes(%w: !lut.packed<128x66, #lut.quant<ternary, group = per_tensor>, #lut.layout<trit3, lanes = 2x2>>)

// -----

// expected-error @+1 {{packed weight dimensions M and K must be static}}
func.func @dynamic(%w: !lut.packed<?x64, #lut.quant<signed, bits = 4, group = 32>>)

// -----

// expected-error @+1 {{packed weight must be 2-D (M x K), got rank 3}}
func.func @rank3(%w: !lut.packed<2x8x64, #lut.quant<signed, bits = 4, group = 32>>)

// -----

// expected-error @+1 {{K = 96 is not a multiple of the group size 64}}
func.func @partial_group(%w: !lut.packed<128x96, #lut.quant<signed, bits = 2, group = 64>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>)

// -----

// expected-error @+1 {{group size 6 is not a multiple of the layout's lookup group 4}}
func.func @group_vs_g(%w: !lut.packed<128x36, #lut.quant<signed, bits = 2, group = 6>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>)

// -----

// expected-error @+1 {{lanes P = 2 does not divide the 3 bit planes}}
func.func @lanes_vs_planes(%w: !lut.packed<128x64, #lut.quant<signed, bits = 3, group = 32>, #lut.layout<bitplane, g = 4, lanes = 2x1, tile_m = 128>>)

// -----

// expected-error @+1 {{the 'trit3' layout only holds ternary weights}}
func.func @trit3_signed(%w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<trit3, tile_m = 128>>)

// -----

// expected-error @+1 {{gguf<TQ2_0> does not match #lut.quant<ternary, group = 128, scale = f16>}}
func.func @gguf_mismatch(%w: !lut.packed<8x256, #lut.quant<ternary, group = 128, scale = f16>, #lut.layout<gguf<TQ2_0>>>)

// -----

// expected-error @+1 {{activation quantization block must be positive, got -4}}
func.func @act_block(%x: tensor<1x1xf32>) attributes {q = #lut.act_quant<i8, block = -4>} {
  return
}

// -----

func.func @pack_codes_shape(%c: tensor<8x32xi8>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{codes must be 'tensor<8x64xi8>', got 'tensor<8x32xi8>'}}
  %w = lut.pack %c, %s : tensor<8x32xi8>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<signed, bits = 4, group = 32>>
  return
}

// -----

func.func @pack_scale_type(%c: tensor<8x64xi8>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{scales must be 'tensor<8x2xf16>', got 'tensor<8x2xf32>'}}
  %w = lut.pack %c, %s : tensor<8x64xi8>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<signed, bits = 4, group = 32, scale = f16>>
  return
}

// -----

func.func @pack_missing_offsets(%c: tensor<8x64xi8>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{needs offsets operand}}
  %w = lut.pack %c, %s : tensor<8x64xi8>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<unsigned, bits = 4, group = 32, offset = min>>
  return
}

// -----

func.func @pack_extra_offsets(%c: tensor<8x64xi8>, %s: tensor<8x2xf32>, %o: tensor<8x2xf32>) {
  // expected-error @+1 {{takes no offsets operand}}
  %w = lut.pack %c, %s, %o : tensor<8x64xi8>, tensor<8x2xf32>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<unsigned, bits = 4, group = 32>>
  return
}

// -----

func.func @pack_offset_type(%c: tensor<8x64xi8>, %s: tensor<8x2xf32>, %o: tensor<8x2xf32>) {
  // expected-error @+1 {{offsets must be 'tensor<8x2xi8>', got 'tensor<8x2xf32>'}}
  %w = lut.pack %c, %s, %o : tensor<8x64xi8>, tensor<8x2xf32>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<unsigned, bits = 4, group = 32, offset = zero_point>>
  return
}

// -----

func.func @dequantize_shape(%w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{result shape must be 128x64 like the weight}}
  %f = lut.dequantize %w : !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<64x128xf32>
  return
}

// -----

func.func @mpgemm_rank(%x: tensor<2x4x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x must be a rank-2 tensor [N, K]}}
  %y = lut.mpgemm %x, %w : tensor<2x4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<8x128xf32>
  return
}

// -----

func.func @mpgemm_k(%x: tensor<4x32xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x has K = 32 but the weight has K = 64}}
  %y = lut.mpgemm %x, %w : tensor<4x32xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_dynamic_k(%x: tensor<4x?xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x must have a static K dimension}}
  %y = lut.mpgemm %x, %w : tensor<4x?xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_m(%x: tensor<4x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{result must have M = 128 columns, got 64}}
  %y = lut.mpgemm %x, %w : tensor<4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x64xf32>
  return
}

// -----

func.func @mpgemm_n(%x: tensor<4x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{result has 5 rows but x has N = 4}}
  %y = lut.mpgemm %x, %w : tensor<4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<5x128xf32>
  return
}

// -----

func.func @mpgemm_i8_no_scale(%x: tensor<4x64xi8>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{i8 activations require an x_scale operand}}
  %y = lut.mpgemm %x, %w : tensor<4x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_i8_table(%x: tensor<4x64xi8>, %s: tensor<4xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{i8 activations only allow accuracy 'exact', got 'table_i8'}}
  %y = lut.mpgemm %x, %w x_scale %s {accuracy = #lut.accuracy<table_i8>} : tensor<4x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<4xf32> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_i8_act_quant(%x: tensor<4x64xi8>, %s: tensor<4xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{act_quant only applies to fp activations}}
  %y = lut.mpgemm %x, %w x_scale %s {act_quant = #lut.act_quant<i8>} : tensor<4x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<4xf32> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_x_scale_blocks(%x: tensor<4x64xi8>, %s: tensor<4x3xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x_scale [N, K/Ga] needs a static block count dividing K = 64}}
  %y = lut.mpgemm %x, %w x_scale %s : tensor<4x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<4x3xf32> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_x_scale_vs_g(%x: tensor<4x64xi8>, %s: tensor<4x32xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{activation block 2 is not a multiple of the lookup group 4}}
  %y = lut.mpgemm %x, %w x_scale %s : tensor<4x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<4x32xf32> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_x_scale_rows(%x: tensor<4x64xi8>, %s: tensor<3xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x_scale has 3 rows but x has N = 4}}
  %y = lut.mpgemm %x, %w x_scale %s : tensor<4x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<3xf32> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_fp_x_scale(%x: tensor<4x64xf32>, %s: tensor<4xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{fp activations take no x_scale}}
  %y = lut.mpgemm %x, %w x_scale %s : tensor<4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<4xf32> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_exact_fp(%x: tensor<4x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{accuracy 'exact' with fp activations needs act_quant = i8}}
  %y = lut.mpgemm %x, %w {accuracy = #lut.accuracy<exact>} : tensor<4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_act_block(%x: tensor<4x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{act_quant block 48 must divide K = 64 and be a multiple of the lookup group 4}}
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8, block = 48>} : tensor<4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x128xf32>
  return
}

// -----

func.func @mpgemm_codes_argument(%x: tensor<4x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>>) {
  // expected-error @+1 {{a 'codes' weight must be a compile-time constant; repack it explicitly}}
  %y = lut.mpgemm %x, %w : tensor<4x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>> -> tensor<4x128xf32>
  return
}

// -----

func.func @linear_k(%x: tensor<2x32xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x's last dimension must be K = 64}}
  %y = lut.linear %x, %w : tensor<2x32xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x128xf32>
  return
}

// -----

func.func @linear_result(%x: tensor<2x64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{result shape must match x with the last dimension M = 128}}
  %y = lut.linear %x, %w : tensor<2x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<3x128xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<2x64xf32>, %b: tensor<64xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{bias must be [128]}}
  %y = lut.linear %x, %w bias %b : tensor<2x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<64xf32> -> tensor<2x128xf32>
  return
}

// -----

func.func @linear_bias_type(%x: tensor<2x64xf32>, %b: tensor<128xf16>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{bias element type must match the result's}}
  %y = lut.linear %x, %w bias %b : tensor<2x64xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<128xf16> -> tensor<2x128xf32>
  return
}

// -----

func.func @table_g(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{lookup group g must be 4 or 8 (bit planes) or 3 (trit3), got 5}}
  %t, %s = lut.table_precompute %x {g = 5 : i64, segment = 32 : i64} : tensor<2x64xf32> -> tensor<2x12x32xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @table_segment(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{segment 6 must be positive and divide K = 64}}
  %t, %s = lut.table_precompute %x {g = 4 : i64, segment = 6 : i64} : tensor<2x64xf32> -> tensor<2x16x16xf32>, tensor<2x10xf32>
  return
}

// -----

func.func @table_segment_g(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{segment 4 is not a multiple of g = 8}}
  %t, %s = lut.table_precompute %x {g = 8 : i64, segment = 4 : i64} : tensor<2x64xf32> -> tensor<2x8x256xf32>, tensor<2x16xf32>
  return
}

// -----

func.func @table_k(%x: tensor<2x66xf32>) {
  // expected-error @+1 {{segment 32 must be positive and divide K = 66}}
  %t, %s = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x66xf32> -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @table_shape(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{table must have shape 2x16x16, got 'tensor<2x16x8xf32>'}}
  %t, %s = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x64xf32> -> tensor<2x16x8xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @table_xsum(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{xsum must have shape 2x2, got 'tensor<2x4xf32>'}}
  %t, %s = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x64xf32> -> tensor<2x16x16xf32>, tensor<2x4xf32>
  return
}


// -----

func.func @lookup_codes(%t: tensor<2x16x16xf32>, %c: tensor<8x64xi8>, %s: tensor<8x2xf32>) {
  %w = lut.pack %c, %s : tensor<8x64xi8>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<signed, bits = 2, group = 32>>
  // expected-error @+1 {{needs a weight in the bitplane or trit3 layout, got #lut.layout<codes>}}
  %a = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<2x16x16xf32>, !lut.packed<8x64, #lut.quant<signed, bits = 2, group = 32>> -> tensor<2x8x2xf32>
  return
}

// -----

func.func @lookup_segment(%t: tensor<2x16x16xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{segment 64 must divide the weight's group size 32}}
  %a = lut.lookup_accumulate %t, %w {segment = 64 : i64} : tensor<2x16x16xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x128x1xf32>
  return
}

// -----

func.func @lookup_table(%t: tensor<2x8x16xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{table must have shape 2x16x16, got 'tensor<2x8x16xf32>'}}
  %a = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<2x8x16xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x128x2xf32>
  return
}

// -----

func.func @lookup_acc(%t: tensor<2x16x16xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{acc must have shape 2x128x2, got 'tensor<2x64x2xf32>'}}
  %a = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<2x16x16xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x64x2xf32>
  return
}

// -----

func.func @combine_segments(%a: tensor<2x128x3xf32>, %xs: tensor<2x3xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{3 segments do not divide K = 64}}
  %y = lut.scale_combine %a, %w, %xs : tensor<2x128x3xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<2x3xf32> -> tensor<2x128xf32>
  return
}

// -----

func.func @combine_group(%a: tensor<2x128x32xf32>, %xs: tensor<2x32xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{segment 2 is not a multiple of the lookup group 4}}
  %y = lut.scale_combine %a, %w, %xs : tensor<2x128x32xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<2x32xf32> -> tensor<2x128xf32>
  return
}

// -----

func.func @combine_xsum(%a: tensor<2x128x2xf32>, %xs: tensor<3x2xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{xsum must have shape 2x2, got 'tensor<3x2xf32>'}}
  %y = lut.scale_combine %a, %w, %xs : tensor<2x128x2xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<3x2xf32> -> tensor<2x128xf32>
  return
}

// -----

func.func @combine_result(%a: tensor<2x128x2xf32>, %xs: tensor<2x2xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{result must have shape 2x128, got 'tensor<2x64xf32>'}}
  %y = lut.scale_combine %a, %w, %xs : tensor<2x128x2xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<2x2xf32> -> tensor<2x64xf32>
  return
}

// -----

func.func @mirror_shape(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{table must have shape 2x16x8, got 'tensor<2x16x16xf32>'}}
  %t, %s = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64, mirror} : tensor<2x64xf32> -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @i8_table_without_tscale(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{an integer table comes with its tscale}}
  %t, %s = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x64xf32> -> tensor<2x16x16xi8>, tensor<2x2xf32>
  return
}

// -----

func.func @tscale_shape(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{tscale must have shape 2x2, got 'tensor<2x4xf32>'}}
  %t, %s, %ts = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x64xf32> -> tensor<2x16x16xi8>, tensor<2x2xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @i8_lookup_f32_sums(%t: tensor<2x16x16xi8>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{integer tables accumulate in i32, f32 tables in f32}}
  %a = lut.lookup_accumulate %t, %w {segment = 32 : i64} : tensor<2x16x16xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x128x2xf32>
  return
}

// -----

func.func @i32_sums_need_tscale(%a: tensor<2x128x2xi32>, %xs: tensor<2x2xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{i32 sums need the tables' tscale, f32 sums take none}}
  %y = lut.scale_combine %a, %w, %xs : tensor<2x128x2xi32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>, tensor<2x2xf32> -> tensor<2x128xf32>
  return
}

// -----

func.func @i32_overflow(%t: tensor<1x2097152x16xi8>, %w: !lut.packed<128x8388608, #lut.quant<signed, bits = 4, group = per_channel>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{i32 sums over segments of 8388608 could overflow}}
  %a = lut.lookup_accumulate %t, %w {segment = 8388608 : i64} : tensor<1x2097152x16xi8>, !lut.packed<128x8388608, #lut.quant<signed, bits = 4, group = per_channel>, #lut.layout<bitplane>> -> tensor<1x128x1xi32>
  return
}

// -----

func.func @f32_table_tscale(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{an f32 table takes no tscale}}
  %t, %s, %ts = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x64xf32> -> tensor<2x16x16xf32>, tensor<2x2xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @int_activations_without_scale(%x: tensor<2x64xi8>) {
  // expected-error @+1 {{i8 activations come with their x_scale, fp activations without}}
  %t, %s, %ts = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64} : tensor<2x64xi8> -> tensor<2x16x16xi16>, tensor<2x2xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @int_activations_f32_table(%x: tensor<2x64xi8>, %xs: tensor<2xf32>) {
  // expected-error @+1 {{i8 activations give exact i16 tables; fp activations f32 or i8 tables}}
  %t, %s = lut.table_precompute %x x_scale %xs {g = 4 : i64, segment = 32 : i64} : tensor<2x64xi8>, tensor<2xf32> -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @x_scale_blocks(%x: tensor<2x64xi8>, %xs: tensor<2x4xf32>) {
  // expected-error @+1 {{x_scale [N, K/Ga] needs blocks Ga that are multiples of the segment 32}}
  %t, %s, %ts = lut.table_precompute %x x_scale %xs {g = 4 : i64, segment = 32 : i64} : tensor<2x64xi8>, tensor<2x4xf32> -> tensor<2x16x16xi16>, tensor<2x2xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @x_scale_rows(%x: tensor<2x64xi8>, %xs: tensor<3xf32>) {
  // expected-error @+1 {{x_scale must have shape 2, got 'tensor<3xf32>'}}
  %t, %s, %ts = lut.table_precompute %x x_scale %xs {g = 4 : i64, segment = 32 : i64} : tensor<2x64xi8>, tensor<3xf32> -> tensor<2x16x16xi16>, tensor<2x2xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @quantize_block(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{block 48 must divide K = 64 (0: one scale per row)}}
  %q, %s = lut.quantize_activations %x {block = 48 : i64} : tensor<2x64xf32> -> tensor<2x64xi8>, tensor<2x1xf32>
  return
}

// -----

func.func @quantize_scale(%x: tensor<2x64xf32>) {
  // expected-error @+1 {{scale must have shape 2x2, got 'tensor<2xf32>'}}
  %q, %s = lut.quantize_activations %x {block = 32 : i64} : tensor<2x64xf32> -> tensor<2x64xi8>, tensor<2xf32>
  return
}

// -----

func.func @trit3_mirror(%x: tensor<2x96xf32>) {
  // expected-error @+1 {{trit3 tables are already sign-symmetric; they take no mirror}}
  %t, %s = lut.table_precompute %x {g = 3 : i64, segment = 96 : i64, mirror} : tensor<2x96xf32> -> tensor<2x32x14xf32>, tensor<2x1xf32>
  return
}

// -----

func.func @trit3_entries(%x: tensor<2x96xf32>) {
  // expected-error @+1 {{table must have shape 2x32x14, got 'tensor<2x32x16xf32>'}}
  %t, %s = lut.table_precompute %x {g = 3 : i64, segment = 96 : i64} : tensor<2x96xf32> -> tensor<2x32x16xf32>, tensor<2x1xf32>
  return
}

// -----

func.func @pshufb_width(%t: vector<16xi8>, %i: vector<16xi8>) -> vector<16xi8> {
  // expected-error @+1 {{operand #0 must be vector of 8-bit signless integer values of length 32/64}}
  %v = lut.x86.pshufb %t, %i : vector<16xi8>
  return %v : vector<16xi8>
}

// -----

func.func @vpermb_width(%t: vector<32xi8>, %i: vector<32xi8>) -> vector<32xi8> {
  // expected-error @+1 {{operand #0 must be vector of 8-bit signless integer values of length 64}}
  %v = lut.x86.vpermb %t, %i : vector<32xi8>
  return %v : vector<32xi8>
}

// -----

func.func @pmaddubsw_lanes(%w: vector<64xi8>, %v: vector<64xi8>) -> vector<16xi16> {
  // expected-error @+1 {{result must have 32 int16 lanes for 64 bytes, got 'vector<16xi16>'}}
  %r = lut.x86.pmaddubsw %w, %v : vector<64xi8> -> vector<16xi16>
  return %r : vector<16xi16>
}

// -----

func.func @fused_map_count(%a: tensor<2x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{needs one indexing map and one producer argument per input, got 1 maps and 2 arguments for 2 inputs}}
  %t, %s = lut.fused_table_precompute ins(%a, %b : tensor<2x64xf32>, tensor<64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f32, %bi: f32):
    lut.yield %ai : f32
  } -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_map_not_permutation(%a: tensor<2x64xf32>) {
  // expected-error @+1 {{indexing map #0 must be a projected permutation of (n, k) with one result per dimension of input #0, got affine_map<(d0, d1) -> (d0 + d1)>}}
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n + k)>]} {
  ^bb0(%ai: f32):
    lut.yield %ai : f32
  } -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_input_shape(%a: tensor<2x32xf32>) {
  // expected-error @+1 {{input #0 must have shape 2x64, got 'tensor<2x32xf32>'}}
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x32xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f32):
    lut.yield %ai : f32
  } -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_argument_type(%a: tensor<2x64xf32>) {
  // expected-error @+1 {{producer argument #0 must be 'f32', got 'f16'}}
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f16):
    lut.yield %ai : f16
  } -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_yield_type(%a: tensor<2x64xf32>) {
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f32):
    %d = arith.extf %ai : f32 to f64
    // expected-error @+1 {{'lut.yield' op must yield an f32, f16 or bf16 activation, got 'f64'}}
    lut.yield %d : f64
  } -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_dynamic_rows(%b: tensor<64xf32>) {
  // expected-error @+1 {{a dynamic N needs an input indexed by n}}
  %t, %s = lut.fused_table_precompute ins(%b : tensor<64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (k)>]} {
  ^bb0(%bi: f32):
    lut.yield %bi : f32
  } -> tensor<?x16x16xf32>, tensor<?x2xf32>
  return
}

// -----

func.func @fused_table_shape(%a: tensor<2x64xf32>) {
  // expected-error @+1 {{'lut.fused_table_precompute' op table must have shape 2x16x16, got 'tensor<2x16x8xf32>'}}
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f32):
    lut.yield %ai : f32
  } -> tensor<2x16x8xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_not_elementwise(%a: tensor<2x64xf32>, %m: memref<f32>) {
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f32):
    // expected-error @+1 {{'memref.load' op cannot be part of a fused producer: it is not a pure elementwise op or a constant}}
    %v = memref.load %m[] : memref<f32>
    lut.yield %v : f32
  } -> tensor<2x16x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @fused_table_rank(%a: tensor<2x64xf32>) {
  // expected-error @+1 {{table must be [N, lookup groups, entries] with static groups}}
  %t, %s = lut.fused_table_precompute ins(%a : tensor<2x64xf32>)
      attributes {g = 4 : i64, segment = 32 : i64, indexing_maps = [affine_map<(n, k) -> (n, k)>]} {
  ^bb0(%ai: f32):
    lut.yield %ai : f32
  } -> tensor<2x?x16xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @yield_outside(%a: f32) {
  // expected-error @+1 {{'lut.yield' op expects parent op 'lut.fused_table_precompute'}}
  lut.yield %a : f32
}

// -----

func.func @sums_segment(%x: tensor<2x96xi8>, %s: tensor<2xf32>) {
  // expected-error @+1 {{segment 64 must divide K = 96}}
  %xs, %ts = lut.activation_sums %x x_scale %s {segment = 64 : i64} : tensor<2x96xi8>, tensor<2xf32> -> tensor<2x1xf32>, tensor<2x1xf32>
  return
}

// -----

func.func @sums_blocks(%x: tensor<2x128xi8>, %s: tensor<2x8xf32>) {
  // expected-error @+1 {{x_scale blocks of K / 8 elements must be multiples of the segment 32}}
  %xs, %ts = lut.activation_sums %x x_scale %s {segment = 32 : i64} : tensor<2x128xi8>, tensor<2x8xf32> -> tensor<2x4xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @sums_scale(%x: tensor<2x128xi8>, %s: tensor<3xf32>) {
  // expected-error @+1 {{x_scale must have shape 2, got 'tensor<3xf32>'}}
  %xs, %ts = lut.activation_sums %x x_scale %s {segment = 32 : i64} : tensor<2x128xi8>, tensor<3xf32> -> tensor<2x4xf32>, tensor<2x4xf32>
  return
}

// -----

func.func @sums_result(%x: tensor<2x128xi8>, %s: tensor<2xf32>) {
  // expected-error @+1 {{tscale must have shape 2x4, got 'tensor<2x2xf32>'}}
  %xs, %ts = lut.activation_sums %x x_scale %s {segment = 32 : i64} : tensor<2x128xi8>, tensor<2xf32> -> tensor<2x4xf32>, tensor<2x2xf32>
  return
}

// -----

func.func @dot_codes(%x: tensor<2x64xi8>, %c: tensor<8x64xi8>, %s: tensor<8x2xf32>) {
  %w = lut.pack %c, %s : tensor<8x64xi8>, tensor<8x2xf32> -> !lut.packed<8x64, #lut.quant<signed, bits = 2, group = 32>>
  // expected-error @+1 {{needs a weight in the bitplane or trit3 layout, got #lut.layout<codes>}}
  %a = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<2x64xi8>, !lut.packed<8x64, #lut.quant<signed, bits = 2, group = 32>> -> tensor<2x8x2xi32>
  return
}

// -----

func.func @dot_k(%x: tensor<2x32xi8>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{x must have shape 2x64, got 'tensor<2x32xi8>'}}
  %a = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<2x32xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x128x2xi32>
  return
}

// -----

func.func @dot_acc(%x: tensor<2x64xi8>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{acc must have shape 2x128x2, got 'tensor<2x128x1xi32>'}}
  %a = lut.dot_accumulate %x, %w {segment = 32 : i64} : tensor<2x64xi8>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<2x128x1xi32>
  return
}

// -----

func.func @dot_overflow(%x: tensor<2x2097152xi8>, %w: !lut.packed<16x2097152, #lut.quant<signed, bits = 4, group = per_tensor>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{i32 sums over segments of 2097152 could overflow}}
  %a = lut.dot_accumulate %x, %w {segment = 2097152 : i64} : tensor<2x2097152xi8>, !lut.packed<16x2097152, #lut.quant<signed, bits = 4, group = per_tensor>, #lut.layout<bitplane>> -> tensor<2x16x1xi32>
  return
}

// -----

// expected-error @+1 {{a stacked weight holds at least one weight, got 0}}
func.func @stacked_empty(%s: !lut.stacked<0, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>) {
  return
}

// -----

func.func @stack_count(%a: !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  // expected-error @+1 {{stacks 1 weights into a stacked type of 2}}
  %s = lut.stack %a : !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>
  return
}

// -----

func.func @expert_index(%s: !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>) {
  // expected-error @+1 {{index 2 is outside [0, 2)}}
  %w = lut.expert %s[2] : !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>
  return
}

// -----

func.func @gather_rows_shape(%x: tensor<?x128xf32>, %rows: tensor<4xi32>) {
  // expected-error @+1 {{result must be 'f32' rows shaped like the source's, one per index, got 'tensor<5x128xf32>'}}
  %g = lut.gather_rows %x[%rows] : tensor<?x128xf32>, tensor<4xi32> -> tensor<5x128xf32>
  return
}

// -----

func.func @gather_rows_rank(%x: tensor<?x128xf32>, %rows: tensor<4x1xi32>) {
  // expected-error @+1 {{needs a source of rank >= 1 and a 1-D row list}}
  %g = lut.gather_rows %x[%rows] : tensor<?x128xf32>, tensor<4x1xi32> -> tensor<4x128xf32>
  return
}

// -----

func.func @expert_negative(%s: !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>) {
  // expected-error @+1 {{index -1 is outside [0, 2)}}
  %w = lut.expert %s[-1] : !lut.stacked<2, !lut.packed<64x128, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>>
  return
}

// RUN: loom-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @wrong_kind(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  // expected-error @+1 {{decision of kind "moe.dispatch" on an op that takes "lut.gemm" decisions}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"moe.dispatch", {column_tile = 4 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @missing_knob(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  // expected-error @+1 {{decision lacks knob 'prefetch'}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @not_an_option(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  // expected-error @+1 {{knob 'column_tile' = 3 : i64 is not one of its options (4, 2, 1, 8)}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 3 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @unknown_knob(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  // expected-error @+1 {{decision has knob 'unroll', which lut.mpgemm does not have}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64, unroll = 2 : i64}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @string_for_int(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  // expected-error @+1 {{knob 'prefetch' = "far" is not one of its options (2048, 0, 512, 1024, 4096, 8192)}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 2048 : i64, prefetch = "far"}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

func.func @bad_source() {
  // expected-error @+1 {{decision source must be "roofline", "learned" or "user", got "oracle"}}
  "test.op"() {loom.decision = #loom.decision<"lut.gemm", {}, source = "oracle", model = "m">} : () -> ()
  return
}

// -----

func.func @bad_knob_value() {
  // expected-error @+1 {{knob 'tile' must be an integer or a string}}
  "test.op"() {loom.decision = #loom.decision<"lut.gemm", {tile = 1.5 : f32}, source = "user", model = "m">} : () -> ()
  return
}

// -----

func.func @not_a_decision() {
  // expected-error @+1 {{'loom.decision' must be a #loom.decision}}
  "test.op"() {loom.decision = 4 : i64} : () -> ()
  return
}

// -----

func.func @unknown_attribute() {
  // expected-error @+1 {{unknown loom attribute 'loom.choice'}}
  "test.op"() {loom.choice = 4 : i64} : () -> ()
  return
}

// -----

func.func @min_rows_not_positive() {
  // expected-error @+1 {{'loom.min_rows' must be a positive integer}}
  "test.op"() {loom.min_rows = 0 : i64} : () -> ()
  return
}

// -----

func.func @min_rows_not_an_integer() {
  // expected-error @+1 {{'loom.min_rows' must be a positive integer}}
  "test.op"() {loom.min_rows = "two"} : () -> ()
  return
}

// -----

// With int8 activations over constant weights the int8-dot path is a knob.
!w = !lut.packed<256x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>
func.func @missing_path(%x: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %c = arith.constant dense<1> : tensor<256x256xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<256x256xi8>, tensor<1x1xf32> -> !w
  // expected-error @+1 {{decision lacks knob 'dot_from_n'}}
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>, loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x256xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

func.func @moe_tile_not_an_option(%x: tensor<64x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<64x128xf32> {
  // expected-error @+1 {{knob 'tile_rows' = 3 : i64 is not one of its options (4, 1, 2, 6, 8)}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, loom.decision = #loom.decision<"moe.dispatch", {strategy = "grouped", tile_rows = 3 : i64, tile_weight_rows = 8 : i64}, source = "user", model = "hand">} : (tensor<64x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// Dense cannot drop the slots a capacity factor drops.
func.func @moe_dense_with_capacity(%x: tensor<64x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<64x128xf32> {
  // expected-error @+1 {{decision [strategy=dense tile_rows=4 tile_weight_rows=6] is not a legal candidate of this op}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 1.0>, ffn = #moe.ffn<swiglu>, loom.decision = #loom.decision<"moe.dispatch", {strategy = "dense", tile_rows = 4 : i64, tile_weight_rows = 6 : i64}, source = "user", model = "hand">} : (tensor<64x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// An 8 x 8 tile's 64 accumulators do not fit the 32 vector registers.
func.func @moe_tile_spills(%x: tensor<64x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x256x128xf32>, %w2: tensor<8x128x128xf32>) -> tensor<64x128xf32> {
  // expected-error @+1 {{decision [strategy=grouped tile_rows=8 tile_weight_rows=8] is not a legal candidate of this op}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, loom.decision = #loom.decision<"moe.dispatch", {strategy = "grouped", tile_rows = 8 : i64, tile_weight_rows = 8 : i64}, source = "user", model = "hand">} : (tensor<64x128xf32>, tensor<8x128xf32>, tensor<8x256x128xf32>, tensor<8x128x128xf32>) -> tensor<64x128xf32>
  return %y : tensor<64x128xf32>
}

// -----

// A linalg.tile tile must fit its loops (one that does not divide them
// leaves a remainder part, but 8 rows do not fit 6).
func.func @linalg_tile_exceeds_its_loop(%a: tensor<6x16xf32>, %b: tensor<16x32xf32>, %c: tensor<6x32xf32>) -> tensor<6x32xf32> {
  // expected-error @+1 {{decision [tile_m=8 tile_n=16 tile_k=1 vector_dim=n] is not a legal candidate of this op}}
  %r = linalg.matmul {loom.decision = #loom.decision<"linalg.tile", {tile_m = 8 : i64, tile_n = 16 : i64, tile_k = 1 : i64, vector_dim = "n"}, source = "user", model = "hand">} ins(%a, %b : tensor<6x16xf32>, tensor<16x32xf32>) outs(%c : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r : tensor<6x32xf32>
}

// -----

// 8 rows of four zmm accumulators, four rhs vectors and a broadcast: 37 of
// 32 registers.
func.func @linalg_tile_spills(%a: tensor<64x16xf32>, %b: tensor<16x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  // expected-error @+1 {{decision [tile_m=8 tile_n=64 tile_k=1 vector_dim=n] is not a legal candidate of this op}}
  %r = linalg.matmul {loom.decision = #loom.decision<"linalg.tile", {tile_m = 8 : i64, tile_n = 64 : i64, tile_k = 1 : i64, vector_dim = "n"}, source = "user", model = "hand">} ins(%a, %b : tensor<64x16xf32>, tensor<16x64xf32>) outs(%c : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// An elementwise generic has no register tile to decide.
#id = affine_map<(i) -> (i)>
func.func @linalg_tile_not_a_contraction(%x: tensor<16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{this linalg.generic has no decision of kind linalg.tile to make}}
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"], loom.decision = #loom.decision<"linalg.tile", {tile_m = 1 : i64, tile_n = 1 : i64, tile_k = 1 : i64, vector_dim = "n"}, source = "user", model = "hand">} ins(%x : tensor<16xf32>) outs(%x : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %r : tensor<16xf32>
}

// -----

// Vectors along k need a k tile wider than one element.
func.func @linalg_tile_unit_k_vectors(%a: tensor<8x16xf32>, %b: tensor<16x32xf32>, %c: tensor<8x32xf32>) -> tensor<8x32xf32> {
  // expected-error @+1 {{decision [tile_m=1 tile_n=8 tile_k=1 vector_dim=k] is not a legal candidate of this op}}
  %r = linalg.matmul {loom.decision = #loom.decision<"linalg.tile", {tile_m = 1 : i64, tile_n = 8 : i64, tile_k = 1 : i64, vector_dim = "k"}, source = "user", model = "hand">} ins(%a, %b : tensor<8x16xf32>, tensor<16x32xf32>) outs(%c : tensor<8x32xf32>) -> tensor<8x32xf32>
  return %r : tensor<8x32xf32>
}

// -----

// A static N of 8 takes the quad tables or not: a crossover beyond 1 would
// only repeat one of those.
!w1 = !lut.packed<128x256, #lut.quant<binary, bits = 1, group = 64, scale = f16>, #lut.layout<bitplane>>
func.func @quad_crossover_at_static_n(%x: tensor<8x256xf32>) -> tensor<8x128xf32> {
  %c = arith.constant dense<1> : tensor<128x256xi8>
  %s = arith.constant dense<0.5> : tensor<128x4xf16>
  %w = lut.pack %c, %s : tensor<128x256xi8>, tensor<128x4xf16> -> !w1
  // expected-error @+1 {{decision [column_tile=4 prefetch=2048 quad_from_n=4] is not a legal candidate of this op}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, prefetch = 2048 : i64, quad_from_n = 4 : i64}, source = "user", model = "hand">} : tensor<8x256xf32>, !w1 -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// -----

// Only a dynamic N has a GEMV to decide apart.
!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @static_gemv_prefetch(%x: tensor<8x64xf32>, %w: !w) -> tensor<8x128xf32> {
  // expected-error @+1 {{decision has knob 'gemv_prefetch', which lut.mpgemm does not have}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 0 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<8x64xf32>, !w -> tensor<8x128xf32>
  return %y : tensor<8x128xf32>
}

// -----

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @bad_gemv_prefetch(%x: tensor<?x64xf32>, %w: !w) -> tensor<?x128xf32> {
  // expected-error @+1 {{knob 'gemv_prefetch' = 100 : i64 is not one of its options}}
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 100 : i64, prefetch = 2048 : i64}, source = "user", model = "hand">} : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

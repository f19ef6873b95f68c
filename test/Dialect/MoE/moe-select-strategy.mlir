// RUN: loom-opt %s -split-input-file --moe-select-strategy="peak-gflops=100 bandwidth-gbps=20 report" -verify-diagnostics | FileCheck %s

// The anchor layer (moe.md §4): compute-bound at T = 512 with 128 rows per
// expert, which the default 4 x 6 tile covers exactly; decode at T = 8
// streams the selected experts' weights and stays bandwidth-bound.
// CHECK-LABEL: func @anchor_prefill
// CHECK: moe.layer {{.*}}strategy = #moe.strategy<grouped, tile = <rows = 4, weight_rows = 6>>
func.func @anchor_prefill(%x: tensor<512x1024xf32>, %wr: tensor<8x1024xf32>, %w13: tensor<8x5632x1024xf32>, %w2: tensor<8x1024x2816xf32>) -> tensor<512x1024xf32> {
  // expected-remark @+1 {{T = 512: grouped, tile 4x6, modeled}}
  %y = moe.layer %x, %wr, %w13, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<512x1024xf32>, tensor<8x1024xf32>, tensor<8x5632x1024xf32>, tensor<8x1024x2816xf32>) -> tensor<512x1024xf32>
  return %y : tensor<512x1024xf32>
}

// -----

// CHECK-LABEL: func @anchor_decode
// CHECK: strategy = #moe.strategy<grouped, tile = <rows = 4, weight_rows = 6>>
func.func @anchor_decode(%x: tensor<8x1024xf32>, %wr: tensor<8x1024xf32>, %w13: tensor<8x5632x1024xf32>, %w2: tensor<8x1024x2816xf32>) -> tensor<8x1024xf32> {
  // expected-remark @+1 {{T = 8: grouped, tile 4x6, modeled}}
  %y = moe.layer %x, %wr, %w13, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<8x1024xf32>, tensor<8x1024xf32>, tensor<8x5632x1024xf32>, tensor<8x1024x2816xf32>) -> tensor<8x1024xf32>
  return %y : tensor<8x1024xf32>
}

// -----

// k = E with a tiny FFN: every token visits every expert anyway, and moving
// rows to and from the dispatch buffer costs more than the dense form's
// masked sum. Eight accumulators (4 x 2) hide the FMA latency at N = 16.
// CHECK-LABEL: func @every_expert
// CHECK: strategy = #moe.strategy<dense, tile = <rows = 4, weight_rows = 2>>
func.func @every_expert(%x: tensor<64x64xf32>, %wr: tensor<2x64xf32>, %w1: tensor<2x16x64xf32>, %w2: tensor<2x64x16xf32>) -> tensor<64x64xf32> {
  // expected-remark @+1 {{T = 64: dense, tile 4x2, modeled}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>} : (tensor<64x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>, tensor<2x64x16xf32>) -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// The same layer with a capacity factor may drop slots, which the dense form
// cannot; an explicit padded layout keeps Tutel's buffer.
// CHECK-LABEL: func @capacity_and_layout
// CHECK: strategy = #moe.strategy<grouped,
// CHECK: layout = #moe.layout<padded>, {{.*}}strategy = #moe.strategy<padded,
func.func @capacity_and_layout(%x: tensor<64x64xf32>, %wr: tensor<2x64xf32>, %w1: tensor<2x16x64xf32>, %w2: tensor<2x64x16xf32>) -> (tensor<64x64xf32>, tensor<64x64xf32>) {
  // expected-remark @+1 {{T = 64: grouped}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 1.0>, ffn = #moe.ffn<relu>} : (tensor<64x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>, tensor<2x64x16xf32>) -> tensor<64x64xf32>
  // expected-remark @+1 {{T = 64: padded}}
  %z = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>, layout = #moe.layout<padded>} : (tensor<64x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>, tensor<2x64x16xf32>) -> tensor<64x64xf32>
  return %y, %z : tensor<64x64xf32>, tensor<64x64xf32>
}

// -----

// A strategy already present (a user's or a tuner's) is kept.
// CHECK-LABEL: func @kept
// CHECK: strategy = #moe.strategy<padded, tile = <rows = 3, weight_rows = 2>>
func.func @kept(%x: tensor<64x64xf32>, %wr: tensor<2x64xf32>, %w1: tensor<2x16x64xf32>, %w2: tensor<2x64x16xf32>) -> tensor<64x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>, strategy = #moe.strategy<padded, tile = <rows = 3, weight_rows = 2>>} : (tensor<64x64xf32>, tensor<2x64xf32>, tensor<2x16x64xf32>, tensor<2x64x16xf32>) -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// Bandwidth-bound decode and compute-bound prefill agree on 4 x 6 at
// 20 GB/s: one strategy for every T (moe-select-strategy-options.mlir has
// a host on which they differ).
// CHECK-LABEL: func @buckets
// CHECK-NOT: scf.index_switch
// CHECK: strategy = #moe.strategy<grouped, tile = <rows = 4, weight_rows = 6>>
func.func @buckets(%x: tensor<?x256xf32>, %wr: tensor<8x256xf32>, %w1: tensor<8x512x256xf32>, %w2: tensor<8x256x512xf32>) -> tensor<?x256xf32> {
  // expected-remark @+1 {{any T: grouped, tile 4x6}}
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>} : (tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x512x256xf32>, tensor<8x256x512xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

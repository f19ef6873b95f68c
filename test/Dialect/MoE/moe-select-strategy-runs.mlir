// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512 report=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512" | FileCheck %s --check-prefix=COPIES
// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512 cpu=emeraldrapids report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=XEON

// The Emerald Rapids class's model runs every layer below as two copies.
// XEON: remark: T in [0, 1]: padded, tile 1x16
// XEON: remark: T >= 2: padded, tile 6x4
// XEON: remark: T in [0, 1]: grouped, tile 1x16
// XEON: remark: T >= 2: padded, tile 6x4
// XEON: remark: T in [0, 1]: padded, tile 1x8
// XEON: remark: T >= 2: grouped, tile 4x6
// XEON-NOT: remark: T

// A layer whose best candidate under the shipped model alternates across
// the T buckets: six runs of top-1 choices in six buckets (grouped 1x16;
// padded 6x4; grouped 6x4; grouped 4x6; padded 4x6; grouped 4x6). The
// buckets choose together, each change of tile costing 0.3 (a copy of the
// layer to compile, for times the model cannot tell apart): padded 6x4
// is 0.01 from the best at T in [9, 32], and padded 4x6 0.05 and 0.02
// from it at T in [33, 128] and from T = 513, so three copies, not six.
// CHECK-LABEL: remark: T in [0, 1]: grouped, tile 1x16
// CHECK: remark: T in [2, 32]: padded, tile 6x4
// CHECK: remark: T >= 33: padded, tile 4x6
// CHECK-NOT: remark: T
// COPIES-LABEL: func.func @alternating
// COPIES: scf.index_switch
// COPIES-COUNT-3: moe.layer
// COPIES-NOT: moe.layer
func.func @alternating(%x: tensor<?x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x512x128xf32>, %w2: tensor<8x128x256xf32>) -> tensor<?x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x128xf32>, tensor<8x128xf32>, tensor<8x512x128xf32>, tensor<8x128x256xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

// The README example's layer. Its first choice at T in [2, 8] (4x4) is
// more than 0.7 above the best (6x4) at T in [9, 32], where 6x4 is 0.08
// from the best at [2, 8]: one copy serves T in [2, 128]. From T = 129 on,
// 4x6 gains more than a copy's 0.3 over 6x4 and takes the larger buckets.
// (A rule that keeps a bucket's choice while the next bucket ranks it
// among its five best kept 4x4 up to T = 32.)
// CHECK-LABEL: remark: T in [0, 1]: grouped, tile 1x16
// CHECK: remark: T in [2, 128]: grouped, tile 6x4
// CHECK: remark: T >= 129: grouped, tile 4x6
// CHECK-NOT: remark: T
// COPIES-LABEL: func.func @decoder
// COPIES: scf.index_switch
// COPIES-COUNT-3: moe.layer
// COPIES-NOT: moe.layer
func.func @decoder(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x192x64xf32>, %w2: tensor<8x64x96xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x192x64xf32>, tensor<8x64x96xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// The MoE benchmark's anchor layer (d = 1024, h = 2816, E = 8, top-2)
// under the Emerald Rapids model: from T = 9 on grouped 4x6 is its best,
// 0.05-0.14 ahead of padded 4x6, which leads by 0.04 at T in [2, 8] only.
// One copy for T >= 2 then takes grouped 4x6: keeping the [2, 8] bucket's
// choice for the larger ones would cost 0.35 summed over them. The AMD
// class's model agrees from T = 2.
// CHECK-LABEL: remark: T in [0, 1]: grouped, tile 2x8
// CHECK: remark: T >= 2: grouped, tile 4x6
// CHECK-NOT: remark: T
// COPIES-LABEL: func.func @anchor
// COPIES: scf.index_switch
// COPIES-COUNT-2: moe.layer
// COPIES-NOT: moe.layer
func.func @anchor(%x: tensor<?x1024xf32>, %wr: tensor<8x1024xf32>, %w1: tensor<8x5632x1024xf32>, %w2: tensor<8x1024x2816xf32>) -> tensor<?x1024xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x1024xf32>, tensor<8x1024xf32>, tensor<8x5632x1024xf32>, tensor<8x1024x2816xf32>) -> tensor<?x1024xf32>
  return %y : tensor<?x1024xf32>
}

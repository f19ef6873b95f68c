// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512 report=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s -split-input-file --moe-select-strategy="cost-model=auto isa=avx512" | FileCheck %s --check-prefix=COPIES

// A layer whose best candidate under the shipped model alternates across
// the T buckets: six runs of top-1 choices in six buckets (grouped 1x16;
// padded 6x4; grouped 6x4; grouped 4x6; padded 4x6; grouped 4x6). A
// bucket keeps the choice of the buckets below while its cost is within
// 0.3 of the bucket's best, so the layer becomes three copies, not six:
// each is one more to compile, for times the model cannot tell apart.
// CHECK-LABEL: remark: T in [0, 1]: grouped, tile 1x16
// CHECK: remark: T in [2, 128]: padded, tile 6x4
// CHECK: remark: T >= 129: padded, tile 4x6
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

// The README example's layer: the 4x4 tile of T in [2, 8] still ranks
// among the five best at T in [9, 32], but more than 0.7 above the best
// (6x4), and 6x4 more than 0.19 above 4x6 from T = 513: where the costs
// are that far apart the model's order holds, and the bucket switches.
// CHECK-LABEL: remark: T in [0, 1]: grouped, tile 1x16
// CHECK: remark: T in [2, 8]: grouped, tile 4x4
// CHECK: remark: T in [9, 512]: grouped, tile 6x4
// CHECK: remark: T >= 513: grouped, tile 4x6
// CHECK-NOT: remark: T
// COPIES-LABEL: func.func @decoder
// COPIES: scf.index_switch
// COPIES-COUNT-4: moe.layer
// COPIES-NOT: moe.layer
func.func @decoder(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x192x64xf32>, %w2: tensor<8x64x96xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x192x64xf32>, tensor<8x64x96xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

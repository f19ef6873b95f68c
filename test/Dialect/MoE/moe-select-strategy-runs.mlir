// RUN: loom-opt %s --moe-select-strategy="cost-model=auto isa=avx512 report=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s --moe-select-strategy="cost-model=auto isa=avx512" | FileCheck %s --check-prefix=COPIES

// The decoder block's small layer under the shipped model: the best tile
// alternates across the T buckets (three tiles in five runs), but a bucket
// keeps the tile of the buckets below while it ranks among its three best,
// so the layer becomes three copies, not five: each is one more to
// compile, for times the model cannot tell apart.
// CHECK: remark: T in [0, 1]: grouped, tile 2x8
// CHECK: remark: T in [2, 32]: grouped, tile 6x4
// CHECK: remark: T >= 33: grouped, tile 2x8
// CHECK-NOT: remark: T
// COPIES: scf.index_switch
// COPIES-COUNT-3: moe.layer
// COPIES-NOT: moe.layer
func.func @alternating(%x: tensor<?x64xf32>, %wr: tensor<8x64xf32>, %w1: tensor<8x192x64xf32>, %w2: tensor<8x64x96xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<8x64xf32>, tensor<8x192x64xf32>, tensor<8x64x96xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

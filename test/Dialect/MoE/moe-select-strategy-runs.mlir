// RUN: loom-opt %s --moe-select-strategy="cost-model=auto isa=avx512 report=true" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s --moe-select-strategy="cost-model=auto isa=avx512" | FileCheck %s --check-prefix=COPIES

// A layer whose best candidate under the shipped model alternates across
// the T buckets: six runs of top-1 choices in six buckets (grouped 1x16;
// padded 6x4; grouped 6x4; grouped 4x6; padded 4x6; grouped 4x6). A
// bucket keeps the choice of the buckets below while it ranks among its
// five best, so the layer becomes three copies, not six: each is one more
// to compile, for times the model can hardly tell apart.
// CHECK: remark: T in [0, 1]: grouped, tile 1x16
// CHECK: remark: T in [2, 128]: padded, tile 6x4
// CHECK: remark: T >= 129: padded, tile 4x6
// CHECK-NOT: remark: T
// COPIES: scf.index_switch
// COPIES-COUNT-3: moe.layer
// COPIES-NOT: moe.layer
func.func @alternating(%x: tensor<?x128xf32>, %wr: tensor<8x128xf32>, %w1: tensor<8x512x128xf32>, %w2: tensor<8x128x256xf32>) -> tensor<?x128xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x128xf32>, tensor<8x128xf32>, tensor<8x512x128xf32>, tensor<8x128x256xf32>) -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

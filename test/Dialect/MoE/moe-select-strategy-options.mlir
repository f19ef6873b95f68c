// RUN: loom-opt %s -split-input-file --moe-select-strategy="peak-gflops=100 bandwidth-gbps=20 row-tile=2 weight-rows=8" | FileCheck %s --check-prefix=FIXED
// RUN: loom-opt %s -split-input-file --moe-select-strategy="peak-gflops=100 bandwidth-gbps=100000" | FileCheck %s --check-prefix=COMPUTE
// RUN: not loom-opt %s --moe-select-strategy="row-tile=2" 2>&1 | FileCheck %s --check-prefix=HALF
// RUN: not loom-opt %s --moe-select-strategy="row-tile=2 weight-rows=3" 2>&1 | FileCheck %s --check-prefix=ODD
// RUN: not loom-opt %s --moe-select-strategy="bandwidth-gbps=0" 2>&1 | FileCheck %s --check-prefix=HALF

// HALF: moe-select-strategy: peak-gflops, bandwidth-gbps and threads must be positive, and row-tile and weight-rows set together
// ODD: a tile needs rows >= 1 and an even weight_rows >= 2, got 2 and 3

// A fixed tile (pipeline option moe-row-tile / moe-column-tile) is the
// only one tried.
// FIXED-LABEL: func @buckets
// FIXED: strategy = #moe.strategy<grouped, tile = <rows = 2, weight_rows = 8>>
// FIXED-NOT: scf.index_switch

// Compute-bound (a host with unbounded bandwidth), one routed row per
// expert fills a 1 x 16 tile better than a 4 x 6 one, and the dynamic T
// switches on its bucket between the two specializations.
// COMPUTE-LABEL: func @buckets
// COMPUTE: %[[T:.*]] = tensor.dim %{{.*}}, %c0
// COMPUTE: %[[ABOVE:.*]] = arith.cmpi ugt, %[[T]], %c1
// COMPUTE: %[[BUCKET:.*]] = arith.index_castui %[[ABOVE]] : i1 to index
// COMPUTE: %[[Y:.*]] = scf.index_switch %[[BUCKET]] -> tensor<?x256xf32>
// COMPUTE: case 0 {
// COMPUTE:   moe.layer {{.*}}strategy = #moe.strategy<grouped, tile = <rows = 1, weight_rows = 16>>
// COMPUTE: default {
// COMPUTE:   moe.layer {{.*}}strategy = #moe.strategy<grouped, tile = <rows = 4, weight_rows = 6>>
// COMPUTE: return %[[Y]]
func.func @buckets(%x: tensor<?x256xf32>, %wr: tensor<8x256xf32>, %w1: tensor<8x512x256xf32>, %w2: tensor<8x256x512xf32>) -> tensor<?x256xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<relu>} : (tensor<?x256xf32>, tensor<8x256xf32>, tensor<8x512x256xf32>, tensor<8x256x512xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

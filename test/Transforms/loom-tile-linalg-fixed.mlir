// tile-sizes / vector-dim: one register tile for every contraction, over
// the cost model and over decisions the ops carry; a tile that is not an
// option, or does not fit a contraction, is an error at the op.
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="isa=avx2 tile-sizes=2,8,4" -canonicalize 2>/dev/null | FileCheck %s
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="isa=avx2 tile-sizes=2,8,4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ILLEGAL
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512 tile-sizes=1,16,16 vector-dim=k" -canonicalize 2>/dev/null | FileCheck %s --check-prefix=ALONG-K
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="tile-sizes=3,16,1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="tile-sizes=1,16,1 vector-dim=m" -o /dev/null 2>&1 | FileCheck %s --check-prefix=DIM

// DIM: error: loom-tile-linalg: m is not a vector_dim option

// 786 K multiply-adds: the register tiles run in parallel (scf.forall),
// each its own k loop.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.forall ({{.*}}) = (0, 0) to (64, 96) step (2, 8)
// CHECK: scf.for %{{.*}} step %[[C4]]
// CHECK: vector.contract {{.*}} : vector<2x4xf32>, vector<4x8xf32> into vector<2x8xf32>
// ALONG-K-LABEL: func.func @matmul
// ALONG-K: arith.mulf {{.*}} : vector<16x16xf32>
// ALONG-K: vector.multi_reduction <add>, {{.*}} [1] : vector<16x16xf32> to vector<16xf32>
// OPTION: loom-tile-linalg-fixed.mlir:[[# @LINE + 3]]:8: error: loom-tile-linalg: 3 is not a tile_m option
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x96xf32>,
                  %c: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x96xf32>)
                     outs(%c : tensor<64x96xf32>) -> tensor<64x96xf32>
  return %r : tensor<64x96xf32>
}

// -----

// CHECK-LABEL: func.func @pinned
// CHECK: vector.contract {{.*}} : vector<2x4xf32>, vector<4x8xf32> into vector<2x8xf32>
// ALONG-K-LABEL: func.func @pinned
// ALONG-K: vector.multi_reduction <add>, {{.*}} [1] : vector<16x16xf32> to vector<16xf32>
func.func @pinned(%a: tensor<64x128xf32>, %b: tensor<128x128xf32>,
                  %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %r = linalg.matmul {loom.decision = #loom.decision<"linalg.tile",
           {tile_m = 1 : i64, tile_n = 64 : i64, tile_k = 16 : i64,
            vector_dim = "n"}, source = "user", model = "test">}
       ins(%a, %b : tensor<64x128xf32>, tensor<128x128xf32>)
       outs(%c : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %r : tensor<64x128xf32>
}

// -----

// Two rows do not fit one: an error here, the other contractions tiled.
// ILLEGAL: loom-tile-linalg-fixed.mlir:[[# @LINE + 3]]:8: error: loom-tile-linalg: tile-sizes [tile_m=2 tile_n=8 tile_k=4 vector_dim=n] is not a legal tile of this contraction
func.func @row(%a: tensor<1x12xf32>, %b: tensor<12x16xf32>,
               %c: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<1x12xf32>, tensor<12x16xf32>)
                     outs(%c : tensor<1x16xf32>) -> tensor<1x16xf32>
  return %r : tensor<1x16xf32>
}

// -----

// 2 x 8 x 4 does not divide 7 x 20 x 12: the part it divides (6 x 16),
// then the remainders (6 x 4, 1 x 16, 1 x 4), each tiled with the tile
// clipped to it, every vector static.
// CHECK-LABEL: func.func @remainder
// CHECK: scf.for {{.*}} to %c6 step %c2
// CHECK: vector.contract {{.*}} : vector<2x4xf32>, vector<4x8xf32> into vector<2x8xf32>
// CHECK: vector.contract {{.*}} : vector<2x4xf32>, vector<4x4xf32> into vector<2x4xf32>
// CHECK: vector.contract {{.*}} : vector<4xf32>, vector<4x8xf32> into vector<8xf32>
// CHECK: vector.contract {{.*}} : vector<4xf32>, vector<4x4xf32> into vector<4xf32>
// CHECK-NOT: vector.contract
// CHECK: return
func.func @remainder(%a: tensor<7x12xf32>, %b: tensor<12x20xf32>,
                     %c: tensor<7x20xf32>) -> tensor<7x20xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<7x12xf32>, tensor<12x20xf32>)
                     outs(%c : tensor<7x20xf32>) -> tensor<7x20xf32>
  return %r : tensor<7x20xf32>
}

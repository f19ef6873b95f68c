// RUN: loom-opt %s -split-input-file -loom-decide="isa=avx512 cost-model=roofline" | FileCheck %s --check-prefix=DECIDE
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512 cost-model=roofline" -canonicalize -loop-invariant-subset-hoisting -canonicalize | FileCheck %s
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512" -canonicalize | FileCheck %s --check-prefix=LEARNED
// RUN: loom-opt %s -split-input-file -loom-decide="isa=avx2" | FileCheck %s --check-prefix=NO-MODEL
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="tile-sizes=4,16" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SIZES
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="isa=sse2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ISA
// RUN: not loom-opt %s -split-input-file -loom-tile-linalg="cost-model=" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MODEL

// SIZES: error: loom-tile-linalg: tile-sizes takes tile_m, tile_n and tile_k, got 2 sizes
// ISA: error: loom-tile-linalg: unknown isa 'sse2'
// MODEL: error: loom-tile-linalg: cost-model must be auto, roofline or a directory of models, got ''

// The roofline's tile for a 64 x 96 x 128 matmul on AVX-512: 6 rows of
// four zmm accumulators, k unrolled by 16. It does not divide 64 x 96: the
// part it divides (60 x 64, 492 K multiply-adds) runs its register tiles
// in parallel (scf.forall, on the kernels' OpenMP pool), the remainders
// (60 x 32, 4 x 64, 4 x 32) serially at the tile clipped to them; every
// tile keeps its accumulators in registers across its k loop.
// DECIDE-LABEL: func.func @matmul
// DECIDE: linalg.matmul
// DECIDE-SAME: loom.decision = #loom.decision<"linalg.tile", {tile_k = 16 : i64, tile_m = 6 : i64, tile_n = 64 : i64, vector_dim = "n"}, source = "roofline", model = "roofline">
// CHECK-LABEL: func.func @matmul
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.forall ({{.*}}) = (0) to (60) step (6)
// CHECK: scf.for %{{.*}} step %[[C16]] {{.*}} -> (vector<6x64xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<6x16xf32>, vector<6x16xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<16x64xf32>, vector<16x64xf32>
// CHECK: vector.contract {{.*}} : vector<6x16xf32>, vector<16x64xf32> into vector<6x64xf32>
// CHECK: scf.for %{{.*}} step %[[C16]] {{.*}} -> (vector<6x32xf32>)
// CHECK: vector.contract {{.*}} into vector<6x32xf32>
// CHECK: scf.for %{{.*}} step %[[C16]] {{.*}} -> (vector<4x64xf32>)
// CHECK: vector.contract {{.*}} into vector<4x64xf32>
// CHECK: scf.for %{{.*}} step %[[C16]] {{.*}} -> (vector<4x32xf32>)
// CHECK: vector.contract {{.*}} into vector<4x32xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<64x128xf32>, %b: tensor<128x96xf32>,
                  %c: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<64x128xf32>, tensor<128x96xf32>)
                     outs(%c : tensor<64x96xf32>) -> tensor<64x96xf32>
  return %r : tensor<64x96xf32>
}

// -----

// Attention's scores as a generic: batch dim h outermost at tile 1 (its
// unit dim dropped from the tile), rhs laid out along k, not n. The
// roofline takes half vectors along n, which read four query rows' keys
// as they lie (whole vectors would copy them first).
#q = affine_map<(n, h, s, e) -> (n, h, e)>
#k = affine_map<(n, h, s, e) -> (s, h, e)>
#o = affine_map<(n, h, s, e) -> (n, h, s)>
// DECIDE-LABEL: func.func @scores
// DECIDE: linalg.generic
// DECIDE-SAME: loom.decision = #loom.decision<"linalg.tile"
// CHECK-LABEL: func.func @scores
// CHECK: scf.for
// CHECK: vector.contract {{.*}} into vector<4x8xf32>
// CHECK-NOT: linalg.generic
func.func @scores(%q: tensor<4x8x64xf32>, %k: tensor<32x8x64xf32>,
                  %c: tensor<4x8x32xf32>) -> tensor<4x8x32xf32> {
  %r = linalg.generic {indexing_maps = [#q, #k, #o],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<4x8x64xf32>, tensor<32x8x64xf32>)
      outs(%c : tensor<4x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x8x32xf32>
  return %r : tensor<4x8x32xf32>
}

// -----

// Sizes few tiles divide: before remainder parts only the unit tile fit
// 7 x 5 x 13, one FMA per step. The roofline now takes 4 x 1 x 4: the
// 4 x 12 part and the 3-row and 1-deep remainders, all in vectors.
// DECIDE-LABEL: func.func @odd
// DECIDE: loom.decision = #loom.decision<"linalg.tile", {tile_k = 4 : i64, tile_m = 4 : i64, tile_n = 1 : i64, vector_dim = "n"}
// CHECK-LABEL: func.func @odd
// CHECK: vector.contract {{.*}} : vector<4x4xf32>, vector<4xf32> into vector<4xf32>
// CHECK: arith.mulf {{.*}} : vector<4xf32>
// CHECK: vector.contract {{.*}} : vector<3x4xf32>, vector<4xf32> into vector<3xf32>
// CHECK: arith.mulf {{.*}} : vector<3xf32>
// CHECK-NOT: arith.mulf {{.*}} : f32
func.func @odd(%a: tensor<7x13xf32>, %b: tensor<13x5xf32>,
               %c: tensor<7x5xf32>) -> tensor<7x5xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<7x13xf32>, tensor<13x5xf32>)
                     outs(%c : tensor<7x5xf32>) -> tensor<7x5xf32>
  return %r : tensor<7x5xf32>
}

// -----

// A decision on the op wins over the model (its unit m dim dropped from the
// tile).
// CHECK-LABEL: func.func @pinned
// CHECK: vector.contract {{.*}} : vector<16xf32>, vector<16x64xf32> into vector<64xf32>
func.func @pinned(%a: tensor<64x128xf32>, %b: tensor<128x128xf32>,
                  %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %r = linalg.matmul {loom.decision = #loom.decision<"linalg.tile",
           {tile_m = 1 : i64, tile_n = 64 : i64, tile_k = 16 : i64,
            vector_dim = "n"},
           source = "user", model = "test">}
       ins(%a, %b : tensor<64x128xf32>, tensor<128x128xf32>)
       outs(%c : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %r : tensor<64x128xf32>
}

// -----

// Attention's scores at decode: one row, keys laid out along k. The
// roofline runs the vectors along k: 16 rows of partial sums accumulated
// across the k loop, added up once after it.
#q = affine_map<(n, h, s, e) -> (n, h, e)>
#k = affine_map<(n, h, s, e) -> (s, h, e)>
#o = affine_map<(n, h, s, e) -> (n, h, s)>
// The shipped model (x86_64-avx512) has this one along k too, 8 rows at a
// time; AVX2 has no shipped model: the roofline decides.
// LEARNED-LABEL: func.func @scores_decode
// LEARNED: vector.multi_reduction <add>, {{.*}} [1] : vector<8x4xf32> to vector<8xf32>
// NO-MODEL-LABEL: func.func @scores_decode
// NO-MODEL: source = "roofline", model = "roofline"
// DECIDE-LABEL: func.func @scores_decode
// DECIDE: loom.decision = #loom.decision<"linalg.tile", {tile_k = 4 : i64, tile_m = 1 : i64, tile_n = 16 : i64, vector_dim = "k"}
// CHECK-LABEL: func.func @scores_decode
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16x4xf32>
// CHECK: scf.forall ({{.*}}) = (0, 0) to (8, 512) step (1, 16)
// CHECK: scf.for {{.*}} iter_args({{.*}} = %[[ZERO]]) -> (vector<16x4xf32>)
// CHECK: arith.mulf {{.*}} : vector<16x4xf32>
// CHECK: arith.addf {{.*}} : vector<16x4xf32>
// CHECK: vector.multi_reduction <add>, {{.*}} [1] : vector<16x4xf32> to vector<16xf32>
// CHECK-NOT: tensor.empty
func.func @scores_decode(%q: tensor<1x8x64xf32>, %k: tensor<512x8x64xf32>,
                         %c: tensor<1x8x512xf32>) -> tensor<1x8x512xf32> {
  %r = linalg.generic {indexing_maps = [#q, #k, #o],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<1x8x64xf32>, tensor<512x8x64xf32>)
      outs(%c : tensor<1x8x512xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x8x512xf32>
  return %r : tensor<1x8x512xf32>
}

// -----

// Dynamic rows (tokens) are split where the tile divides them, at run
// time: (rows floordiv 8) * 8 rows in tiles of 8 rows, whose accumulators
// stay in registers across k (no mask: the split leaves every tile whole),
// in parallel from 128 rows (2^18 multiply-adds of 64 x 32) and serially
// below, then the fewer than 8 rows left in at most one tile each of 4, 2
// and 1 rows, split the same way.
// DECIDE-LABEL: func.func @dynamic_rows
// DECIDE: loom.decision = #loom.decision<"linalg.tile", {tile_k = {{[0-9]+}} : i64, tile_m = 8 : i64
// CHECK: #[[$DIVIDED:.*]] = affine_map<()[s0, s1] -> ((s0 floordiv 8) * 8, s1)>
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: %[[ROWS:.*]] = tensor.dim
// CHECK: %[[MAIN:.*]] = affine.min #[[$DIVIDED]]()[%[[ROWS]]
// CHECK: %[[FORK:.*]] = arith.cmpi uge, %[[MAIN]], %c128
// CHECK: scf.if %[[FORK]]
// CHECK: scf.forall (%{{.*}}) = (0) to (%[[MAIN]]) step (8)
// CHECK: scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK-NOT: vector.mask
// CHECK: vector.contract {{.*}} : vector<8x16xf32>, vector<16x32xf32> into vector<8x32xf32>
// CHECK: } else {
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[MAIN]] step %c8
// CHECK: scf.for {{.*}} -> (vector<8x32xf32>)
// CHECK: vector.contract {{.*}} : vector<8x16xf32>, vector<16x32xf32> into vector<8x32xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK-NOT: vector.mask
// CHECK: vector.contract {{.*}} : vector<4x16xf32>, vector<16x32xf32> into vector<4x32xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2
// CHECK: vector.contract {{.*}} : vector<2x16xf32>, vector<16x32xf32> into vector<2x32xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1
// CHECK: vector.contract {{.*}} : vector<16xf32>, vector<16x32xf32> into vector<32xf32>
// CHECK-NOT: linalg.matmul
func.func @dynamic_rows(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>,
                        %c: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %r = linalg.matmul ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>)
                     outs(%c : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// -----

// Half precision: f16 and bf16 results summed in f32 and rounded after
// the k loop (an AVX-512 CPU without FP16 arithmetic; the FP16 case is in
// loom-tile-linalg-half.mlir), and f16 products summed into an f32 result,
// where the extensions fold into the contraction (f16 operand vectors, f32
// accumulators).
// DECIDE-LABEL: func.func @half_precision
// DECIDE-COUNT-3: loom.decision = #loom.decision<"linalg.tile"
// CHECK-LABEL: func.func @half_precision
// CHECK: vector.contract {{.*}} : vector<{{[0-9]+}}x{{[0-9]+}}xf16>, vector<{{[0-9]+}}x{{[0-9]+}}xf16> into vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK: arith.truncf {{.*}} to vector<{{[0-9]+}}x{{[0-9]+}}xf16>
// CHECK: vector.contract {{.*}} : vector<{{[0-9]+}}x{{[0-9]+}}xbf16>, vector<{{[0-9]+}}x{{[0-9]+}}xbf16> into vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK: arith.truncf {{.*}} to vector<{{[0-9]+}}x{{[0-9]+}}xbf16>
// CHECK: vector.contract {{.*}} : vector<{{[0-9]+}}x{{[0-9]+}}xf16>, vector<{{[0-9]+}}x{{[0-9]+}}xf16> into vector<{{[0-9]+}}x{{[0-9]+}}xf32>
// CHECK-NOT: arith.truncf
// CHECK-NOT: linalg.matmul
func.func @half_precision(%a: tensor<64x128xf16>, %b: tensor<128x96xf16>,
                          %c: tensor<64x96xf16>, %x: tensor<64x128xbf16>,
                          %y: tensor<128x96xbf16>, %z: tensor<64x96xbf16>,
                          %acc: tensor<64x96xf32>)
    -> (tensor<64x96xf16>, tensor<64x96xbf16>, tensor<64x96xf32>) {
  %h = linalg.matmul ins(%a, %b : tensor<64x128xf16>, tensor<128x96xf16>)
                     outs(%c : tensor<64x96xf16>) -> tensor<64x96xf16>
  %bh = linalg.matmul ins(%x, %y : tensor<64x128xbf16>, tensor<128x96xbf16>)
                      outs(%z : tensor<64x96xbf16>) -> tensor<64x96xbf16>
  %m = linalg.matmul ins(%a, %b : tensor<64x128xf16>, tensor<128x96xf16>)
                     outs(%acc : tensor<64x96xf32>) -> tensor<64x96xf32>
  return %h, %bh, %m : tensor<64x96xf16>, tensor<64x96xbf16>, tensor<64x96xf32>
}

// -----

// Not contractions the register tile serves (an add, a dynamic k, f64): no
// decision, left to convert-linalg-to-loops.
// DECIDE-LABEL: func.func @untouched
// DECIDE-NOT: loom.decision
// CHECK-LABEL: func.func @untouched
// CHECK: linalg.generic
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK-NOT: vector.contract
#id = affine_map<(i, j) -> (i, j)>
func.func @untouched(%x: tensor<8x16xf32>, %d: tensor<8x?xf32>,
                     %b: tensor<?x16xf32>, %w: tensor<8x16xf64>,
                     %v: tensor<16x16xf64>) -> (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf64>) {
  %sum = linalg.generic {indexing_maps = [#id, #id],
      iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x16xf32>) outs(%x : tensor<8x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  %dyn = linalg.matmul ins(%d, %b : tensor<8x?xf32>, tensor<?x16xf32>)
                       outs(%x : tensor<8x16xf32>) -> tensor<8x16xf32>
  %f64 = linalg.matmul ins(%w, %v : tensor<8x16xf64>, tensor<16x16xf64>)
                       outs(%w : tensor<8x16xf64>) -> tensor<8x16xf64>
  return %sum, %dyn, %f64 : tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf64>
}

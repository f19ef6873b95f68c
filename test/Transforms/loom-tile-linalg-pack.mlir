// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512 tile-sizes=8,16,4" | FileCheck %s
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512 tile-sizes=2,8,4 vector-dim=k" | FileCheck %s --check-prefix=ALONG-K
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512 tile-sizes=8,8,4" | FileCheck %s --check-prefix=HALF
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512 tile-sizes=8,1,4" | FileCheck %s --check-prefix=COLUMN

// A tile along n over a rhs laid out along k (attention's keys, [out, in]
// weights) reads a copy of the rhs laid out along n, made once before the
// loops: from the first row tile where the tile's rows are whole vectors
// (a gather of 16 lanes costs more than the copy), from the second where
// they are half vectors (8 lanes), never for a one-column tile (scalar
// reads). The copy keeps the other dims in order, then k, then n, and is
// made in 16 x 16 blocks, each a shuffle network.
// CHECK-LABEL: func.func @scores
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<8x64x64xf32>
// CHECK: %[[PACKED:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[EMPTY]]) -> (tensor<8x64x64xf32>)
// CHECK: tensor.extract_slice %arg1[%{{.*}}, %{{.*}}, %{{.*}}] [16, 1, 16] [1, 1, 1] : tensor<64x8x64xf32> to tensor<16x1x16xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// CHECK-COUNT-64: vector.shuffle
// CHECK: vector.transfer_write {{.*}} : vector<16x16xf32>, tensor<16x16xf32>
// CHECK: scf.forall
// CHECK: tensor.extract_slice %[[PACKED]]
// CHECK: vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// Along k the rhs is read as it is laid out.
// ALONG-K-LABEL: func.func @scores
// ALONG-K-NOT: linalg.transpose
// HALF-LABEL: func.func @scores
// HALF: tensor.empty() : tensor<8x64x64xf32>
// COLUMN-LABEL: func.func @scores
// COLUMN-NOT: tensor.empty() : tensor<8x64x64xf32>
func.func @scores(%q: tensor<64x8x64xf32>, %k: tensor<64x8x64xf32>, %init: tensor<64x8x64xf32>) -> tensor<64x8x64xf32> {
  %s = linalg.generic {indexing_maps = [affine_map<(n, h, s, e) -> (n, h, e)>, affine_map<(n, h, s, e) -> (s, h, e)>, affine_map<(n, h, s, e) -> (n, h, s)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%q, %k : tensor<64x8x64xf32>, tensor<64x8x64xf32>) outs(%init : tensor<64x8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<64x8x64xf32>
  return %s : tensor<64x8x64xf32>
}

// -----

// A named op is generalized first.
// CHECK-LABEL: func.func @projection
// CHECK: scf.for {{.*}} -> (tensor<512x256xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// CHECK-NOT: linalg.matmul
func.func @projection(%x: tensor<64x512xf32>, %w: tensor<256x512xf32>, %init: tensor<64x256xf32>) -> tensor<64x256xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<64x512xf32>, tensor<256x512xf32>) outs(%init : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %y : tensor<64x256xf32>
}

// -----

// One row tile: whole vectors pack, half vectors read the rhs as it lies.
// CHECK-LABEL: func.func @one_row_tile
// CHECK: tensor.empty() : tensor<512x256xf32>
// HALF-LABEL: func.func @one_row_tile
// HALF-NOT: tensor.empty() : tensor<512x256xf32>
func.func @one_row_tile(%x: tensor<8x512xf32>, %w: tensor<256x512xf32>, %init: tensor<8x256xf32>) -> tensor<8x256xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<8x512xf32>, tensor<256x512xf32>) outs(%init : tensor<8x256xf32>) -> tensor<8x256xf32>
  return %y : tensor<8x256xf32>
}

// -----

// Two row tiles: half vectors pack too.
// HALF-LABEL: func.func @two_row_tiles
// HALF: tensor.empty() : tensor<512x256xf32>
func.func @two_row_tiles(%x: tensor<16x512xf32>, %w: tensor<256x512xf32>, %init: tensor<16x256xf32>) -> tensor<16x256xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<16x512xf32>, tensor<256x512xf32>) outs(%init : tensor<16x256xf32>) -> tensor<16x256xf32>
  return %y : tensor<16x256xf32>
}

// -----

// Rows known only at run time: whole vectors pack whatever their count.
// Half vectors get a version that packs from two row tiles (9 rows of
// 8-row tiles) and one that reads the rhs as it is laid out (a decode
// step's one row), each split at its row tiles.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-NOT: scf.if
// CHECK: tensor.empty() : tensor<512x256xf32>
// HALF-LABEL: func.func @dynamic_rows
// HALF: %[[ROWS:.*]] = tensor.dim %arg0, %c0
// HALF: %[[MANY:.*]] = arith.cmpi uge, %[[ROWS]], %c9
// HALF: scf.if %[[MANY]] -> (tensor<?x256xf32>)
// HALF: %[[EMPTY:.*]] = tensor.empty() : tensor<512x256xf32>
// HALF: %[[PACKED:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[EMPTY]]) -> (tensor<512x256xf32>)
// HALF: vector.transfer_read {{.*}} : tensor<16x16xf32>, vector<16x16xf32>
// HALF: tensor.extract_slice %[[PACKED]]
// HALF: vector.transfer_read {{.*}} : tensor<4x8xf32>, vector<4x8xf32>
// HALF: } else {
// HALF-NOT: tensor.empty() : tensor<512x256xf32>
// HALF: vector.transfer_read {{.*}} : tensor<8x4xf32>, vector<8x4xf32>
// HALF: return
func.func @dynamic_rows(%x: tensor<?x512xf32>, %w: tensor<256x512xf32>, %init: tensor<?x256xf32>) -> tensor<?x256xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<?x512xf32>, tensor<256x512xf32>) outs(%init : tensor<?x256xf32>) -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

// Blocks of 8 x 8 where 16 does not divide the copy's dims; element by
// element where 8 does not either.
// CHECK-LABEL: func.func @eight
// CHECK: vector.transfer_read {{.*}} : tensor<8x8xf32>, vector<8x8xf32>
// CHECK: vector.shuffle {{.*}} : vector<64xf32>, vector<64xf32>
// CHECK-LABEL: func.func @odd
// CHECK: linalg.transpose ins(%arg1 : tensor<20x12xf32>) outs(%{{.*}} : tensor<12x20xf32>) permutation = [1, 0]
func.func @eight(%x: tensor<64x24xf32>, %w: tensor<40x24xf32>, %init: tensor<64x40xf32>) -> tensor<64x40xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<64x24xf32>, tensor<40x24xf32>) outs(%init : tensor<64x40xf32>) -> tensor<64x40xf32>
  return %y : tensor<64x40xf32>
}
func.func @odd(%x: tensor<64x12xf32>, %w: tensor<20x12xf32>, %init: tensor<64x20xf32>) -> tensor<64x20xf32> {
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] ins(%x, %w : tensor<64x12xf32>, tensor<20x12xf32>) outs(%init : tensor<64x20xf32>) -> tensor<64x20xf32>
  return %y : tensor<64x20xf32>
}

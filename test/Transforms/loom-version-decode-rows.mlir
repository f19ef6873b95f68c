// RUN: loom-opt %s -split-input-file -loom-version-decode-rows | FileCheck %s
// RUN: loom-opt %s -split-input-file -loom-version-decode-rows -loom-version-decode-rows | FileCheck %s
// RUN: loom-opt %s -split-input-file -loom-version-decode-rows -loom-decide="isa=avx512 cost-model=roofline" | FileCheck %s --check-prefix=DECIDE

// A contraction of dynamic rows gets a copy for one row, over operands cast
// to one row; the original runs from two rows. A second run changes
// nothing. Each version is decided on its own: the one-row copy as the
// static decode contraction it is.
// CHECK-LABEL: func.func @projection
// CHECK-SAME: (%[[A:.*]]: tensor<?x64xf32>, %[[B:.*]]: tensor<32x64xf32>, %[[C:.*]]: tensor<?x32xf32>)
// CHECK: %[[ROWS:.*]] = tensor.dim %[[A]], %c0
// CHECK: %[[ONE:.*]] = arith.cmpi eq, %[[ROWS]], %c1
// CHECK: %[[R:.*]] = scf.if %[[ONE]] -> (tensor<?x32xf32>) {
// CHECK: %[[A1:.*]] = tensor.cast %[[A]] : tensor<?x64xf32> to tensor<1x64xf32>
// CHECK: %[[C1:.*]] = tensor.cast %[[C]] : tensor<?x32xf32> to tensor<1x32xf32>
// CHECK: %[[R1:.*]] = linalg.matmul {{.*}} ins(%[[A1]], %[[B]] : tensor<1x64xf32>, tensor<32x64xf32>) outs(%[[C1]] : tensor<1x32xf32>)
// CHECK: %[[BACK:.*]] = tensor.cast %[[R1]] : tensor<1x32xf32> to tensor<?x32xf32>
// CHECK: scf.yield %[[BACK]]
// CHECK: } else {
// CHECK: %[[RN:.*]] = linalg.matmul {{.*}}{loom.min_rows = 2 : i64} ins(%[[A]], %[[B]] : tensor<?x64xf32>, tensor<32x64xf32>)
// CHECK: scf.yield %[[RN]]
// CHECK: return %[[R]]
// CHECK-NOT: scf.if
// DECIDE-LABEL: func.func @projection
// DECIDE: linalg.matmul {{.*}}loom.decision = #loom.decision<"linalg.tile", {tile_k = {{[0-9]+}} : i64, tile_m = 1 : i64, {{.*}} ins({{.*}} : tensor<1x64xf32>
// DECIDE: linalg.matmul {{.*}}loom.decision = #loom.decision<"linalg.tile"{{.*}}loom.min_rows = 2 : i64
func.func @projection(%a: tensor<?x64xf32>, %b: tensor<32x64xf32>,
                      %c: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %r = linalg.matmul
       indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                        affine_map<(m, n, k) -> (n, k)>,
                        affine_map<(m, n, k) -> (m, n)>]
       ins(%a, %b : tensor<?x64xf32>, tensor<32x64xf32>)
       outs(%c : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r : tensor<?x32xf32>
}

// -----

// Static rows, and a contraction that carries its decision (its tile is
// the user's or a replayed one): left as they are.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.if
// CHECK-NOT: loom.min_rows
func.func @left_alone(%a: tensor<4x64xf32>, %b: tensor<64x32xf32>,
                      %c: tensor<4x32xf32>, %d: tensor<?x64xf32>,
                      %e: tensor<?x32xf32>) -> (tensor<4x32xf32>, tensor<?x32xf32>) {
  %r = linalg.matmul ins(%a, %b : tensor<4x64xf32>, tensor<64x32xf32>)
                     outs(%c : tensor<4x32xf32>) -> tensor<4x32xf32>
  %s = linalg.matmul {loom.decision = #loom.decision<"linalg.tile",
           {tile_m = 4 : i64, tile_n = 16 : i64, tile_k = 1 : i64,
            vector_dim = "n"}, source = "user", model = "test">}
       ins(%d, %b : tensor<?x64xf32>, tensor<64x32xf32>)
       outs(%e : tensor<?x32xf32>) -> tensor<?x32xf32>
  return %r, %s : tensor<4x32xf32>, tensor<?x32xf32>
}

// A bf16 tile along k adds its partial sums up in f32 and rounds once:
// LLVM's x86 backend aborts on the lane shuffles of a bf16 vector
// reduction (this 2 x 8 x 16 tile crashed loom-compile before).
// RUN: loom-opt %s -loom-tile-linalg="isa=avx512-vbmi" | FileCheck %s
// RUN: loom-compile %s -o %t.so --mcpu=znver4
// RUN: loom-compile %s -o %t-spr.so --mcpu=emeraldrapids

// CHECK-LABEL: func.func @scores_bf16
// CHECK: arith.mulf {{.*}} : vector<2x8x16xbf16>
// CHECK: %[[WIDE:.*]] = arith.extf {{.*}} : vector<2x8x16xbf16> to vector<2x8x16xf32>
// CHECK: %[[ACC:.*]] = arith.extf {{.*}} : vector<2x8xbf16> to vector<2x8xf32>
// CHECK: %[[SUM:.*]] = vector.multi_reduction <add>, %[[WIDE]], %[[ACC]] [2] : vector<2x8x16xf32> to vector<2x8xf32>
// CHECK: arith.truncf %[[SUM]] : vector<2x8xf32> to vector<2x8xbf16>
// CHECK-NOT: vector.multi_reduction {{.*}}bf16
func.func @scores_bf16(%a: tensor<8x64xbf16>, %b: tensor<32x64xbf16>) -> tensor<8x32xbf16> {
  %zero = arith.constant 0.0 : bf16
  %init = tensor.empty() : tensor<8x32xbf16>
  %acc = linalg.fill ins(%zero : bf16) outs(%init : tensor<8x32xbf16>) -> tensor<8x32xbf16>
  %r = linalg.generic {
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>],
      iterator_types = ["parallel", "parallel", "reduction"],
      loom.decision = #loom.decision<"linalg.tile",
          {tile_m = 2 : i64, tile_n = 8 : i64, tile_k = 16 : i64,
           vector_dim = "k"}, source = "user", model = "test">}
      ins(%a, %b : tensor<8x64xbf16>, tensor<32x64xbf16>)
      outs(%acc : tensor<8x32xbf16>) {
  ^bb0(%x: bf16, %y: bf16, %s: bf16):
    %p = arith.mulf %x, %y : bf16
    %t = arith.addf %s, %p : bf16
    linalg.yield %t : bf16
  } -> tensor<8x32xbf16>
  return %r : tensor<8x32xbf16>
}

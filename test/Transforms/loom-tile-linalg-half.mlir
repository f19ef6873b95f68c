// Half-precision results: where the CPU has no arithmetic in the type (bf16
// everywhere, f16 without AVX512-FP16) a register tile keeps its sums in
// f32 across its k loop and rounds them once; with AVX512-FP16, f16 tiles
// sum in f16. The bf16 tile along k crashed loom-compile when its partial
// sums were reduced in bf16 (LLVM's x86 backend cannot select the lane
// shuffles of a bf16 vector reduction).
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512-vbmi cpu=znver4" -canonicalize -loop-invariant-subset-hoisting -canonicalize | FileCheck %s
// RUN: loom-opt %s -split-input-file -loom-tile-linalg="isa=avx512-vbmi cpu=emeraldrapids" -canonicalize -loop-invariant-subset-hoisting -canonicalize | FileCheck %s --check-prefix=FP16
// RUN: split-file %s %t
// RUN: loom-compile %t/scores.mlir -o %t.so --mcpu=znver4
// RUN: loom-compile %t/scores.mlir -o %t-spr.so --mcpu=emeraldrapids

// CHECK-LABEL: func.func @matmul_f16
// CHECK: %[[ACC:.*]] = arith.extf {{.*}} : vector<4x16xf16> to vector<4x16xf32>
// CHECK: %[[SUMS:.*]] = scf.for {{.*}} iter_args(%[[ITER:.*]] = %[[ACC]]) -> (vector<4x16xf32>)
// CHECK: vector.contract {{.*}} %[[ITER]] : vector<4x4xf16>, vector<4x16xf16> into vector<4x16xf32>
// CHECK: arith.truncf %[[SUMS]] : vector<4x16xf32> to vector<4x16xf16>
// FP16-LABEL: func.func @matmul_f16
// FP16-NOT: arith.extf
// FP16: vector.contract {{.*}} : vector<4x4xf16>, vector<4x16xf16> into vector<4x16xf16>
// FP16-NOT: arith.truncf
func.func @matmul_f16(%a: tensor<64x32xf16>, %b: tensor<32x48xf16>,
                      %c: tensor<64x48xf16>) -> tensor<64x48xf16> {
  %r = linalg.matmul
      {loom.decision = #loom.decision<"linalg.tile",
          {tile_m = 4 : i64, tile_n = 16 : i64, tile_k = 4 : i64,
           vector_dim = "n"}, source = "user", model = "test">}
      ins(%a, %b : tensor<64x32xf16>, tensor<32x48xf16>)
      outs(%c : tensor<64x48xf16>) -> tensor<64x48xf16>
  return %r : tensor<64x48xf16>
}

// -----

// A tile one row by one column dots f16 vectors into its f32 sum
// (LowerMixedDot: upstream lowers only a dot in the sum's type).
// CHECK-LABEL: func.func @dot_f16
// CHECK: scf.for {{.*}} -> (vector<f32>)
// CHECK: %[[A:.*]] = arith.extf {{.*}} : vector<4xf16> to vector<4xf32>
// CHECK: %[[B:.*]] = arith.extf {{.*}} : vector<4xf16> to vector<4xf32>
// CHECK: %[[P:.*]] = arith.mulf %[[A]], %[[B]] : vector<4xf32>
// CHECK: vector.reduction <add>, %[[P]], {{.*}} : vector<4xf32> into f32
// CHECK-NOT: vector.contract
// CHECK: arith.truncf {{.*}} : f32 to f16
// FP16-LABEL: func.func @dot_f16
// FP16: vector.contract {{.*}} : vector<4xf16>, vector<4xf16> into f16
func.func @dot_f16(%a: tensor<8x32xf16>, %b: tensor<32x4xf16>,
                   %c: tensor<8x4xf16>) -> tensor<8x4xf16> {
  %r = linalg.matmul
      {loom.decision = #loom.decision<"linalg.tile",
          {tile_m = 1 : i64, tile_n = 1 : i64, tile_k = 4 : i64,
           vector_dim = "n"}, source = "user", model = "test">}
      ins(%a, %b : tensor<8x32xf16>, tensor<32x4xf16>)
      outs(%c : tensor<8x4xf16>) -> tensor<8x4xf16>
  return %r : tensor<8x4xf16>
}

// -----

//--- scores.mlir
// CHECK-LABEL: func.func @scores_bf16
// CHECK: %[[ACC:.*]] = arith.extf {{.*}} : vector<2x8xbf16> to vector<2x8xf32>
// CHECK: %[[PARTIAL:.*]] = scf.for {{.*}} -> (vector<2x8x16xf32>)
// CHECK: arith.mulf {{.*}} : vector<2x8x16xf32>
// CHECK: %[[SUM:.*]] = vector.multi_reduction <add>, %[[PARTIAL]], %[[ACC]] [2] : vector<2x8x16xf32> to vector<2x8xf32>
// CHECK: arith.truncf %[[SUM]] : vector<2x8xf32> to vector<2x8xbf16>
// CHECK-NOT: bf16>, vector<{{.*}}bf16> into vector<{{.*}}bf16>
// FP16-LABEL: func.func @scores_bf16
// FP16: vector.multi_reduction <add>, {{.*}} : vector<2x8x16xf32> to vector<2x8xf32>
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

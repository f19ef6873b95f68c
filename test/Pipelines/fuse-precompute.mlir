// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512" --mlir-print-ir-after=lut-fuse-precompute 2>&1 | FileCheck %s
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512 fuse-precompute=false" --mlir-print-ir-before=convert-lut-to-vector 2>&1 | FileCheck %s --check-prefix=UNFUSED
// RUN: loom-opt %s --loom-cpu-pipeline="isa=avx512" | FileCheck %s --check-prefix=LLVM

// An RMSNorm's normalization step feeds the gate and up projections: after
// CSE they share one table, which the precompute builds from the norm's
// inputs; the normalized activations are never written.
// CHECK-LABEL: IR Dump After LutFusePrecompute
// CHECK-NOT: linalg.generic {{.*}}["parallel", "parallel"]
// CHECK: lut.fused_table_precompute ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x64xf32>, tensor<?xf32>, tensor<64xf32>)
// CHECK: math.sqrt
// CHECK: lut.yield
// CHECK-NOT: lut.fused_table_precompute
// CHECK-COUNT-2: lut.lookup_accumulate
// UNFUSED: linalg.generic {{.*}}["parallel", "parallel"]
// UNFUSED: lut.table_precompute
// UNFUSED-NOT: lut.fused_table_precompute
// The two kernels' index streams are two globals.
// LLVM-DAG: llvm.mlir.global private constant @__loom_lut_stream(
// LLVM-DAG: llvm.mlir.global private constant @__loom_lut_stream_0(
// LLVM-NOT: lut.
// LLVM-LABEL: llvm.func @gate_up(
!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
#nk = affine_map<(n, k) -> (n, k)>
#n = affine_map<(n, k) -> (n)>
#k = affine_map<(n, k) -> (k)>
func.func @gate_up(%x: tensor<?x64xf32>, %ss: tensor<?xf32>, %g: tensor<64xf32>) -> (tensor<?x128xf32>, tensor<?x128xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%n) : tensor<?x64xf32>
  %h = linalg.generic {indexing_maps = [#nk, #n, #k, #nk], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %g : tensor<?x64xf32>, tensor<?xf32>, tensor<64xf32>) outs(%e : tensor<?x64xf32>) {
  ^bb0(%a: f32, %s: f32, %gg: f32, %o: f32):
    %c = arith.constant 64.0 : f32
    %mean = arith.divf %s, %c : f32
    %r = math.sqrt %mean : f32
    %nrm = arith.divf %a, %r : f32
    %v = arith.mulf %nrm, %gg : f32
    linalg.yield %v : f32
  } -> tensor<?x64xf32>
  %cg = arith.constant dense<1> : tensor<128x64xi8>
  %cu = arith.constant dense<-1> : tensor<128x64xi8>
  %s1 = arith.constant dense<0.5> : tensor<1x1xf32>
  %wg = lut.pack %cg, %s1 : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %wu = lut.pack %cu, %s1 : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %yg = lut.mpgemm %h, %wg : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  %yu = lut.mpgemm %h, %wu : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %yg, %yu : tensor<?x128xf32>, tensor<?x128xf32>
}

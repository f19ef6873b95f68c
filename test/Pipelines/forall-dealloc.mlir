// RUN: loom-opt %s --one-shot-bufferize="bufferize-function-boundaries" --ownership-based-buffer-deallocation --canonicalize | FileCheck %s

// A scratch buffer inside an scf.forall body (the parallel grouped GEMM's
// packed weight panel) is freed in that body. Without scf's deallocation
// interface registered, the pass left it allocated: 70-270 MB per call of
// an MoE layer.
// CHECK-LABEL: func.func @scratch_in_forall
// CHECK: scf.forall
// CHECK: %[[SCRATCH:.*]] = memref.alloc() {{.*}} : memref<16xf32>
// CHECK: bufferization.dealloc (%[[SCRATCH]] : memref<16xf32>) if (%true)
// CHECK-NEXT: }
func.func @scratch_in_forall(%out: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %cst = arith.constant 1.0 : f32
  %r = scf.forall (%i) in (4) shared_outs(%o = %out) -> tensor<4x16xf32> {
    %p = tensor.empty() : tensor<16xf32>
    %f = linalg.fill ins(%cst : f32) outs(%p : tensor<16xf32>) -> tensor<16xf32>
    %v = tensor.extract %f[%i] : tensor<16xf32>
    %s = tensor.extract_slice %o[%i, 0] [1, 16] [1, 1] : tensor<4x16xf32> to tensor<1x16xf32>
    %g = linalg.fill ins(%v : f32) outs(%s : tensor<1x16xf32>) -> tensor<1x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %g into %o[%i, 0] [1, 16] [1, 1] : tensor<1x16xf32> into tensor<4x16xf32>
    }
  }
  return %r : tensor<4x16xf32>
}

// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline --mlir-print-ir-after=convert-moe-to-vector 2>&1 | FileCheck %s
// RUN: loom-opt %s --loom-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// loom-cpu-pipeline decomposes the layer and folds dispatch and combine
// into the expert GEMMs; the router's logits and both expert GEMMs become
// the vector kernel (an scf.forall over column tiles per expert), softmax
// and top-k one pass of vector selection rounds over the logits; assign is
// left to the reference lowering, and the kernels reach LLVM as 512-bit
// FMAs on OpenMP's thread pool.
// CHECK-LABEL: IR Dump After ConvertMoEToVector
// CHECK-NOT: moe.gate
// CHECK: scf.forall
// CHECK: vector.fma
// CHECK-NOT: moe.topk
// CHECK: vector.reduction <maximumf>
// CHECK: math.exp {{.*}} : f32
// CHECK: arith.divf {{.*}} : vector<4xf32>
// CHECK: vector.reduction <maxnumf>
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %[[ROWS:.*]], %{{.*}} = moe.assign
// CHECK: %[[TOKENS:.*]] = linalg.generic {{.*}} ins(%[[ROWS]] : tensor<?xi32>)
// CHECK-NOT: moe.dispatch
// CHECK-NOT: moe.grouped_matmul
// CHECK: scf.forall
// CHECK: tensor.extract %[[TOKENS]]
// CHECK: vector.fma
// CHECK: scf.forall
// CHECK: vector.fma
// CHECK: tensor.extract %{{.*}} : tensor<?xi32>
// CHECK: arith.addf {{.*}} : vector<{{[0-9]+}}xf32>
// CHECK: arith.select
// CHECK-NOT: moe.combine
// LLVM-LABEL: llvm.func @layer
// LLVM: omp.parallel
// LLVM: llvm.intr.fma({{.*}}) : (vector<16xf32>, vector<16xf32>, vector<16xf32>) -> vector<16xf32>
func.func @layer(%x: tensor<?x64xf32>, %wr: tensor<4x64xf32>, %w1: tensor<4x96x64xf32>, %w2: tensor<4x64x48xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = 2, renormalize>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x64xf32>, tensor<4x64xf32>, tensor<4x96x64xf32>, tensor<4x64x48xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

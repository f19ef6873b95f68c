// REQUIRES: nvptx
// RUN: loom-opt %s --loom-gpu-pipeline --mlir-print-ir-after=loom-gpu-device-copies 2>&1 >/dev/null | FileCheck %s

// A dropless MoE layer's call crosses the bus three times: its input goes
// to the device once (for the routing kernel and the first GEMM), its
// output and its aux loss come back. The plan (ids, offsets, row maps),
// the hidden rows and the scatter's sums live in device memory alone, so
// a decode step is a chain of launches with no copy between them.
// CHECK-LABEL: func.func @decode_step
// CHECK-SAME: (%[[X:.*]]: memref<?x48xf32>)
// CHECK: gpu.memcpy %{{.*}}, %[[X]] : memref<?x48xf32>, memref<?x48xf32>
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.memcpy %[[AUX:.*]], %{{.*}} : memref<f32>, memref<f32>
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.memcpy %[[Y:.*]], %{{.*}} : memref<?x48xf32>, memref<?x48xf32>
// CHECK-NOT: gpu.memcpy
// CHECK: return %[[Y]], %[[AUX]]
func.func @decode_step(%x: tensor<?x48xf32>) -> (tensor<?x48xf32>, tensor<f32>) {
  %wr = arith.constant dense<0.5> : tensor<8x48xf32>
  %w13 = arith.constant dense<0.25> : tensor<8x160x48xf32>
  %w2 = arith.constant dense<0.125> : tensor<8x48x80xf32>
  %y, %aux = moe.layer %x, %wr, %w13, %w2 {
         routing = #moe.routing<k = 2, renormalize>,
         capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, aux_loss}
       : (tensor<?x48xf32>, tensor<8x48xf32>, tensor<8x160x48xf32>, tensor<8x48x80xf32>) -> (tensor<?x48xf32>, tensor<f32>)
  return %y, %aux : tensor<?x48xf32>, tensor<f32>
}

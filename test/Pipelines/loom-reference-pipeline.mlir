// RUN: loom-opt %s --loom-reference-pipeline | FileCheck %s
// RUN: loom-opt %s --loom-reference-pipeline="emit-c-interface=false" | FileCheck %s --check-prefix=NOCIFACE

// All three dialects in one module end in the LLVM dialect, with C-interface
// wrappers for the public entry points; nothing of Loom's dialects remains.
// CHECK-NOT: lut.
// CHECK-NOT: moe.
// CHECK-NOT: wf.
// CHECK-LABEL: llvm.func @block(
// CHECK-LABEL: llvm.func @_mlir_ciface_block(
// NOCIFACE-NOT: _mlir_ciface_
!w = !lut.packed<8x8, #lut.quant<ternary, group = per_tensor, scale = f32>>
wf.graph @block(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = wf.compute(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32> {
  ^bb0(%in: tensor<?x8xf32>):
    %codes = arith.constant dense<1> : tensor<8x8xi8>
    %scale = arith.constant dense<0.5> : tensor<1x1xf32>
    %w = lut.pack %codes, %scale : tensor<8x8xi8>, tensor<1x1xf32> -> !w
    %h = lut.linear %in, %w : tensor<?x8xf32>, !w -> tensor<?x8xf32>
    %router = arith.constant dense<0.25> : tensor<2x8xf32>
    %w13 = arith.constant dense<0.1> : tensor<2x8x8xf32>
    %w2 = arith.constant dense<0.1> : tensor<2x8x4xf32>
    %m = moe.layer %h, %router, %w13, %w2 {routing = #moe.routing<k = 1>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<?x8xf32>, tensor<2x8xf32>, tensor<2x8x8xf32>, tensor<2x8x4xf32>) -> tensor<?x8xf32>
    wf.yield %m : tensor<?x8xf32>
  }
  wf.return %y : tensor<?x8xf32>
}

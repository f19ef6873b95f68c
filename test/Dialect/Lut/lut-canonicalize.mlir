// RUN: loom-opt %s -split-input-file --lut-canonicalize | FileCheck %s

!w = !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 128>>

// CHECK-LABEL: func @batched_with_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x?x256xf32>, %[[W:.*]]: !lut.packed{{.*}}, %[[B:.*]]: tensor<128xf32>)
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1], [2]] : tensor<2x?x256xf32> into tensor<?x256xf32>
// CHECK: %[[Y:.*]] = lut.mpgemm %[[FLAT]], %[[W]] : tensor<?x256xf32>, !lut.packed{{.*}} -> tensor<?x128xf32>
// CHECK: %[[BIASED:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<128xf32>) outs(%[[Y]] : tensor<?x128xf32>)
// CHECK: arith.addf
// CHECK: %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<2x?x256xf32>
// CHECK: tensor.expand_shape %[[BIASED]] {{\[}}[0, 1], [2]] output_shape [2, %[[DIM]], 128] : tensor<?x128xf32> into tensor<2x?x128xf32>
func.func @batched_with_bias(%x: tensor<2x?x256xf32>, %w: !w, %b: tensor<128xf32>) -> tensor<2x?x128xf32> {
  %y = lut.linear %x, %w bias %b : tensor<2x?x256xf32>, !w, tensor<128xf32> -> tensor<2x?x128xf32>
  return %y : tensor<2x?x128xf32>
}

// -----

!w = !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 128>>

// CHECK-LABEL: func @matrix
// CHECK-NOT: tensor.collapse_shape
// CHECK: %[[Y:.*]] = lut.mpgemm %{{.*}}, %{{.*}} : tensor<5x256xf32>, !lut.packed{{.*}} -> tensor<5x128xf32>
// CHECK-NEXT: return %[[Y]]
func.func @matrix(%x: tensor<5x256xf32>, %w: !w) -> tensor<5x128xf32> {
  %y = lut.linear %x, %w : tensor<5x256xf32>, !w -> tensor<5x128xf32>
  return %y : tensor<5x128xf32>
}

// -----

!w = !lut.packed<128x256, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 128>>

// CHECK-LABEL: func @vector
// CHECK: %[[ROW:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [1, 256] : tensor<256xf32> into tensor<1x256xf32>
// CHECK: %[[Y:.*]] = lut.mpgemm %[[ROW]], %{{.*}} : tensor<1x256xf32>
// CHECK: tensor.collapse_shape %[[Y]] {{\[}}[0, 1]] : tensor<1x128xf32> into tensor<128xf32>
func.func @vector(%x: tensor<256xf32>, %w: !w) -> tensor<128xf32> {
  %y = lut.linear %x, %w : tensor<256xf32>, !w -> tensor<128xf32>
  return %y : tensor<128xf32>
}

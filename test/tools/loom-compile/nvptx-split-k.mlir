// REQUIRES: nvptx
// A one-row-block GEMM over four 128-K chunks splits K over four blocks,
// whose f32 sums meet in y through global atomic adds.
// RUN: loom-compile %s --target=nvptx --pipeline-options="dequantize-from-n=0" --emit=ptx -o - | FileCheck %s
// CHECK: .visible .entry split_k_kernel(
// CHECK: atom.global.add.f32
// CHECK: .visible .entry split_k_kernel_0(
// CHECK: atom.global.add.f32
!w = !lut.packed<64x512, #lut.quant<signed, bits = 4, group = 128, scale = f16>, #lut.layout<codes>>
func.func @split_k(%x: tensor<?x512xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<3> : tensor<64x512xi8>
  %s = arith.constant dense<0.5> : tensor<64x4xf16>
  %w = lut.pack %c, %s : tensor<64x512xi8>, tensor<64x4xf16> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x512xf32>, !w -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu="remarks=1" -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu="remarks=1 dequantize-from-n=16 tensor-cores=1 block-columns=1 rows-per-thread=4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FIXED
// RUN: loom-opt %s -split-input-file --convert-lut-to-gpu -o /dev/null 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty

// Each GEMM reports its kernel choices and what made them: the options and
// the roofline's crossover, since no GPU class has a learned model. Only
// when asked.
// QUIET-NOT: remark

!w2 = !lut.packed<512x512, #lut.quant<signed, bits = 2, group = 64, scale = f32>, #lut.layout<codes>>

// Two planes on fp32 FMA: the roofline puts the crossover at 32 tokens.
// M = 512 fills two 128-row spans per thread, and a one-token GEMM of two
// row blocks splits K four ways (one per 128-K chunk).
// CHECK: remarks.mlir:[[@LINE+6]]:8: remark: convert-lut-to-gpu: lookups of 256 rows per block (2 per thread), a token per block below N = 8 and 8 from there, K split 4 ways at one token; from N = 32 the GEMM that decodes its weight slices, on fp32 FMA (the roofline's crossover). No GPU class has a learned model
// FIXED: remarks.mlir:[[@LINE+5]]:8: remark: convert-lut-to-gpu: lookups of 512 rows per block (4 per thread), a token per block, K split 4 ways at one token; from N = 16 the GEMM that decodes its weight slices, on TF32 tensor cores (dequantize-from-n).
func.func @two_planes(%x: tensor<?x512xf32>) -> tensor<?x512xf32> {
  %c = arith.constant dense<1> : tensor<512x512xi8>
  %s = arith.constant dense<0.5> : tensor<512x8xf32>
  %w = lut.pack %c, %s : tensor<512x512xi8>, tensor<512x8xf32> -> !w2
  %y = lut.mpgemm %x, %w : tensor<?x512xf32>, !w2 -> tensor<?x512xf32>
  return %y : tensor<?x512xf32>
}

// -----

!w1 = !lut.packed<128x64, #lut.quant<binary, group = per_channel, scale = f32>, #lut.layout<codes>>

// One plane on fp32 FMA: a lookup per weight and token is cheaper than a
// multiply-add at every N, so the roofline never switches.
// CHECK: remarks.mlir:[[@LINE+6]]:8: remark: convert-lut-to-gpu: lookups of 128 rows per block (1 per thread){{.*}}; the lookups at every N (the roofline's crossover: never).
// FIXED: remarks.mlir:[[@LINE+5]]:8: remark: convert-lut-to-gpu: lookups of 128 rows per block (1 per thread), a token per block; from N = 16 the GEMM
func.func @one_plane(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<1> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<128x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<128x1xf32> -> !w1
  %y = lut.mpgemm %x, %w : tensor<?x64xf32>, !w1 -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

// -----

!t = !lut.packed<64x256, #lut.quant<ternary, group = 128, scale = f32>, #lut.layout<codes>>

// int8 activations keep the exact contract: lookups at every N, no split.
// CHECK: remarks.mlir:[[@LINE+5]]:8: remark: convert-lut-to-gpu: lookups of 128 rows per block (1 per thread), a token per block below N = 8 and 8 from there; int8 activations keep the lookups at every N (exact).
func.func @int8_exact(%x: tensor<?x256xi8>, %s: tensor<?xf32>) -> tensor<?x64xf32> {
  %c = arith.constant dense<2> : tensor<64x256xi8>
  %sw = arith.constant dense<0.5> : tensor<64x2xf32>
  %w = lut.pack %c, %sw : tensor<64x256xi8>, tensor<64x2xf32> -> !t
  %y = lut.mpgemm %x, %w x_scale %s : tensor<?x256xi8>, !t, tensor<?xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

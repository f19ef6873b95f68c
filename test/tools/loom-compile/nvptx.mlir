// REQUIRES: nvptx
// Every kind of lut GEMM kernel (each encoding, zero points and mins, one
// or several scales per row, f16 and bf16 activations and results, K
// that is not a multiple of 32, int8 activations with zero points: the
// exact kernel) as one GPU library.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s --target=nvptx --emit=ptx -o %t/k90.ptx
// RUN: FileCheck %s --input-file=%t/k90.ptx
// RUN: loom-compile %s --target=nvptx --pipeline-options="chip=sm_80" --emit=ptx -o %t/k80.ptx
// RUN: FileCheck %s --check-prefix=SM80 --input-file=%t/k80.ptx
// RUN: loom-compile %s --target=nvptx --emit=ptx -o /dev/null --cost-model-remarks 2>&1 | FileCheck %s --check-prefix=REMARKS

// CHECK: .target sm_90
// Two lookup kernels per GEMM: one token per block (decode) and eight;
// %y1b is %y1 again, computed once.
// The six fp GEMMs of two or more planes also run the grouped GEMM,
// decoding the weights it reads, from the roofline's crossover on
// (binary's one plane never pays it, nor the exact GEMM), with only the
// block shapes of N from there: from 32 (two planes) its wide tile, from
// 30 and 24 (three and four planes) also its narrow and short ones.
// 16 + 3 x 1 + 3 x 3.
// CHECK-COUNT-28: .visible .entry
// CHECK-NOT: .visible .entry
// SM80: .target sm_80
// --cost-model-remarks: each of the eight GEMMs (%y1b is %y1) says what
// chose its kernels; binary's one plane never decodes, the exact GEMM
// keeps its lookups.
// REMARKS: nvptx.mlir:[[@LINE+36]]:9: remark: convert-lut-to-gpu: {{.*}}; the lookups at every N (the roofline's crossover: never). No GPU class has a learned model
// REMARKS: nvptx.mlir:[[@LINE+36]]:9: remark: convert-lut-to-gpu: {{.*}}; from N = 32 the GEMM that decodes its weight slices, on fp32 FMA (the roofline's crossover)
// REMARKS-COUNT-5: remark: convert-lut-to-gpu: {{.*}} the GEMM that decodes its weight slices
// REMARKS: nvptx.mlir:[[@LINE+41]]:9: remark: convert-lut-to-gpu: {{.*}}; int8 activations keep the lookups at every N (exact)
// REMARKS-NOT: remark

!w1 = !lut.packed<32x40, #lut.quant<binary, group = per_channel, scale = f32>, #lut.layout<codes>>
!wt = !lut.packed<33x40, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<codes>>
!w2 = !lut.packed<32x40, #lut.quant<signed, bits = 2, group = 8, scale = f16>, #lut.layout<codes>>
!w3 = !lut.packed<32x40, #lut.quant<signed, bits = 3, group = 8, scale = bf16>, #lut.layout<codes>>
!w4 = !lut.packed<32x40, #lut.quant<signed, bits = 4, group = per_channel, scale = f16>, #lut.layout<codes>>
!u4 = !lut.packed<32x40, #lut.quant<unsigned, bits = 4, group = 8, scale = f16, offset = zero_point>, #lut.layout<codes>>
!u2 = !lut.packed<32x40, #lut.quant<unsigned, bits = 2, group = 8, scale = f32, offset = min>, #lut.layout<codes>>

func.func @gpu(%x: tensor<?x40xf32>, %h: tensor<?x40xf16>, %b: tensor<?x40xbf16>)
    -> (tensor<?x32xf32>, tensor<?x33xf32>, tensor<?x32xf32>, tensor<?x32xf16>,
        tensor<?x32xbf16>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>,
        tensor<?x32xf32>) {
  %c1 = arith.constant dense<1> : tensor<32x40xi8>
  %c2 = arith.constant dense<2> : tensor<33x40xi8>
  %c3 = arith.constant dense<3> : tensor<32x40xi8>
  %sc = arith.constant dense<0.5> : tensor<32x1xf32>
  %st = arith.constant dense<0.5> : tensor<1x1xf32>
  %sg = arith.constant dense<0.5> : tensor<32x5xf16>
  %sb = arith.constant dense<0.5> : tensor<32x5xbf16>
  %sh = arith.constant dense<0.5> : tensor<32x1xf16>
  %sf = arith.constant dense<0.5> : tensor<32x5xf32>
  %z = arith.constant dense<7> : tensor<32x5xi8>
  %m = arith.constant dense<0.25> : tensor<32x5xf32>
  %p1 = lut.pack %c1, %sc : tensor<32x40xi8>, tensor<32x1xf32> -> !w1
  %pt = lut.pack %c2, %st : tensor<33x40xi8>, tensor<1x1xf32> -> !wt
  %p2 = lut.pack %c1, %sg : tensor<32x40xi8>, tensor<32x5xf16> -> !w2
  %p3 = lut.pack %c3, %sb : tensor<32x40xi8>, tensor<32x5xbf16> -> !w3
  %p4 = lut.pack %c3, %sh : tensor<32x40xi8>, tensor<32x1xf16> -> !w4
  %q4 = lut.pack %c3, %sg, %z : tensor<32x40xi8>, tensor<32x5xf16>, tensor<32x5xi8> -> !u4
  %q2 = lut.pack %c1, %sf, %m : tensor<32x40xi8>, tensor<32x5xf32>, tensor<32x5xf32> -> !u2
  %y1 = lut.mpgemm %x, %p1 : tensor<?x40xf32>, !w1 -> tensor<?x32xf32>
  %yt = lut.mpgemm %x, %pt : tensor<?x40xf32>, !wt -> tensor<?x33xf32>
  %y2 = lut.mpgemm %x, %p2 : tensor<?x40xf32>, !w2 -> tensor<?x32xf32>
  %y3 = lut.mpgemm %h, %p3 : tensor<?x40xf16>, !w3 -> tensor<?x32xf16>
  %y4 = lut.mpgemm %b, %p4 : tensor<?x40xbf16>, !w4 -> tensor<?x32xbf16>
  %z4 = lut.mpgemm %x, %q4 : tensor<?x40xf32>, !u4 -> tensor<?x32xf32>
  %z2 = lut.mpgemm %x, %q2 : tensor<?x40xf32>, !u2 -> tensor<?x32xf32>
  %y1b = lut.mpgemm %x, %p1 : tensor<?x40xf32>, !w1 -> tensor<?x32xf32>
  %e4 = lut.mpgemm %x, %q4 {act_quant = #lut.act_quant<i8>} : tensor<?x40xf32>, !u4 -> tensor<?x32xf32>
  return %y1, %yt, %y2, %y3, %y4, %z4, %z2, %y1b, %e4
      : tensor<?x32xf32>, tensor<?x33xf32>, tensor<?x32xf32>, tensor<?x32xf16>,
        tensor<?x32xbf16>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>,
        tensor<?x32xf32>
}

// REQUIRES: nvptx
// MoE layers as one GPU library (convert-moe-to-gpu): a SwiGLU layer
// (routing kernel, aux loss, the dropless assign and its row maps on the
// device, gathered gated GEMM, GEMM fused with its combine and the scatter
// into the tokens), a pre-score sigmoid layer with biases and a capacity
// (its assign on the host; the dispatch and combine kernels), a layer
// whose experts outnumber the routing block's threads, and an f16 layer.
// Their transcendental functions are polynomials: no libdevice call is
// left.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s --target=nvptx --emit=ptx -o %t/moe.ptx
// RUN: FileCheck %s --input-file=%t/moe.ptx
// RUN: FileCheck %s --check-prefix=SMEM --input-file=%t/moe.ptx
// RUN: loom-compile %s --target=nvptx --emit=ptx -o /dev/null --cost-model-remarks 2>&1 | FileCheck %s --check-prefix=REMARKS
// The capacity layer's plan stays on the host, and its GEMMs read their
// segments from there; the dropless layers' GEMMs read the plan kernel's.
// REMARKS-DAG: nvptx-moe.mlir:65:8: remark: convert-moe-to-gpu: this plan stays on the host: a capacity, whose drops the data decide
// REMARKS-DAG: nvptx-moe.mlir:65:8: remark: convert-moe-to-gpu: one launch over 8 experts' segments (their offsets copied from the host)
// REMARKS-DAG: nvptx-moe.mlir:77:8: remark: convert-moe-to-gpu: one launch over 160 experts' segments (their offsets from the plan kernel)

// CHECK: .target sm_90
// 14 + 11 + 13 + 13 kernels: each grouped GEMM has a row-vector kernel
// (under 4 rows per expert), a narrow-tile and a short-tile one (under 32)
// and a wide one; the dropless layers' assign and its maps of the rows'
// tokens (one, shared by the gather and the scatter) and weights are three
// more.
// CHECK-COUNT-51: .visible .entry
// CHECK-NOT: .visible .entry
// CHECK-NOT: __nv_
// The assign stages 512 slots' ids and keeps a running count per expert.
// The row-vector kernel keeps its lanes' partial sums in shared memory
// (256 threads x 4 rows x 2 columns x gate and up); the others stage
// 16-deep slices: the narrow tile's 16 rows and, gated, 2 x 32 weight
// rows; the short tile's 16 rows and 2 x 128 weight rows; the wide tile's
// 64 rows and 2 x 64 weight rows.
// (The aux loss's kernel, before them, holds 8 f64 terms.)
// SMEM: .shared .align 8 .b8 __wg_swiglu_kernel_0_0[64];
// SMEM: .shared .align 4 .b8 __wg_swiglu_kernel_1_0[2048];
// SMEM: .shared .align 4 .b8 __wg_swiglu_kernel_1_1[32];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_3_0[16384];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_4_0[1024];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_4_1[4096];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_5_0[1024];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_5_1[16384];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_6_0[4096];
// SMEM: .shared .align {{[0-9]+}} .b8 __wg_swiglu_kernel_6_1[8192];

func.func @swiglu(%x: tensor<?x48xf32>) -> (tensor<?x48xf32>, tensor<f32>) {
  %wr = arith.constant dense<0.5> : tensor<8x48xf32>
  %w13 = arith.constant dense<0.25> : tensor<8x160x48xf32>
  %w2 = arith.constant dense<0.125> : tensor<8x48x80xf32>
  %y, %aux = moe.layer %x, %wr, %w13, %w2 {
         routing = #moe.routing<k = 2, renormalize>,
         capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>, aux_loss}
       : (tensor<?x48xf32>, tensor<8x48xf32>, tensor<8x160x48xf32>, tensor<8x48x80xf32>) -> (tensor<?x48xf32>, tensor<f32>)
  return %y, %aux : tensor<?x48xf32>, tensor<f32>
}

func.func @pre_score(%x: tensor<?x48xf32>) -> tensor<?x48xf32> {
  %wr = arith.constant dense<0.5> : tensor<8x48xf32>
  %w1 = arith.constant dense<0.25> : tensor<8x80x48xf32>
  %w2 = arith.constant dense<0.125> : tensor<8x48x80xf32>
  %b1 = arith.constant dense<0.1> : tensor<8x80xf32>
  %b2 = arith.constant dense<0.2> : tensor<8x48xf32>
  %y = moe.layer %x, %wr, %w1, %w2 bias_in %b1 bias_out %b2 {
         routing = #moe.routing<k = 2, scoring = sigmoid>,
         capacity = #moe.capacity<factor = 1.25>, ffn = #moe.ffn<gelu, bias_in, bias_out>,
         score_at = #moe.score_at<pre>}
       : (tensor<?x48xf32>, tensor<8x48xf32>, tensor<8x80x48xf32>, tensor<8x48x80xf32>, tensor<8x80xf32>, tensor<8x48xf32>) -> tensor<?x48xf32>
  return %y : tensor<?x48xf32>
}

func.func @many_experts(%x: tensor<?x32xf32>) -> tensor<?x32xf32> {
  %wr = arith.constant dense<0.5> : tensor<160x32xf32>
  %w13 = arith.constant dense<0.25> : tensor<160x32x32xf32>
  %w2 = arith.constant dense<0.125> : tensor<160x32x16xf32>
  %y = moe.layer %x, %wr, %w13, %w2 {
         routing = #moe.routing<k = 4>,
         capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}
       : (tensor<?x32xf32>, tensor<160x32xf32>, tensor<160x32x32xf32>, tensor<160x32x16xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}

func.func @swiglu_f16(%x: tensor<?x48xf16>) -> tensor<?x48xf16> {
  %wr = arith.constant dense<0.5> : tensor<8x48xf16>
  %w13 = arith.constant dense<0.25> : tensor<8x160x48xf16>
  %w2 = arith.constant dense<0.125> : tensor<8x48x80xf16>
  %y = moe.layer %x, %wr, %w13, %w2 {
         routing = #moe.routing<k = 2, renormalize>,
         capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>}
       : (tensor<?x48xf16>, tensor<8x48xf16>, tensor<8x160x48xf16>, tensor<8x48x80xf16>) -> tensor<?x48xf16>
  return %y : tensor<?x48xf16>
}

// REQUIRES: nvptx, fake-cuda
// A dropless MoE layer's driver traffic, against Loom's counting driver
// (test/fake-cuda: every call succeeds, kernels do not run, so no value is
// checked here; the interpreter tests check those). Three calls of one
// token: each copies the input in once and the output and the aux loss
// back, and launches 8 kernels (routing, aux loss, assign, the row maps of
// tokens and weights, the two GEMMs at their row-vector tile, the
// scatter), with no copy between them; the three weights are uploaded
// once for the process.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s --target=nvptx -o %t/libmoe.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.ones((1, 48), np.float32))"
// RUN: env LD_LIBRARY_PATH=%fake_cuda_dir LOOM_FAKE_CUDA_LOG=1 loom-run %t/libmoe.so --input %t/x.npy --repeat 3 2>&1 | FileCheck %s

// CHECK: fake-cuda: launches=24 htod=3 dtoh=6 dtod=0 uploads=3

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

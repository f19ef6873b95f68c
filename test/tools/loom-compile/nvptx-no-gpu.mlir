// REQUIRES: nvptx
// UNSUPPORTED: cuda
// Without a GPU a library compiled for one still loads (its signature reads
// as any other's), and each run fails with LOOM_ERROR_UNSUPPORTED (status 6)
// and the reason, before its inputs are looked at.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %S/nvptx.mlir --target=nvptx -o %t/libgpu.so
// RUN: %python -c "import numpy as np; [np.save('%t/%%s.npy' %% n, np.ones((3, 40), t)) for n, t in (('x', np.float32), ('h', np.float16))]"
// RUN: loom-run %t/libgpu.so --signature | FileCheck %s --check-prefix=SIG
// RUN: not loom-run %t/libgpu.so --input %t/x.npy --input %t/h.npy --input %t/h.npy 2>&1 | FileCheck %s

// SIG: {"entry": "gpu", "inputs": [{"name": "arg0", "dtype": "f32", "shape": [-1, 40]}
// CHECK: loom-run: error: this model runs on an NVIDIA GPU: no CUDA driver (libcuda.so.1 cannot be loaded) (status 6)

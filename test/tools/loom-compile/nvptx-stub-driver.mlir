// REQUIRES: nvptx, cuda-stub
// UNSUPPORTED: cuda
// Against the CUDA toolkit's stub driver (every symbol present, every call
// failing), the runtime binds all the driver functions it uses, by their
// real names, and reports the failed initialization.
// RUN: rm -rf %t && mkdir -p %t && ln -s %cuda_stub %t/libcuda.so.1
// RUN: loom-compile %S/nvptx.mlir --target=nvptx -o %t/libgpu.so
// RUN: %python -c "import numpy as np; [np.save('%t/%%s.npy' %% n, np.ones((3, 40), t)) for n, t in (('x', np.float32), ('h', np.float16))]"
// RUN: env LD_LIBRARY_PATH=%t not loom-run %t/libgpu.so --input %t/x.npy --input %t/h.npy --input %t/h.npy 2>&1 | FileCheck %s

// CHECK-NOT: lacks a function
// CHECK: loom-run: error: this model runs on an NVIDIA GPU: no usable CUDA device ({{.*}}) (status 6)

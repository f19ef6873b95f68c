// A model compiled for instruction sets the machine lacks refuses to run
// with a clear error instead of faulting on the first such instruction: it
// names the first feature missing (avx512fp16 on Zen 4,
// avx512f on an AVX2 machine).
// REQUIRES: host-lacks-avx512fp16
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -mcpu=x86-64-v4 -mattr=+avx512fp16 -o %t/libfp16.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.ones((2, 4), dtype=np.float32))"
// RUN: not loom-run %t/libfp16.so --input %t/x.npy 2>&1 | FileCheck %s
// RUN: loom-compile %s -o %t/libhost.so
// RUN: loom-run %t/libhost.so --input %t/x.npy | FileCheck %s --check-prefix=HOST

// CHECK: loom-run: error: this model was compiled for a CPU with {{avx512[a-z0-9]+}}, which this machine lacks (recompile with loom-compile -mcpu/-mattr for it) (status 6)
// HOST: output 0: f32[2, 4] = 2 2 2 2 2 2 2 2

func.func @double(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %y = arith.addf %x, %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

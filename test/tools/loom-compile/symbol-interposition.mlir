// A model's entry calls its own function by name; a global symbol of the
// same name elsewhere in the process (libxml2, which libLLVM loads, exports
// `reference`) must not take the call over. Here a preloaded library defines
// an aborting `reference` and `_mlir_ciface_reference` (the C trampoline's
// callee).
// RUN: rm -rf %t && mkdir -p %t
// RUN: printf '#include <stdlib.h>\nvoid reference(void) { abort(); }\nvoid _mlir_ciface_reference(void) { abort(); }\n' > %t/impostor.c
// RUN: %cc -shared -fPIC %t/impostor.c -o %t/libimpostor.so
// RUN: loom-compile %s -o %t/libmodel.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.full((2, 4), 2, dtype=np.float32))"
// RUN: env LD_PRELOAD=%t/libimpostor.so loom-run %t/libmodel.so --entry reference --input %t/x.npy | FileCheck %s

// CHECK: output 0: f32[2, 4] = 4 4 4 4 4 4 4 4
func.func @reference(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %y = arith.addf %x, %x : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

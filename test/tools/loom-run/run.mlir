// loom-run: signature, .npy in and out, timing, and located errors.
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -o %t/libscale.so
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.arange(6, dtype=np.float32).reshape(3, 2)); np.save('%t/s.npy', np.array([2.0, -1.0], dtype=np.float32)); np.save('%t/i.npy', np.zeros((3, 2), dtype=np.int32)); np.save('%t/f.npy', np.asfortranarray(np.ones((3, 2), dtype=np.float32)))"
// RUN: loom-run %t/libscale.so --signature | FileCheck %s --check-prefix=SIG
// RUN: loom-run %t/libscale.so --input %t/x.npy --input %t/s.npy --repeat 3 | FileCheck %s --check-prefix=PRINT
// RUN: loom-run %t/libscale.so --input %t/x.npy --input %t/s.npy --output %t/y.npy
// RUN: %python -c "import numpy as np; y = np.load('%t/y.npy'); x = np.arange(6, dtype=np.float32).reshape(3, 2); assert y.dtype == np.float32 and (y == x * np.array([2.0, -1.0], dtype=np.float32)).all(), y"
// RUN: not loom-run %t/libscale.so --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not loom-run %t/libscale.so --input %t/i.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not loom-run %t/libscale.so --input %t/s.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not loom-run %t/libscale.so --input %t/f.npy --input %t/s.npy 2>&1 | FileCheck %s --check-prefix=FORTRAN
// RUN: not loom-run %t/libscale.so --input %t/missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not loom-run %t/nothere.so 2>&1 | FileCheck %s --check-prefix=OPEN
// RUN: not loom-run %t/libscale.so --entry nope 2>&1 | FileCheck %s --check-prefix=ENTRY

// SIG: {"entry": "scale", "inputs": [{"name": "arg0", "dtype": "f32", "shape": [-1, 2]}, {"name": "arg1", "dtype": "f32", "shape": [2]}], "outputs": [{"name": "result0", "dtype": "f32", "shape": [-1, 2]}]}
// PRINT: output 0: f32[3, 2] = 0 -1 4 -3 8 -5
// PRINT: time: 3 run(s), min {{.*}} us, median {{.*}} us, mean {{.*}} us
// COUNT: loom-run: error: scale: expected 2 inputs, got 1 (status 1)
// DTYPE: loom-run: error: scale: input 0 (arg0) has element type i32, expected f32 (status 2)
// RANK: loom-run: error: scale: input 0 (arg0) has rank 1, expected 2 (status 3)
// FORTRAN: loom-run: error: {{.*}}f.npy: Fortran-ordered arrays are not supported
// MISSING: loom-run: error: cannot open {{.*}}missing.npy
// OPEN: loom-run: error: {{.*}}nothere.so: cannot open shared object file
// ENTRY: loom-run: error: no entry point named 'nope'

func.func @scale(%x: tensor<?x2xf32>, %s: tensor<2xf32>) -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x2xf32>
  %init = tensor.empty(%n) : tensor<?x2xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x, %s : tensor<?x2xf32>, tensor<2xf32>) outs(%init : tensor<?x2xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

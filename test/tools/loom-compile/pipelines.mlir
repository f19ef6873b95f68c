// The default CPU pipeline takes the table-lookup path for bitplane weights;
// its result agrees with the reference pipeline's within lut.md's table_i8
// bound (loose here: 2% of the largest output).
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s --emit=mlir --compile-to=loops | FileCheck %s --check-prefix=LOOPS
// RUN: loom-compile %s -o %t/libcpu.so
// RUN: loom-compile %s --pipeline=reference -o %t/libref.so --mlir-timing 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: %python -c "import numpy as np; rng = np.random.default_rng(1); np.save('%t/x.npy', rng.uniform(-1, 1, (3, 64)).astype(np.float32)); np.save('%t/c.npy', rng.integers(0, 3, (128, 64)).astype(np.int8))"
// RUN: loom-run %t/libcpu.so --input %t/x.npy --input %t/c.npy --output %t/cpu.npy
// RUN: loom-run %t/libref.so --input %t/x.npy --input %t/c.npy --output %t/ref.npy
// RUN: %python -c "import numpy as np; a, b = np.load('%t/cpu.npy'), np.load('%t/ref.npy'); err = np.abs(a - b).max() / np.abs(b).max(); assert 0 < err < 0.02, err; print('agree', err < 0.02)" | FileCheck %s --check-prefix=AGREE

// LOOPS: memref.alloc({{.*}}) {{.*}} : memref<?x16x16xi8>
// LOOPS: vector.fma {{.*}} : vector<16xf32>
// AGREE: agree True
// TIMING: Execution time report
// TIMING: ConvertLutToLoops

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemm(%x: tensor<?x64xf32>, %c: tensor<128x64xi8>) -> tensor<?x128xf32> {
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

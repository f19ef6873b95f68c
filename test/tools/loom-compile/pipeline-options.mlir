// loom-compile passes --pipeline-options to loom-cpu-pipeline: the vector
// kernels' schedule, held for every GEMM with cost-model=none (what
// `bench/run lut --sweep` varies; by default loom-decide chooses per GEMM),
// and an isa that overrides the target's.
// RUN: loom-compile %s -mcpu=x86-64-v4 --emit=mlir --compile-to=loops | FileCheck %s --check-prefix=DEFAULT
// RUN: loom-compile %s -mcpu=x86-64-v4 --emit=mlir --compile-to=loops --pipeline-options="cost-model=none column-tile=1 prefetch-distance=0" | FileCheck %s --check-prefix=TILE1
// RUN: loom-compile %s -mcpu=x86-64-v4 --emit=mlir --compile-to=loops --pipeline-options="isa=generic" | FileCheck %s --check-prefix=GENERIC
// RUN: not loom-compile %s --emit=mlir --pipeline-options="column-tile=two" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not loom-compile %s --emit=mlir --pipeline=reference --pipeline-options="column-tile=1" 2>&1 | FileCheck %s --check-prefix=REF

// DEFAULT: scf.for {{.*}} -> (vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>, vector<32xi16>)
// DEFAULT: memref.prefetch
// TILE1-NOT: memref.prefetch
// TILE1-NOT: vector<32xi16>, vector<32xi16>, vector<32xi16>
// TILE1: lut.x86.pshufb
// GENERIC-NOT: lut.x86.pshufb
// BAD: loom-compile: error: bad loom-cpu-pipeline options 'column-tile=two'
// REF: loom-compile: error: loom-cpu-pipeline options do not apply to the reference pipeline

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemm(%x: tensor<?x64xf32>) -> tensor<?x128xf32> {
  %c = arith.constant dense<2> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<?x64xf32>, !w -> tensor<?x128xf32>
  return %y : tensor<?x128xf32>
}

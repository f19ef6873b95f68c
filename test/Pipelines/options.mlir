// loom-cpu-pipeline refuses an option no pass of it would check: one read
// only by a pass that does not run (loom-decide under cost-model=none,
// the fixed tile's vector dim without linalg-tile-sizes), and a cost model
// that names nothing.
// RUN: not loom-opt %s --loom-cpu-pipeline="cost-model=none weights=disk" -o /dev/null 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// RUN: not loom-opt %s --loom-cpu-pipeline="linalg-vector-dim=q" -o /dev/null 2>&1 | FileCheck %s --check-prefix=VECTOR-DIM
// RUN: not loom-opt %s --loom-cpu-pipeline="cost-model=fastest" -o /dev/null 2>&1 | FileCheck %s --check-prefix=COST-MODEL
// RUN: not loom-compile %s -mcpu=x86-64-v4 --pipeline-options="cost-model=none weights=disk" -o /dev/null 2>&1 | FileCheck %s --check-prefix=COMPILE
// RUN: loom-opt %s --loom-cpu-pipeline="cost-model=none weights=cache linalg-vector-dim=k" -o /dev/null

// WEIGHTS: loom-cpu-pipeline: weights must be dram or cache, got 'disk'
// VECTOR-DIM: loom-cpu-pipeline: linalg-vector-dim must be n or k, got 'q'
// COST-MODEL: loom-cpu-pipeline: cost-model must be auto, roofline, none or a directory of models, got 'fastest'
// COMPILE: loom-cpu-pipeline: weights must be dram or cache, got 'disk'

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemv(%x: tensor<1x64xf32>) -> tensor<1x128xf32> {
  %c = arith.constant dense<2> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<1x64xf32>, !w -> tensor<1x128xf32>
  return %y : tensor<1x128xf32>
}

// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512-vbmi" --mlir-print-ir-after=loom-decide -o /dev/null 2>&1 | FileCheck %s --check-prefix=DRAM
// RUN: loom-opt %s --mlir-disable-threading --loom-cpu-pipeline="isa=avx512-vbmi weights=cache" --mlir-print-ir-after=loom-decide -o /dev/null 2>&1 | FileCheck %s --check-prefix=CACHE
// RUN: not loom-opt %s --loom-cpu-pipeline="weights=disk" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: rm -rf %t && mkdir -p %t
// RUN: loom-compile %s -mcpu=x86-64-v4 --emit=mlir --compile-to=loops --pipeline-options="weights=cache" --dump-decisions=%t/cache.json -o /dev/null
// RUN: FileCheck %s --check-prefix=COMPILE < %t/cache.json

// loom-cpu-pipeline's `weights` reaches loom-decide: the shipped model
// prefetches a GEMV's weight stream from DRAM, not from the caches
// (test/Transforms/loom-decide.mlir has the pass's own cases).
// DRAM-LABEL: func.func @gemv
// DRAM: lut.mpgemm {{.*}}prefetch = {{[1-9][0-9]*}} : i64}, source = "learned"
// CACHE-LABEL: func.func @gemv
// CACHE: lut.mpgemm {{.*}}prefetch = 0 : i64}, source = "learned"
// loom-compile --pipeline-options says it too.
// COMPILE: "attribute": "#loom.decision<\"lut.gemm\", {column_tile = 1 : i64, prefetch = 0 : i64}, source = \"learned\"
// BAD: loom-cpu-pipeline: weights must be dram or cache, got 'disk'

!w = !lut.packed<128x64, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane>>
func.func @gemv(%x: tensor<1x64xf32>) -> tensor<1x128xf32> {
  %c = arith.constant dense<1> : tensor<128x64xi8>
  %s = arith.constant dense<0.5> : tensor<1x1xf32>
  %w = lut.pack %c, %s : tensor<128x64xi8>, tensor<1x1xf32> -> !w
  %y = lut.mpgemm %x, %w : tensor<1x64xf32>, !w -> tensor<1x128xf32>
  return %y : tensor<1x128xf32>
}

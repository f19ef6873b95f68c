// Each failure class has its own exit code and a located message.
// RUN: rm -rf %t && split-file %s %t
// RUN: not loom-compile %t/parse.mlir -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: loom-compile %t/parse.mlir -o %t/lib.so; test $? -eq 2
// RUN: not loom-compile %t/verify.mlir -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=VERIFY
// RUN: loom-compile %t/verify.mlir -o %t/lib.so; test $? -eq 3
// RUN: not loom-compile %t/lower.mlir -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=LOWER
// RUN: loom-compile %t/lower.mlir -o %t/lib.so; test $? -eq 4
// RUN: not loom-compile %t/entry.mlir -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not loom-compile %t/none.mlir -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not loom-compile %t/entry.mlir --target=rocm -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not loom-compile %t/good.mlir --emit=ptx -o %t/k.ptx 2>&1 | FileCheck %s --check-prefix=PTX-CPU
// RUN: not loom-compile %t/good.mlir --target=nvptx --emit=ptx -o %t/k.ptx 2>&1 | FileCheck %s --check-prefix=PTX-NONE
// RUN: not loom-compile %t/good.mlir --target=nvptx --pipeline=reference -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=GPU-REF
// RUN: not loom-compile %t/good.mlir --target=nvptx --pipeline-options="bogus=1" -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=GPU-OPTS
// RUN: loom-compile %t/missing.mlir -o %t/lib.so; test $? -eq 1
// RUN: not loom-compile %t/good.mlir --mcpu=zen9 -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: loom-compile %t/good.mlir --mcpu=zen9 -o %t/lib.so; test $? -eq 1
// RUN: not loom-compile %t/good.mlir --mattr=+avx2,avx512f --emit=mlir 2>&1 | FileCheck %s --check-prefix=FEATURE
// RUN: not loom-compile %t/good.mlir --mattr=+no-such-feature -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=UNKNOWN-FEATURE
// RUN: not loom-compile %t/good.mlir --load-decisions=%t/absent.json -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=DECISIONS
// RUN: env LOOM_CXX=false loom-compile %t/good.mlir -o %t/lib.so; test $? -eq 6
// RUN: env LOOM_CXX=false not loom-compile %t/good.mlir -o %t/lib.so 2>&1 | FileCheck %s --check-prefix=LINK

// PARSE: parse.mlir:2:10: error: invalid SSA name
// VERIFY: verify.mlir:2:8: error: 'lut.mpgemm' op x has K = 32 but the weight has K = 64
// LOWER: lower.mlir:4:8: error: 'wf.compute' op passes a 'tensor<?xf32>' between nodes, which has a dynamic shape
// ENTRY: entry.mlir:1:1: error: entry point 'takes_text' has arg0 of type '!wf.text': entry points take and return ranked tensors
// NONE: none.mlir:0:0: error: no entry point: the model needs a public func.func or wf.graph
// TARGET: loom-compile: error: target 'rocm' is not one of cpu, nvptx
// PTX-CPU: loom-compile: error: --emit=ptx needs --target=nvptx
// PTX-NONE: loom-compile: error: the model has no GPU kernels (no lut.mpgemm that convert-lut-to-gpu lowers)
// GPU-REF: loom-compile: error: the reference pipeline, --cost-model and decision files apply to the cpu target only
// GPU-OPTS: loom-compile: error: bad loom-gpu-pipeline options 'bogus=1'
// LINK: loom-compile: error: linking {{.*}}lib.so with false failed
// CPU: loom-compile: error: 'zen9' is not a CPU of x86_64
// CPU-NOT: warning
// FEATURE: loom-compile: error: 'avx512f' is not a feature of x86_64{{.*}} (features are +name or -name)
// UNKNOWN-FEATURE: loom-compile: error: '+no-such-feature' is not a feature of x86_64
// DECISIONS: good.mlir:0:0: error: moe-select-strategy: reading {{.*}}absent.json: No such file or directory
// DECISIONS-NOT: see current operation

//--- parse.mlir
func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %
}
//--- verify.mlir
func.func @f(%x: tensor<4x32xf32>, %w: !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>>) {
  %y = lut.mpgemm %x, %w : tensor<4x32xf32>, !lut.packed<128x64, #lut.quant<signed, bits = 2, group = 32>, #lut.layout<bitplane>> -> tensor<4x128xf32>
  return
}
//--- lower.mlir
wf.model @m
wf.graph @g(%x: tensor<?xf32>) -> f64 {
  %t = wf.llm @m [#wf.seg<text "hi">] () {max_tokens = 4 : i64} : () -> !wf.text
  %s = wf.compute(%x) : (tensor<?xf32>) -> f64 {
  ^bb0(%a: tensor<?xf32>):
    %c = arith.constant 1.0 : f64
    wf.yield %c : f64
  }
  wf.return %s : f64
}
//--- entry.mlir
wf.graph @takes_text(%q: !wf.text) -> !wf.text {
  wf.return %q : !wf.text
}
//--- none.mlir
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
//--- good.mlir
func.func @id(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

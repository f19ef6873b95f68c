// RUN: loom-opt %s -split-input-file --wf-schedule="isa=generic" 2>/dev/null | FileCheck %s --check-prefix=GENERIC
// RUN: loom-opt %s -split-input-file --wf-schedule="isa=generic" 2>&1 >/dev/null | FileCheck %s --check-prefix=GENERIC-REMARK
// RUN: loom-opt %s -split-input-file --wf-schedule="isa=avx512 cost-model=roofline" 2>/dev/null | FileCheck %s --check-prefix=AVX512
// RUN: loom-opt %s -split-input-file --wf-schedule="isa=avx512 cost-model=roofline" 2>&1 >/dev/null | FileCheck %s --check-prefix=AVX512-REMARK
// RUN: not loom-opt %s --wf-schedule="isa=riscv" 2>&1 | FileCheck %s --check-prefix=BAD

// A compute node costs the cost model's wf.latency, here the analytical one
// (no model is shipped for the generic target class; cost-model=roofline
// for avx512): the roofline time of its body's work, op by op, on one core
// of the isa — generic's built-in figures, avx512's from the class's
// shipped calibration (models/x86_64-avx512/target.json: 550 G byte
// lookups, 152 G f32 FMA lanes, 38.6 GB from DRAM per second). Here a
// 4096 x 4096 ternary lut.linear at N = 64 (4096 rows x 1024 groups x 2
// planes x 64 columns = 537 M byte lookups: 11.18 ms at 16 lookups per
// cycle at 3 GHz, 0.98 ms calibrated), then an add over 64 x 4096 f32
// (3.1 MB through DRAM: 0.08 ms at 40 GB/s); packing constant weights is
// the compiler's work. Its rank (11.26 + 18.35 ms for the call after it)
// puts it ahead of the other call: 29613 µs against 18450; calibrated,
// 0.98 + 0.08 + 18.35 ms.
// GENERIC-REMARK: remark: makespan_est = 36.8 ms, critical_path = 29.6 ms, lower_bound = 36.8 ms, compute nodes by roofline
// GENERIC-LABEL: wf.graph @project_then_ask
// GENERIC: wf.compute{{.*}}wf.sched = #wf.sched<priority = 29613, stage = 0, group = -1>
// GENERIC-NOT: arith.addf {{.*}}wf.sched
// GENERIC: wf.llm {{.*}}wf.sched = #wf.sched<priority = 18450, stage = 0, group = -1>
// AVX512-REMARK: remark: makespan_est = 36.8 ms, critical_path = 19.4 ms, lower_bound = 36.8 ms
// AVX512-LABEL: wf.graph @project_then_ask
// AVX512: wf.compute{{.*}}wf.sched = #wf.sched<priority = 19407, stage = 0, group = -1>
// BAD: error: wf-schedule: unknown isa 'riscv' (have avx512-vbmi, avx512-vnni, avx512, avx2, generic)
!w = !lut.packed<4096x4096, #lut.quant<ternary, group = per_tensor, scale = f32>>
wf.model @m {max_concurrency = 1 : i64}
wf.graph @project_then_ask(%x: tensor<64x4096xf32>) -> !wf.text {
  %y = wf.compute(%x) : (tensor<64x4096xf32>) -> tensor<64x4096xf32> {
  ^bb0(%in: tensor<64x4096xf32>):
    %codes = arith.constant dense<1> : tensor<4096x4096xi8>
    %scale = arith.constant dense<0.1> : tensor<1x1xf32>
    %w = lut.pack %codes, %scale : tensor<4096x4096xi8>, tensor<1x1xf32> -> !w
    %h = lut.linear %in, %w : tensor<64x4096xf32>, !w -> tensor<64x4096xf32>
    %s = arith.addf %h, %in : tensor<64x4096xf32>
    wf.yield %s : tensor<64x4096xf32>
  }
  %t = wf.format [#wf.seg<text "x = ">, #wf.seg<operand 0>] (%y) : (tensor<64x4096xf32>) -> !wf.text
  %a = wf.llm @m [#wf.seg<operand 0>] (%t) {max_tokens = 1 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<text "other">] () {max_tokens = 1 : i64} : () -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%a, %b) : (!wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

// -----

// A moe.layer node: T = 16 tokens, 8 experts, top-2, d = 256, SwiGLU h =
// 512; about 7.9 active experts read (3 x 512 x 256 f32 each = 1.5 MB):
// 12.5 MB through DRAM (0.31 ms at 40 GB/s, 0.32 ms at the calibrated
// 38.6) against 12.6 M FMAs (0.52 ms at 4 lanes x 2 x 3 GHz, generic;
// 0.08 ms at the calibrated AVX-512 152 G/s).
// GENERIC-REMARK: remark: makespan_est = 0.5 ms, critical_path = 0.5 ms, lower_bound = 0.5 ms
// GENERIC-LABEL: wf.graph @experts
// GENERIC: wf.compute{{.*}}wf.sched = #wf.sched<priority = 525, stage = 0, group = -1>
// AVX512-REMARK: remark: makespan_est = 0.3 ms, critical_path = 0.3 ms, lower_bound = 0.3 ms
// AVX512-LABEL: wf.graph @experts
// AVX512: wf.compute{{.*}}wf.sched = #wf.sched<priority = 323, stage = 0, group = -1>
wf.graph @experts(%x: tensor<16x256xf32>) -> tensor<16x256xf32> {
  %y = wf.compute(%x) : (tensor<16x256xf32>) -> tensor<16x256xf32> {
  ^bb0(%in: tensor<16x256xf32>):
    %router = arith.constant dense<0.01> : tensor<8x256xf32>
    %w13 = arith.constant dense<0.01> : tensor<8x1024x256xf32>
    %w2 = arith.constant dense<0.01> : tensor<8x256x512xf32>
    %m = moe.layer %in, %router, %w13, %w2 {routing = #moe.routing<k = 2>, capacity = #moe.capacity<factor = 0.0>, ffn = #moe.ffn<swiglu>} : (tensor<16x256xf32>, tensor<8x256xf32>, tensor<8x1024x256xf32>, tensor<8x256x512xf32>) -> tensor<16x256xf32>
    wf.yield %m : tensor<16x256xf32>
  }
  wf.return %y : tensor<16x256xf32>
}

// -----

// A compute node that calls the model's functions costs their bodies: two
// calls of @double (a 1024 x 1024 f32 add: 12 MB through DRAM, 0.31 ms at
// 40 GB/s, 0.33 ms at the calibrated 38.6, against 1 M adds in 0.04 ms)
// cost 0.63 ms (generic) and 0.65 ms (avx512).
// GENERIC-REMARK: remark: makespan_est = 0.6 ms, critical_path = 0.6 ms, lower_bound = 0.6 ms
// GENERIC-LABEL: wf.graph @calls
// GENERIC: wf.compute{{.*}}wf.sched = #wf.sched<priority = 629, stage = 0, group = -1>
// AVX512-REMARK: remark: makespan_est = 0.7 ms, critical_path = 0.7 ms, lower_bound = 0.7 ms
func.func private @double(%a: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %d = arith.addf %a, %a : tensor<1024x1024xf32>
  return %d : tensor<1024x1024xf32>
}
wf.graph @calls(%x: tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  %y = wf.compute(%x) : (tensor<1024x1024xf32>) -> tensor<1024x1024xf32> {
  ^bb0(%in: tensor<1024x1024xf32>):
    %a = func.call @double(%in) : (tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
    %b = func.call @double(%a) : (tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
    wf.yield %b : tensor<1024x1024xf32>
  }
  wf.return %y : tensor<1024x1024xf32>
}

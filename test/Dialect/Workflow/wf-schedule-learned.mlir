// RUN: loom-opt %s --wf-schedule="isa=avx512-vnni" 2>/dev/null | FileCheck %s --check-prefix=LEARNED
// RUN: loom-opt %s --wf-schedule="isa=avx512-vnni" 2>&1 >/dev/null | FileCheck %s --check-prefix=LEARNED-REMARK
// RUN: loom-opt %s --wf-schedule="isa=avx512-vnni cost-model=roofline" 2>/dev/null | FileCheck %s --check-prefix=ROOFLINE
// RUN: loom-opt %s --wf-schedule="isa=avx512-vnni cpu=emeraldrapids" 2>/dev/null | FileCheck %s --check-prefix=CPU
// RUN: loom-opt %s --wf-schedule="isa=avx512-vnni cpu=emeraldrapids" 2>&1 >/dev/null | FileCheck %s --check-prefix=CPU-REMARK
// RUN: loom-opt %s --wf-schedule="isa=avx2" 2>&1 >/dev/null | FileCheck %s --check-prefix=NO-MODEL
// RUN: rm -rf %t && mkdir -p %t/x86_64-avx512
// RUN: cp %loom_src/models/x86_64-avx512/wf.latency.json %loom_src/models/x86_64-avx512/wf.latency.meta.json %t/x86_64-avx512/
// RUN: not loom-opt %s --wf-schedule="isa=avx512-vnni cost-model=%t" 2>&1 | FileCheck %s --check-prefix=UNCALIBRATED
// RUN: cp %loom_src/models/x86_64-avx512/target.json %t/x86_64-avx512/
// RUN: loom-opt %s --wf-schedule="isa=avx512-vnni cost-model=%t" 2>/dev/null | FileCheck %s --check-prefix=LEARNED
// RUN: %python -c "import json; p = '%t/x86_64-avx512/wf.latency.meta.json'; m = json.load(open(p)); m['schema_hash'] = '0' * 16; json.dump(m, open(p, 'w'))"
// RUN: not loom-opt %s --wf-schedule="isa=avx512-vnni cost-model=%t" 2>&1 | FileCheck %s --check-prefix=STALE
// RUN: not loom-opt %s --wf-schedule="cost-model=/no/such/models" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: rm -rf %t.bad && mkdir -p %t.bad/x86_64-avx512 && echo '{"format": 2}' > %t.bad/x86_64-avx512/target.json
// RUN: not loom-opt %s --wf-schedule="isa=avx512-vnni cost-model=%t.bad" 2>&1 | FileCheck %s --check-prefix=BAD-CALIBRATION

// wf.latency's learned model: a regression of log2 seconds over the
// roofline's, trained on compute nodes loom-tune timed cold. Two nodes, a
// 1024 x 2048 ternary lut.linear at N = 16 and two elementwise ops over
// 64 x 8192 f32, took 123 and 121 us in `loom-tune collect` (two passes);
// the roofline of the class's calibrated peaks prices them at 30 and
// 325 us (the lut kernel runs at a quarter of vpshufb's peak; the
// elementwise ops are charged DRAM's 38.6 GB/s, and their streams run
// faster), the shipped model at 121 and 119 us. Each node's priority is
// its estimate (both are outputs).
// LEARNED-LABEL: wf.graph @two_nodes
// LEARNED: wf.compute{{.*}}wf.sched = #wf.sched<priority = 121, stage = 0, group = -1>
// LEARNED: wf.compute{{.*}}wf.sched = #wf.sched<priority = 119, stage = 0, group = -1>
// LEARNED-REMARK: remark: makespan_est = 0.1 ms, critical_path = 0.1 ms, lower_bound = 0.1 ms, compute nodes by x86_64-avx512/wf.latency@{{[0-9a-f]+}}
// An Emerald Rapids Xeon has a class and a model of its own (its DRAM
// streams 14.4 GB/s to a core, against 38.6): there the same two nodes
// took 257 and 362 us in `loom-tune collect`, which its model prices at
// 268 and 516 us (the AMD model: 121 and 119).
// CPU-LABEL: wf.graph @two_nodes
// CPU: wf.compute{{.*}}wf.sched = #wf.sched<priority = 268, stage = 0, group = -1>
// CPU: wf.compute{{.*}}wf.sched = #wf.sched<priority = 516, stage = 0, group = -1>
// CPU-REMARK: compute nodes by x86_64-avx512-emeraldrapids/wf.latency@{{[0-9a-f]+}}
// ROOFLINE-LABEL: wf.graph @two_nodes
// ROOFLINE: wf.compute{{.*}}wf.sched = #wf.sched<priority = 30, stage = 0, group = -1>
// ROOFLINE: wf.compute{{.*}}wf.sched = #wf.sched<priority = 325, stage = 0, group = -1>
// A model directory carries the calibration its models were featurized
// with; without its target.json the built-in figures apply, and the
// shipped model is stale under them.
// UNCALIBRATED: error: wf-schedule: {{.*}}wf.latency is stale: its roofline features were computed with the target.json@{{[0-9a-f]+}} throughputs, the compiler's are built-in
// No model is shipped for avx2: the analytical estimate.
// NO-MODEL: compute nodes by roofline
// STALE: error: wf-schedule: {{.*}}wf.latency is stale: trained on schema hash 0000000000000000
// BAD: error: wf-schedule: cost-model must be auto, roofline or a directory of models, got '/no/such/models'
// A directory's calibration that does not apply is an error, naming it.
// BAD-CALIBRATION: error: wf-schedule: {{.*}}x86_64-avx512/target.json: expected format 1
!w = !lut.packed<1024x2048, #lut.quant<ternary, group = per_tensor, scale = f32>>
wf.graph @two_nodes(%x: tensor<16x2048xf32>, %e: tensor<64x8192xf32>) -> (tensor<16x1024xf32>, tensor<64x8192xf32>) {
  %y = wf.compute(%x) : (tensor<16x2048xf32>) -> tensor<16x1024xf32> {
  ^bb0(%in: tensor<16x2048xf32>):
    %codes = arith.constant dense<1> : tensor<1024x2048xi8>
    %scale = arith.constant dense<0.1> : tensor<1x1xf32>
    %w = lut.pack %codes, %scale : tensor<1024x2048xi8>, tensor<1x1xf32> -> !w
    %h = lut.linear %in, %w : tensor<16x2048xf32>, !w -> tensor<16x1024xf32>
    wf.yield %h : tensor<16x1024xf32>
  }
  %z = wf.compute(%e) : (tensor<64x8192xf32>) -> tensor<64x8192xf32> {
  ^bb0(%in: tensor<64x8192xf32>):
    %a = arith.mulf %in, %in : tensor<64x8192xf32>
    %b = arith.addf %a, %in : tensor<64x8192xf32>
    wf.yield %b : tensor<64x8192xf32>
  }
  wf.return %y, %z : tensor<16x1024xf32>, tensor<64x8192xf32>
}

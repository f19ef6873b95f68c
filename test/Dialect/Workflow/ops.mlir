// RUN: loom-opt %s -split-input-file | FileCheck %s
// RUN: loom-opt %s -split-input-file --mlir-print-op-generic | loom-opt -split-input-file | FileCheck %s

// Parrot's map-reduce summarization (wf.md §3).
// CHECK: wf.model @m{{$}}
// CHECK: wf.param @map_prompt : !wf.text = "Summarize this part in 3 sentences." {kind = #wf.param_kind<prompt>, trainable}
// CHECK-LABEL: wf.graph @map_reduce
// CHECK-SAME: (%[[DOC:.*]]: !wf.text) -> !wf.text attributes {objective = #wf.objective<latency>}
// CHECK: %[[CHUNKS:.*]] = wf.split %[[DOC]] {chunk_tokens = 1000 : i64} : !wf.text -> !wf.list<!wf.text>
// CHECK: wf.map %[[CHUNKS]] : !wf.list<!wf.text> -> !wf.list<!wf.text> {
// CHECK: wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<text "\0A\0A">, #wf.seg<operand 0>](%{{.*}}) {max_tokens = 50 : i64, temperature = 0.000000e+00 : f64} : (!wf.text) -> !wf.text
// CHECK: wf.join %{{.*}} {sep = "\0A"} : !wf.list<!wf.text> -> !wf.text
// CHECK: wf.feedback %[[SUM:.*]] : !wf.text
// CHECK: wf.return %[[SUM]] : !wf.text
wf.model @m {max_concurrency = 64 : i64, max_batched_tokens = 2048 : i64, max_context = 8192 : i64}
wf.param @map_prompt : !wf.text = "Summarize this part in 3 sentences." {kind = #wf.param_kind<prompt>, trainable}
wf.param @reduce_prompt : !wf.text = "Combine the partial summaries." {kind = #wf.param_kind<prompt>, trainable}
wf.graph @map_reduce(%doc: !wf.text) -> !wf.text attributes {objective = #wf.objective<latency>} {
  %chunks = wf.split %doc {chunk_tokens = 1000 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks {max_parallel = 16 : i64} : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<text "\n\n">, #wf.seg<operand 0>] (%c) {max_tokens = 50 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  %sum = wf.llm @m [#wf.seg<param @reduce_prompt>, #wf.seg<text "\n\n">, #wf.seg<operand 0>] (%joined) {max_tokens = 50 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
  wf.feedback %sum : !wf.text
  wf.return %sum : !wf.text
}

// -----

// Trace's (x*2 + y*3) + 1 with native code nodes and i64 hparams.
// CHECK: wf.param @x : i64 = 5 : i64 {kind = #wf.param_kind<hparam>, trainable}
// CHECK: wf.code_def @multiply : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_multiply"}
// CHECK-LABEL: wf.graph @trace_example
// CHECK: %[[X:.*]] = wf.param.get @x : i64
// CHECK: %[[TWO:.*]] = wf.const {wf.name = "int"} 2 : i64
// CHECK: wf.code @multiply(%[[X]], %[[TWO]]) : (i64, i64) -> i64
wf.param @x : i64 = 5 {kind = #wf.param_kind<hparam>, trainable}
wf.param @y : i64 = 3 {kind = #wf.param_kind<hparam>, trainable}
wf.code_def @multiply : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_multiply"}
wf.code_def @add : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_add"}
wf.graph @trace_example() -> i64 {
  %x = wf.param.get @x : i64
  %two = wf.const {wf.name = "int"} 2 : i64
  %a = wf.code @multiply(%x, %two) : (i64, i64) -> i64
  %y = wf.param.get @y : i64
  %three = wf.const {wf.name = "int"} 3 : i64
  %b = wf.code @multiply(%y, %three) : (i64, i64) -> i64
  %s = wf.code @add(%a, %b) : (i64, i64) -> i64
  %one = wf.const {wf.name = "int"} 1 : i64
  %r = wf.code @add(%s, %one) : (i64, i64) -> i64
  wf.feedback %r : i64
  wf.return %r : i64
}

// -----

// Tools with tokens and retries, catch, replicate, if, while, checkpoint,
// tensor compute and sub-graph calls.
// CHECK: wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>, idempotent, retry = #wf.retry<max_attempts = 3, backoff_ms = 200>, timeout_ms = 1000 : i64}
// CHECK-LABEL: wf.graph @agent
// CHECK: %[[R:.*]]:2 = wf.tool @post(%{{.*}}) after(%{{.*}}) : (!wf.text) -> (!wf.text, !wf.token)
// CHECK: wf.catch %{{.*}} : !wf.text fallback {
// CHECK: wf.replicate 4 {seed_base = 100 : i64} : !wf.list<!wf.text> {
// CHECK: wf.if %{{.*}} -> !wf.text {
// CHECK: wf.while(%{{.*}}) {max_iters = 6 : i64} : (i64) -> i64 cond {
// CHECK: wf.condition %{{.*}}, %{{.*}} : i64
// CHECK: wf.checkpoint "done"(%{{.*}}) after(%[[R]]#1) : (!wf.text)
// CHECK: wf.compute(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32> {
// CHECK: wf.call @helper(%{{.*}}) : (!wf.text) -> !wf.text
wf.model @m {max_context = 4096 : i64}
wf.param @temp : f64 = 0.7 {kind = #wf.param_kind<hparam>, range = [0.0, 1.5]}
wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 1000 : i64, retry = #wf.retry<max_attempts = 3, backoff_ms = 200>, idempotent}
wf.graph @helper(%a: !wf.text) -> !wf.text {
  wf.return %a : !wf.text
}
wf.graph @agent(%q: !wf.text, %t0: !wf.token, %v: tensor<4xf32>) -> (!wf.text, tensor<4xf32>) {
  %r, %t1 = wf.tool @post(%q) after(%t0) : (!wf.text) -> (!wf.text, !wf.token)
  %safe = wf.catch %r : !wf.text fallback {
  ^bb0(%err: !wf.text):
    wf.yield %err : !wf.text
  }
  %samples = wf.replicate 4 {seed_base = 100 : i64} : !wf.list<!wf.text> {
  ^bb0(%i: i64):
    %a = wf.llm @m [#wf.seg<operand 0>] (%safe) {max_tokens = 32 : i64, temperature = #wf.param_ref<@temp>} : (!wf.text) -> !wf.text
    wf.yield %a : !wf.text
  }
  %joined = wf.join %samples : !wf.list<!wf.text> -> !wf.text
  %c = wf.const true
  %pick = wf.if %c -> !wf.text {
    wf.yield %joined : !wf.text
  } else {
    wf.yield %safe : !wf.text
  }
  %zero = wf.const 0 : i64
  %n = wf.while (%zero) {max_iters = 6 : i64} : (i64) -> i64 cond {
  ^bb0(%s: i64):
    %f = wf.const false
    wf.condition %f, %s : i64
  } body {
  ^bb0(%s: i64):
    wf.yield %s : i64
  }
  %t2 = wf.checkpoint "done" (%pick) after(%t1) : (!wf.text)
  %w = wf.compute(%v) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %s = arith.addf %x, %x : tensor<4xf32>
    wf.yield %s : tensor<4xf32>
  }
  %h = wf.call @helper(%pick) : (!wf.text) -> !wf.text
  wf.return %h, %w : !wf.text, tensor<4xf32>
}

// -----

// A batch of a call and an extension (wf-batch's output form).
// CHECK-LABEL: wf.graph @batched
// CHECK: %[[R:.*]]:2 = wf.llm.batch @m : !wf.text, !wf.text {
// CHECK-NEXT: %[[A:.*]] = wf.llm @m
// CHECK-NEXT: %[[B:.*]] = wf.llm.extend
// CHECK-NEXT: wf.yield %[[A]], %[[B]] : !wf.text, !wf.text
// CHECK: wf.join
wf.model @m
wf.graph @batched(%x: !wf.text, %y: !wf.text) -> !wf.text {
  %ctx = wf.ctx.prefill @m [#wf.seg<text "You are terse. ">] () : () -> !wf.ctx<@m>
  %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    %b = wf.llm.extend %ctx [#wf.seg<operand 0>] (%y) {max_tokens = 8 : i64} : (!wf.ctx<@m>, !wf.text) -> !wf.text
    wf.yield %a, %b : !wf.text, !wf.text
  }
  %l = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%r#0, %r#1) : (!wf.text, !wf.text) -> !wf.text
  %j = wf.split %l {chunk_tokens = 4 : i64} : !wf.text -> !wf.list<!wf.text>
  %s = wf.join %j : !wf.list<!wf.text> -> !wf.text
  wf.return %s : !wf.text
}

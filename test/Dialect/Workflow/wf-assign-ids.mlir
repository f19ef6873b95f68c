// RUN: loom-opt %s -split-input-file --wf-assign-ids | FileCheck %s
// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-assign-ids | FileCheck %s

// Ids are given once: a second run keeps them (second RUN line).

// Trace's (x*2 + y*3) + 1 (wf.md §7.4): ids x:0 int:0 multiply:0 y:0 int:1
// multiply:1 add:0 int:2 add:1 — parameters numbered where first read,
// literals by their wf.name, code nodes by their callee.
// CHECK-LABEL: wf.graph @trace_example
// CHECK-SAME: attributes {wf.params = {x = "x:0", y = "y:0"}}
// CHECK: wf.param.get @x {wf.id = "x:0"}
// CHECK: wf.const {wf.id = "int:0", wf.name = "int"} 2
// CHECK: wf.code @multiply{{.*}} {wf.id = "multiply:0"}
// CHECK: wf.param.get @y {wf.id = "y:0"}
// CHECK: wf.const {wf.id = "int:1", wf.name = "int"} 3
// CHECK: wf.code @multiply{{.*}} {wf.id = "multiply:1"}
// CHECK: wf.code @add{{.*}} {wf.id = "add:0"}
// CHECK: wf.const {wf.id = "int:2", wf.name = "int"} 1
// CHECK: wf.code @add{{.*}} {wf.id = "add:1"}
// CHECK: wf.feedback
// CHECK-NOT: wf.id
// CHECK: wf.return
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

// Arguments (by wf.name, else arg<i>), prompt parameters referenced by
// template segments (numbered before the op that reads them), and region
// bodies in pre-order: the map (a collect node) before the llm in its body.
// CHECK-LABEL: wf.graph @map_reduce
// CHECK-SAME: (%{{.*}}: !wf.text {wf.id = "doc:0", wf.name = "doc"}, %{{.*}}: !wf.text {wf.id = "arg1:0"})
// CHECK-SAME: wf.params = {map_prompt = "map_prompt:0", reduce_prompt = "reduce_prompt:0"}
// CHECK: wf.split {{.*}}wf.id = "split:0"
// CHECK: wf.map {{.*}}wf.id = "map:0"
// CHECK: wf.llm @m {{.*}}wf.id = "llm:0"
// CHECK: wf.join {{.*}}wf.id = "join:0"
// CHECK: wf.format {{.*}}wf.id = "format:0"
// CHECK: wf.llm @m {{.*}}wf.id = "summary:0"
wf.model @m {max_concurrency = 64 : i64, max_batched_tokens = 2048 : i64, max_context = 8192 : i64}
wf.param @map_prompt : !wf.text = "Summarize this part in 3 sentences." {kind = #wf.param_kind<prompt>, trainable}
wf.param @reduce_prompt : !wf.text = "Combine the partial summaries." {kind = #wf.param_kind<prompt>, trainable}
wf.graph @map_reduce(%doc: !wf.text {wf.name = "doc"}, %style: !wf.text) -> !wf.text {
  %chunks = wf.split %doc {chunk_tokens = 1000 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks {max_parallel = 16 : i64} : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<operand 0>] (%c) {max_tokens = 50 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  %styled = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%joined, %style) : (!wf.text, !wf.text) -> !wf.text
  %sum = wf.llm @m [#wf.seg<param @reduce_prompt>, #wf.seg<operand 0>] (%styled) {max_tokens = 50 : i64, temperature = 0.0 : f64, wf.name = "summary"} : (!wf.text) -> !wf.text
  wf.feedback %sum : !wf.text
  wf.return %sum : !wf.text
}

// -----

// Tools take their callee as base; wf.catch (an alias) and wf.checkpoint
// are not nodes.
// CHECK-LABEL: wf.graph @agent
// CHECK: wf.tool @post{{.*}}wf.id = "post:0"
// CHECK: wf.catch
// CHECK-NOT: wf.id
// CHECK: wf.llm @m {{.*}}wf.id = "llm:0"
// CHECK: wf.checkpoint
// CHECK-NOT: wf.id
// CHECK: wf.return
wf.model @m {max_context = 4096 : i64}
wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 1000 : i64}
wf.graph @agent(%q: !wf.text, %t0: !wf.token) -> !wf.text {
  %r, %t1 = wf.tool @post(%q) after(%t0) : (!wf.text) -> (!wf.text, !wf.token)
  %safe = wf.catch %r : !wf.text fallback {
  ^bb0(%err: !wf.text):
    %fix = wf.llm @m [#wf.seg<operand 0>] (%err) {max_tokens = 16 : i64} : (!wf.text) -> !wf.text
    wf.yield %fix : !wf.text
  }
  %done = wf.checkpoint "done"(%safe) after(%t1) : (!wf.text)
  wf.return %safe : !wf.text
}

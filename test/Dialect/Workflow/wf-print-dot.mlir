// RUN: loom-opt %s -split-input-file --wf-print-dot -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-print-dot -o /dev/null 2>&1 | FileCheck %s
// RUN: loom-opt %s -split-input-file --wf-print-dot="output-file=%t.dot" -o /dev/null && FileCheck %s --check-prefix=FILE < %t.dot
// RUN: not loom-opt %s -split-input-file --wf-print-dot="output-file=%t.missing/g.dot" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADFILE
// BADFILE: error: wf-print-dot: cannot open output file

// Trace's (x*2 + y*3) + 1: trainable parameters in gold, code nodes green,
// data edges in operand order, the feedback output double-bordered, the
// return a sink. Ids are wf-assign-ids's, assigned or computed on the fly.
// CHECK-LABEL: digraph "trace_example" {
// CHECK-DAG: "x:0" [label="x:0\ntrainable parameter", shape=note, fillcolor=gold];
// CHECK-DAG: "y:0" [label="y:0\ntrainable parameter", shape=note, fillcolor=gold];
// CHECK-DAG: "int:0" [label="int:0", fillcolor=white];
// CHECK-DAG: "multiply:0" [label="multiply:0", fillcolor=palegreen];
// CHECK-DAG: "add:1" [label="add:1", fillcolor=palegreen];
// CHECK-DAG: "add:1" [peripheries=2];
// CHECK-DAG: "return" [shape=Msquare, fillcolor=white];
// CHECK: "x:0" -> "multiply:0";
// CHECK-NEXT: "int:0" -> "multiply:0";
// CHECK-NEXT: "y:0" -> "multiply:1";
// CHECK-NEXT: "int:1" -> "multiply:1";
// CHECK-NEXT: "multiply:0" -> "add:0";
// CHECK-NEXT: "multiply:1" -> "add:0";
// CHECK-NEXT: "add:0" -> "add:1";
// CHECK-NEXT: "int:2" -> "add:1";
// CHECK-NEXT: "add:1" -> "return";
// CHECK-NEXT: }
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

// A map body is a cluster whose nodes read the element through the map's
// input; its yield feeds the collect node map:0 (edges are the trace
// instance graph's parents, so the list reaches map:0 only through them). Template parameters are
// parents; LLM nodes are blue with their model, the tool orange, its token
// edge dashed; a wf.catch result stands for its input; wf-schedule's stages
// label the nodes and share a rank.
// CHECK-LABEL: digraph "agent" {
// CHECK-DAG: "arg0:0" [label="arg0:0\nargument", shape=ellipse];
// CHECK-DAG: "prompt:0" [label="prompt:0\nparameter", shape=note, fillcolor=lightyellow];
// CHECK-DAG: subgraph "cluster_map:0" {
// CHECK-DAG: subgraph "cluster_catch#0" {
// CHECK-DAG: "llm:0" [label="llm:0\nm\nstage 1", fillcolor=lightskyblue];
// CHECK-DAG: "post:0" [label="post:0\nstage 0", fillcolor=orange];
// CHECK-DAG: "map:0" [label="map:0\nstage 2", fillcolor=khaki];
// CHECK-DAG: "split:0" [label="split:0\nstage 0", fillcolor=lightgrey];
// CHECK-DAG: "post:0" -> "split:0";
// CHECK-DAG: "arg1:0" -> "post:0" [style=dashed];
// CHECK-DAG: "split:0" -> "llm:0";
// CHECK-DAG: "prompt:0" -> "llm:0";
// CHECK-DAG: "llm:0" -> "map:0";
// CHECK-NOT: "split:0" -> "map:0"
// CHECK-DAG: "map:0" -> "join:0";
// CHECK-DAG: { rank=same; "post:0"; "split:0"; }
// (Each split of the file rewrites the output file: it holds this graph.)
// FILE: digraph "agent" {
// FILE: "llm:0" [label="llm:0\nm\nstage 1", fillcolor=lightskyblue];
wf.model @m {max_context = 4096 : i64}
wf.param @prompt : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>}
wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 1000 : i64}
wf.graph @agent(%q: !wf.text, %t0: !wf.token) -> !wf.text {
  %r, %t1 = wf.tool @post(%q) after(%t0) {wf.sched = #wf.sched<priority = 0, stage = 0, group = 0>} : (!wf.text) -> (!wf.text, !wf.token)
  %safe = wf.catch %r : !wf.text fallback {
  ^bb0(%err: !wf.text):
    wf.yield %err : !wf.text
  }
  %chunks = wf.split %safe {chunk_tokens = 100 : i64, wf.sched = #wf.sched<priority = 0, stage = 0, group = 0>} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks {wf.sched = #wf.sched<priority = 0, stage = 2, group = 0>} : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<param @prompt>, #wf.seg<operand 0>] (%c) {max_tokens = 16 : i64, wf.sched = #wf.sched<priority = 0, stage = 1, group = 0>} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  wf.return %joined : !wf.text
}

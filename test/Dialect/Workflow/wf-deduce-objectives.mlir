// RUN: loom-opt %s -split-input-file --wf-deduce-objectives | FileCheck %s

// Map-reduce (latency graph): the map body's calls are one throughput
// group; the reduce call, which the graph returns, and what it reads are
// latency nodes, except the split, which only feeds the group.
// CHECK-LABEL: wf.graph @map_reduce
// CHECK: wf.split {{.*}}wf.objective = #wf.objective<throughput>
// CHECK: wf.map {{.*}}wf.objective = #wf.objective<latency>
// CHECK: wf.llm @m {{.*}}wf.group = 0 : i64, wf.objective = #wf.objective<throughput>
// CHECK: wf.join {{.*}}wf.objective = #wf.objective<latency>
// CHECK: wf.llm @m {{.*}}max_tokens = 50 : i64, wf.objective = #wf.objective<latency>
wf.model @m {max_context = 8192 : i64}
wf.graph @map_reduce(%doc: !wf.text) -> !wf.text attributes {objective = #wf.objective<latency>} {
  %chunks = wf.split %doc {chunk_tokens = 1000 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<operand 0>] (%c) {max_tokens = 40 : i64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  %sum = wf.llm @m [#wf.seg<operand 0>] (%joined) {max_tokens = 50 : i64} : (!wf.text) -> !wf.text
  wf.return %sum : !wf.text
}

// -----

// Two independent calls read by one template form a group; a call that
// depends on another does not join it; a node nothing reads takes the
// graph's objective.
// CHECK-LABEL: wf.graph @fan_in
// CHECK: %[[A:.*]] = wf.llm {{.*}}max_tokens = 10 : i64, wf.group = 0 : i64, wf.objective = #wf.objective<throughput>
// CHECK: %[[B:.*]] = wf.llm {{.*}}max_tokens = 11 : i64, wf.group = 0 : i64, wf.objective = #wf.objective<throughput>
// CHECK: wf.format {{.*}}wf.objective = #wf.objective<latency>
// CHECK: %[[C:.*]] = wf.llm {{.*}}max_tokens = 12 : i64, wf.objective = #wf.objective<latency>
// CHECK-NOT: wf.group
// CHECK: wf.llm {{.*}}max_tokens = 13 : i64, wf.objective = #wf.objective<latency>
// CHECK: wf.llm {{.*}}max_tokens = 14 : i64, wf.objective = #wf.objective<latency>
wf.model @m {max_context = 8192 : i64}
wf.graph @fan_in(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 10 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 11 : i64} : (!wf.text) -> !wf.text
  %ab = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%a, %b) : (!wf.text, !wf.text) -> !wf.text
  %c = wf.llm @m [#wf.seg<operand 0>] (%ab) {max_tokens = 12 : i64} : (!wf.text) -> !wf.text
  %d = wf.llm @m [#wf.seg<operand 0>] (%c) {max_tokens = 13 : i64} : (!wf.text) -> !wf.text
  %cd = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%c, %d) : (!wf.text, !wf.text) -> !wf.text
  %unread = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 14 : i64} : (!wf.text) -> !wf.text
  wf.return %cd : !wf.text
}

// -----

// A throughput graph: every node is throughput; a replicate's samples are
// a group.
// CHECK-LABEL: wf.graph @serve
// CHECK: wf.replicate {{.*}}wf.objective = #wf.objective<throughput>
// CHECK: wf.llm {{.*}}wf.group = 0 : i64, wf.objective = #wf.objective<throughput>
// CHECK: wf.join {{.*}}wf.objective = #wf.objective<throughput>
wf.model @m {max_context = 8192 : i64}
wf.graph @serve(%q: !wf.text) -> !wf.text attributes {objective = #wf.objective<throughput>} {
  %samples = wf.replicate 4 {seed_base = 1 : i64} : !wf.list<!wf.text> {
  ^bb0(%i: i64):
    %s = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.7 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %all = wf.join %samples {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  wf.return %all : !wf.text
}

// -----

// A reviewer reads a design and two reports built on it: the reports,
// independent of each other, are the group, though the design is not
// independent of them; the design stays latency, since the (latency)
// reviewer reads it directly.
// CHECK-LABEL: wf.graph @review
// CHECK: wf.llm {{.*}}max_tokens = 20 : i64, wf.objective = #wf.objective<latency>
// CHECK: wf.llm {{.*}}max_tokens = 21 : i64, wf.group = 0 : i64, wf.objective = #wf.objective<throughput>
// CHECK: wf.llm {{.*}}max_tokens = 22 : i64, wf.group = 0 : i64, wf.objective = #wf.objective<throughput>
// CHECK: wf.llm {{.*}}max_tokens = 23 : i64, wf.objective = #wf.objective<latency>
wf.model @m {max_context = 8192 : i64}
wf.graph @review(%task: !wf.text) -> !wf.text {
  %design = wf.llm @m [#wf.seg<operand 0>] (%task) {max_tokens = 20 : i64} : (!wf.text) -> !wf.text
  %r1 = wf.llm @m [#wf.seg<text "1">, #wf.seg<operand 0>] (%design) {max_tokens = 21 : i64} : (!wf.text) -> !wf.text
  %r2 = wf.llm @m [#wf.seg<text "2">, #wf.seg<operand 0>] (%design) {max_tokens = 22 : i64} : (!wf.text) -> !wf.text
  %v = wf.llm @m [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>] (%design, %r1, %r2) {max_tokens = 23 : i64} : (!wf.text, !wf.text, !wf.text) -> !wf.text
  wf.return %v : !wf.text
}

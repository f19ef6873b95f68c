// RUN: loom-opt %s -split-input-file -wf-batch | FileCheck %s
// RUN: loom-opt %s -split-input-file -wf-batch=max-batch=2 | FileCheck %s --check-prefix=PAIRS
// RUN: not loom-opt %s -split-input-file -wf-batch=max-batch=-3 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: wf-batch: max-batch must be 0 (the model's max_concurrency) or a count, got -3
// BAD-NOT: see current operation
// The trace does not change (wf.md C8): batch results are their members'.
// RUN: loom-opt %s -split-input-file -wf-assign-ids -wf-extract-trace -o /dev/null > %t.plain
// RUN: loom-opt %s -split-input-file -wf-assign-ids -wf-batch -wf-extract-trace -o /dev/null > %t.batched
// RUN: diff %t.plain %t.batched
// RUN: FileCheck %s --input-file=%t.batched --check-prefix=TRACE

// Calls ready together batch; another max_tokens, another model or
// another frontier keep them apart.
// CHECK-LABEL: wf.graph @fan_out
// CHECK: %[[B:.*]]:3 = wf.llm.batch @m : !wf.text, !wf.text, !wf.text {
// CHECK-NEXT: wf.llm @m [#wf.seg<text "a: ">, #wf.seg<operand 0>]
// CHECK-NEXT: wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>]
// CHECK-NEXT: wf.llm @m [#wf.seg<text "c: ">, #wf.seg<operand 0>]
// CHECK-NEXT: wf.yield
// CHECK: wf.llm @m [#wf.seg<text "d: ">, #wf.seg<operand 0>](%{{.*}}) {max_tokens = 9 : i64}
// CHECK: wf.llm @n
// CHECK: %[[J:.*]] = wf.format {{.*}}](%[[B]]#0, %[[B]]#1, %[[B]]#2,
// CHECK: wf.llm @m {{.*}}(%[[J]])
// PAIRS-LABEL: wf.graph @fan_out
// PAIRS: wf.llm.batch @m : !wf.text, !wf.text {
// PAIRS-NOT: wf.llm.batch
// PAIRS: wf.return
// TRACE-LABEL: "fan_out"
// TRACE: "llm1 = llm(arg0=arg00, p=p0)",
wf.model @m {max_concurrency = 8 : i64}
wf.model @n
wf.param @p : !wf.text = "b: " {kind = #wf.param_kind<prompt>, trainable}
wf.graph @fan_out(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<text "a: ">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %c = wf.llm @m [#wf.seg<text "c: ">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %d = wf.llm @m [#wf.seg<text "d: ">, #wf.seg<operand 0>] (%q) {max_tokens = 9 : i64} : (!wf.text) -> !wf.text
  %e = wf.llm @n [#wf.seg<text "e: ">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>, #wf.seg<operand 3>, #wf.seg<operand 4>] (%a, %b, %c, %d, %e) : (!wf.text, !wf.text, !wf.text, !wf.text, !wf.text) -> !wf.text
  %s = wf.llm @m [#wf.seg<text "sum: ">, #wf.seg<operand 0>] (%j) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  wf.feedback %s : !wf.text
  wf.return %s : !wf.text
}

// -----

// A member's input defined after the first member, and a use of the first
// member before the last: the block is reordered so that both hold.
// CHECK-LABEL: wf.graph @reorder
// CHECK: %[[P:.*]] = wf.format [#wf.seg<text "prefix ">
// CHECK: %[[B:.*]]:2 = wf.llm.batch @m
// CHECK-NEXT: wf.llm @m [#wf.seg<operand 0>](%arg0)
// CHECK-NEXT: wf.llm @m [#wf.seg<operand 0>](%[[P]])
// CHECK: wf.format [#wf.seg<text "seen ">, #wf.seg<operand 0>](%[[B]]#0)
wf.model @m {max_concurrency = 8 : i64}
wf.graph @reorder(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %seen = wf.format [#wf.seg<text "seen ">, #wf.seg<operand 0>] (%a) : (!wf.text) -> !wf.text
  %p = wf.format [#wf.seg<text "prefix ">, #wf.seg<operand 0>] (%q) : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<operand 0>] (%p) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%seen, %b) : (!wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

// -----

// A call reading a tool's result is ready later than one reading the
// graph's input; two calls reading results of different calls at equal
// depth are not ready together either.
// CHECK-LABEL: wf.graph @frontiers
// CHECK-NOT: wf.llm.batch
// CHECK: wf.return
wf.model @m {max_concurrency = 8 : i64}
wf.tool_def @search : (!wf.text) -> !wf.text {effects = #wf.effects<read>}
wf.graph @frontiers(%q: !wf.text) -> !wf.text {
  %r = wf.tool @search(%q) : (!wf.text) -> !wf.text
  %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<operand 0>] (%r) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %c = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %d = wf.llm @m [#wf.seg<operand 0>] (%b) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%c, %d) : (!wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

// -----

// Templating takes no time: calls reading one tool's result, directly or
// through formats, and the graph's input, are ready together.
// CHECK-LABEL: wf.graph @shared_frontier
// CHECK: wf.tool @search
// CHECK: wf.llm.batch @m : !wf.text, !wf.text {
wf.model @m {max_concurrency = 8 : i64}
wf.tool_def @search : (!wf.text) -> !wf.text {effects = #wf.effects<read>}
wf.graph @shared_frontier(%q: !wf.text) -> !wf.text {
  %r = wf.tool @search(%q) : (!wf.text) -> !wf.text
  %x = wf.format [#wf.seg<text "x ">, #wf.seg<operand 0>] (%r) : (!wf.text) -> !wf.text
  %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<operand 0>, #wf.seg<operand 1>] (%r, %q) {max_tokens = 8 : i64} : (!wf.text, !wf.text) -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%a, %b) : (!wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

// -----

// max_batched_tokens caps a batch's static prompt tokens (a cost hint
// replaces the count); a call over the cap alone stays alone.
// CHECK-LABEL: wf.graph @token_cap
// CHECK: wf.llm.batch @m : !wf.text, !wf.text {
// CHECK-NEXT: "0123456789ab"
// CHECK-NEXT: "cdefghijklmn"
// CHECK: wf.llm.batch @m : !wf.text, !wf.text {
// CHECK-NEXT: "opqrstuvwxyz"
// CHECK-NEXT: prefill = 2
// CHECK-NOT: wf.llm.batch
// CHECK: prefill = 100
wf.model @m {max_concurrency = 8 : i64, max_batched_tokens = 6 : i64}
wf.graph @token_cap(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<text "0123456789ab">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<text "cdefghijklmn">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %c = wf.llm @m [#wf.seg<text "opqrstuvwxyz">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %d = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 8 : i64, cost = #wf.cost<prefill = 2, decode = 8>} : (!wf.text) -> !wf.text
  %e = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 8 : i64, cost = #wf.cost<prefill = 100, decode = 8>} : (!wf.text) -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>, #wf.seg<operand 3>, #wf.seg<operand 4>] (%a, %b, %c, %d, %e) : (!wf.text, !wf.text, !wf.text, !wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

// -----

// Extensions of a shared context batch; objectives keep classes apart; a
// map body batches within each iteration.
// CHECK-LABEL: wf.graph @extensions
// CHECK: wf.llm.batch @m : !wf.text, !wf.text {
// CHECK-NEXT: wf.llm.extend {{.*}}"q1"
// CHECK-NEXT: wf.llm.extend {{.*}}"q2"
// CHECK: wf.llm.extend {{.*}}"q3"{{.*}}wf.objective = #wf.objective<latency>
// CHECK: wf.map
// CHECK: wf.llm.batch @m : !wf.text, !wf.text {
// CHECK-NEXT: "first "
// CHECK-NEXT: "second "
wf.model @m {max_concurrency = 8 : i64}
wf.graph @extensions(%l: !wf.list<!wf.text>) -> !wf.text {
  %ctx = wf.ctx.prefill @m [#wf.seg<text "You are terse. ">] () : () -> !wf.ctx<@m>
  %a = wf.llm.extend %ctx [#wf.seg<text "q1">] () {max_tokens = 8 : i64, wf.objective = #wf.objective<throughput>} : (!wf.ctx<@m>) -> !wf.text
  %b = wf.llm.extend %ctx [#wf.seg<text "q2">] () {max_tokens = 8 : i64, wf.objective = #wf.objective<throughput>} : (!wf.ctx<@m>) -> !wf.text
  %c = wf.llm.extend %ctx [#wf.seg<text "q3">] () {max_tokens = 8 : i64, wf.objective = #wf.objective<latency>} : (!wf.ctx<@m>) -> !wf.text
  %m = wf.map %l : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%e: !wf.text):
    %x = wf.llm @m [#wf.seg<text "first ">, #wf.seg<operand 0>] (%e) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    %y = wf.llm @m [#wf.seg<text "second ">, #wf.seg<operand 0>] (%e) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    %xy = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%x, %y) : (!wf.text, !wf.text) -> !wf.text
    wf.yield %xy : !wf.text
  }
  %s = wf.join %m : !wf.list<!wf.text> -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>, #wf.seg<operand 3>] (%a, %b, %c, %s) : (!wf.text, !wf.text, !wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

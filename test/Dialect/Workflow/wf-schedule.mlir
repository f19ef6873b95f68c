// RUN: loom-opt %s -split-input-file --wf-schedule -verify-diagnostics | FileCheck %s
// RUN: not loom-opt %s -split-input-file --wf-schedule=prefill-ms-per-token=nan -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not loom-opt %s -split-input-file --wf-schedule=list-length=-1 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: wf-schedule: prefill-ms-per-token and decode-ms-per-token must be finite and >= 0, arg-tokens and list-length >= 0

// Two chains into one join, one model slot. Costs (0.1 ms per prompt
// token, 18.25 ms per output token): a = 36.6, b = 18.35, c = 18.35. Ranks
// (priority, µs): b 36700 > a 36600 > c 18350; the list schedule runs b,
// a, c one at a time: 73.3 ms, which is also the model's work.
// CHECK-LABEL: wf.graph @two_chains
// CHECK: max_tokens = 2 : i64, wf.sched = #wf.sched<priority = 36600, stage = 0, group = -1>
// CHECK: max_tokens = 1 : i64, wf.sched = #wf.sched<priority = 36700, stage = 0, group = -1>
// CHECK: max_tokens = 1 : i64, wf.sched = #wf.sched<priority = 18350, stage = 1, group = -1>
// CHECK: wf.format {{.*}}wf.sched = #wf.sched<priority = 0, stage = 2, group = -1>
wf.model @m {max_concurrency = 1 : i64}
// expected-remark @below {{makespan_est = 73.3 ms, critical_path = 36.7 ms, lower_bound = 73.3 ms}}
wf.graph @two_chains(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<text "aaaa">] () {max_tokens = 2 : i64} : () -> !wf.text
  %b = wf.llm @m [#wf.seg<text "bbbb">] () {max_tokens = 1 : i64} : () -> !wf.text
  %c = wf.llm @m [#wf.seg<operand 0>] (%b) {max_tokens = 1 : i64} : (!wf.text) -> !wf.text
  %j = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%a, %c) : (!wf.text, !wf.text) -> !wf.text
  wf.return %j : !wf.text
}

// -----

// A map body's call ranks with what follows the map (join, then a 100 ms
// tool): 73.1 + 100 ms. The map costs its body's critical path, all
// iterations at once.
// CHECK-LABEL: wf.graph @mapped
// CHECK: wf.map {{.*}}wf.sched = #wf.sched<priority = 173100, stage = 0, group = 3>
// CHECK: wf.llm {{.*}}wf.sched = #wf.sched<priority = 173100, stage = 0, group = -1>
// CHECK: wf.join {{.*}}wf.sched = #wf.sched<priority = 100000, stage = 1, group = -1>
// CHECK: wf.tool @t{{.*}}wf.sched = #wf.sched<priority = 100000, stage = 2, group = -1>
wf.model @m {max_concurrency = 4 : i64}
wf.tool_def @t : (!wf.text) -> !wf.text {effects = #wf.effects<read>, sim_ms = 100.0 : f64}
// expected-remark @below {{makespan_est = 173.1 ms, critical_path = 173.1 ms, lower_bound = 173.1 ms}}
wf.graph @mapped(%l: !wf.list<!wf.text>) -> !wf.text {
  %r = wf.map %l {wf.group = 3 : i64} : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%x: !wf.text):
    %y = wf.llm @m [#wf.seg<text "abcd">] () {max_tokens = 4 : i64} : () -> !wf.text
    wf.yield %y : !wf.text
  }
  %j = wf.join %r : !wf.list<!wf.text> -> !wf.text
  %t = wf.tool @t(%j) : (!wf.text) -> !wf.text
  wf.return %t : !wf.text
}

// RUN: loom-opt %s -split-input-file --wf-cse | FileCheck %s
// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-cse | FileCheck %s --check-prefix=ORIGIN

// Identical deterministic nodes merge: the greedy LLM calls (temperature
// 0), the seeded ones, the constants and the deterministic tool; the
// sampled calls (temperature > 0, no seed), the non-deterministic tool and
// nodes that differ in an attribute stay apart.
// CHECK-LABEL: wf.graph @merge
// CHECK-COUNT-1: wf.const "Q: "
// CHECK-NOT: wf.const "Q: "
// CHECK: %[[A:.*]] = wf.llm @m [#wf.seg<operand 0>](%{{.*}}) {max_tokens = 16 : i64, temperature = 0.000000e+00 : f64}
// CHECK-NEXT: %[[S:.*]] = wf.llm @m {{.*}}seed = 7
// CHECK-NEXT: %[[R1:.*]] = wf.llm @m {{.*}}temperature = 8.000000e-01
// CHECK-NEXT: %[[R2:.*]] = wf.llm @m {{.*}}temperature = 8.000000e-01
// CHECK-NEXT: %[[L:.*]] = wf.llm @m {{.*}}max_tokens = 32
// CHECK-NEXT: %[[D:.*]] = wf.tool @define(%{{.*}})
// CHECK-NEXT: %[[W1:.*]] = wf.tool @weather(%{{.*}})
// CHECK-NEXT: %[[W2:.*]] = wf.tool @weather(%{{.*}})
// CHECK-NEXT: wf.format {{.*}}(%[[A]], %[[A]], %[[S]], %[[S]], %[[R1]], %[[R2]], %[[L]], %[[D]], %[[D]], %[[W1]], %[[W2]])
// ORIGIN-LABEL: wf.graph @merge
// ORIGIN: wf.const {wf.id = "const:0", wf.origin = ["const:0", "const:1"]} "Q: "
// ORIGIN: wf.llm {{.*}}wf.id = "llm:0", wf.origin = ["llm:0", "llm:1"]
// ORIGIN: wf.tool @define{{.*}}wf.id = "define:0", wf.origin = ["define:0", "define:1"]
wf.model @m {max_context = 4096 : i64}
wf.tool_def @define : (!wf.text) -> !wf.text {effects = #wf.effects<read>, deterministic, timeout_ms = 100 : i64}
wf.tool_def @weather : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64}
wf.graph @merge(%q: !wf.text) -> !wf.text {
  %c1 = wf.const "Q: " : !wf.text
  %c2 = wf.const "Q: " : !wf.text
  %a1 = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
  %a2 = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
  %s1 = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.8 : f64, seed = 7 : i64} : (!wf.text) -> !wf.text
  %s2 = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.8 : f64, seed = 7 : i64} : (!wf.text) -> !wf.text
  %r1 = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.8 : f64} : (!wf.text) -> !wf.text
  %r2 = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.8 : f64} : (!wf.text) -> !wf.text
  %l = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 32 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
  %d1 = wf.tool @define(%c1) : (!wf.text) -> !wf.text
  %d2 = wf.tool @define(%c2) : (!wf.text) -> !wf.text
  %w1 = wf.tool @weather(%q) : (!wf.text) -> !wf.text
  %w2 = wf.tool @weather(%q) : (!wf.text) -> !wf.text
  %all = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>, #wf.seg<operand 3>, #wf.seg<operand 4>, #wf.seg<operand 5>, #wf.seg<operand 6>, #wf.seg<operand 7>, #wf.seg<operand 8>, #wf.seg<operand 9>, #wf.seg<operand 10>] (%a1, %a2, %s1, %s2, %r1, %r2, %l, %d1, %d2, %w1, %w2) : (!wf.text, !wf.text, !wf.text, !wf.text, !wf.text, !wf.text, !wf.text, !wf.text, !wf.text, !wf.text, !wf.text) -> !wf.text
  wf.return %all : !wf.text
}

// -----

// A node in a body merges with an equal one around it, not the other way
// round: the body's node does not dominate what follows the map.
// CHECK-LABEL: wf.graph @scopes
// CHECK: %[[OUT:.*]] = wf.const "x"
// CHECK: wf.map
// CHECK-NOT: wf.const "x"
// CHECK: wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>](%{{.*}}, %[[OUT]])
// CHECK: wf.const "y"
// CHECK: wf.yield
// CHECK-NEXT: }
// CHECK-NEXT: %{{.*}} = wf.const "y"
wf.graph @scopes(%l: !wf.list<!wf.text>) -> (!wf.list<!wf.text>, !wf.text) {
  %x = wf.const "x" : !wf.text
  %r = wf.map %l : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%e: !wf.text):
    %x2 = wf.const "x" : !wf.text
    %f = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%e, %x2) : (!wf.text, !wf.text) -> !wf.text
    %y = wf.const "y" : !wf.text
    %g = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%f, %y) : (!wf.text, !wf.text) -> !wf.text
    wf.yield %g : !wf.text
  }
  %y2 = wf.const "y" : !wf.text
  wf.return %r, %y2 : !wf.list<!wf.text>, !wf.text
}

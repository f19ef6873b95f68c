// RUN: loom-opt %s -split-input-file --wf-canonicalize | FileCheck %s
// RUN: loom-opt %s -split-input-file --canonicalize | FileCheck %s --check-prefix=UPSTREAM

// Upstream canonicalization deduplicates constants by their folded value:
// wf.const folds to it, so different texts stay apart (without the folder,
// every text constant had the same key and all were merged into one).
// UPSTREAM-LABEL: wf.graph @templates
// UPSTREAM-DAG: wf.const "Q: "
// UPSTREAM-DAG: wf.const "\0AA:"
// UPSTREAM-DAG: wf.const "about cats."

// Constant text operands fold into the templates (later operand indices
// shift), adjacent text merges, and the constants go.
// CHECK-LABEL: wf.graph @templates
// CHECK-NOT: wf.const
// CHECK: %[[P:.*]] = wf.format [#wf.seg<text "Q: ">, #wf.seg<operand 0>, #wf.seg<text "\0AA:">](%arg0) : (!wf.text) -> !wf.text
// CHECK: wf.llm @m [#wf.seg<param @sys>, #wf.seg<text "Context: about cats. ">, #wf.seg<operand 0>, #wf.seg<operand 1>](%[[P]], %arg1)
wf.model @m {max_context = 4096 : i64}
wf.param @sys : !wf.text = "You answer briefly." {kind = #wf.param_kind<prompt>}
wf.graph @templates(%q: !wf.text, %r: !wf.text) -> !wf.text {
  %qp = wf.const "Q: " : !wf.text
  %ap = wf.const "\nA:" : !wf.text
  %p = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>] (%qp, %q, %ap) : (!wf.text, !wf.text, !wf.text) -> !wf.text
  %ctx = wf.const "about cats." : !wf.text
  %a = wf.llm @m [#wf.seg<param @sys>, #wf.seg<text "Context: ">, #wf.seg<operand 0>, #wf.seg<text " ">, #wf.seg<operand 1>, #wf.seg<operand 2>] (%ctx, %p, %r) {max_tokens = 16 : i64} : (!wf.text, !wf.text, !wf.text) -> !wf.text
  wf.return %a : !wf.text
}

// -----

// A template of constants alone is a constant; a branch on a constant is
// its taken side.
// CHECK-LABEL: wf.graph @folded
// CHECK-NEXT: %[[C:.*]] = wf.const "hello world" : !wf.text
// CHECK-NEXT: %[[A:.*]] = wf.llm @m [#wf.seg<text "Say: ">, #wf.seg<operand 0>](%arg0)
// CHECK-NOT: wf.if
// CHECK-NEXT: wf.return %[[C]], %[[A]]
wf.model @m {max_context = 4096 : i64}
wf.graph @folded(%q: !wf.text) -> (!wf.text, !wf.text) {
  %h = wf.const "hello" : !wf.text
  %w = wf.const "world" : !wf.text
  %hw = wf.format [#wf.seg<operand 0>, #wf.seg<text " ">, #wf.seg<operand 1>] (%h, %w) : (!wf.text, !wf.text) -> !wf.text
  %yes = wf.const true
  %r = wf.if %yes -> !wf.text {
    %a = wf.llm @m [#wf.seg<text "Say: ">, #wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    wf.yield %a : !wf.text
  } else {
    wf.yield %q : !wf.text
  }
  wf.return %hw, %r : !wf.text, !wf.text
}

// -----

// Nothing to fold: the graph is unchanged.
// CHECK-LABEL: wf.graph @unchanged
// CHECK-NEXT: wf.format [#wf.seg<text "Q: ">, #wf.seg<operand 0>](%arg0)
// CHECK-NEXT: wf.if %arg1
wf.graph @unchanged(%q: !wf.text, %c: i1) -> !wf.text {
  %p = wf.format [#wf.seg<text "Q: ">, #wf.seg<operand 0>] (%q) : (!wf.text) -> !wf.text
  %r = wf.if %c -> !wf.text {
    wf.yield %p : !wf.text
  } else {
    wf.yield %q : !wf.text
  }
  wf.return %r : !wf.text
}

// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-inline | FileCheck %s

// Calls inline transitively; inlined nodes get ids in the call's scope,
// and the node computing a returned value also stands for the call. A
// `noinline` call stays, and so does the callee graph.
// CHECK-LABEL: wf.graph @inner
// CHECK: wf.llm {{.*}}wf.id = "llm:0"
// CHECK-LABEL: wf.graph @middle
// CHECK-SAME: wf.params = {p = "inner:0/p:0"}
// CHECK: wf.llm {{.*}}wf.id = "inner:0/llm:0", wf.origin = ["inner:0/llm:0", "inner:0"]
// CHECK: wf.format {{.*}}wf.id = "format:0"
// CHECK-NOT: wf.call
// CHECK-LABEL: wf.graph @top
// CHECK-SAME: wf.params = {p = "middle:0/inner:0/p:0"}
// CHECK: %[[L:.*]] = wf.llm {{.*}}wf.id = "middle:0/inner:0/llm:0", wf.origin = ["middle:0/inner:0/llm:0", "middle:0/inner:0"]
// CHECK: %[[F:.*]] = wf.format {{.*}}(%[[L]]) {wf.id = "middle:0/format:0", wf.origin = ["middle:0/format:0", "middle:0"]}
// CHECK: %[[C:.*]] = wf.call @inner({{.*}}) {noinline, wf.id = "inner:0"}
// CHECK: wf.return %[[F]], %[[C]]
wf.model @m
wf.param @p : !wf.text = "P" {kind = #wf.param_kind<prompt>, trainable}
wf.graph @inner(%a: !wf.text) -> !wf.text {
  %x = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%a) {max_tokens = 3 : i64} : (!wf.text) -> !wf.text
  wf.feedback %x : !wf.text
  wf.return %x : !wf.text
}
wf.graph @middle(%a: !wf.text) -> !wf.text {
  %y = wf.call @inner(%a) : (!wf.text) -> !wf.text
  %z = wf.format [#wf.seg<operand 0>, #wf.seg<text "!">] (%y) : (!wf.text) -> !wf.text
  wf.return %z : !wf.text
}
wf.graph @top(%q: !wf.text) -> (!wf.text, !wf.text) {
  %r = wf.call @middle(%q) : (!wf.text) -> !wf.text
  %s = wf.call @inner(%q) {noinline} : (!wf.text) -> !wf.text
  wf.return %r, %s : !wf.text, !wf.text
}

// -----

// Recursion is left alone: each graph keeps its call into the cycle. A
// callee that returns its argument leaves the caller's value in place.
// CHECK-LABEL: wf.graph @ping
// CHECK: wf.call @pong
// CHECK-LABEL: wf.graph @pong
// CHECK: wf.call @ping
// CHECK-LABEL: wf.graph @user
// CHECK-NEXT: wf.call @ping
// CHECK-NEXT: wf.return %arg0, %{{.*}} : !wf.text, !wf.text
wf.graph @ping(%a: !wf.text) -> !wf.text {
  %b = wf.call @pong(%a) : (!wf.text) -> !wf.text
  wf.return %b : !wf.text
}
wf.graph @pong(%a: !wf.text) -> !wf.text {
  %b = wf.call @ping(%a) : (!wf.text) -> !wf.text
  wf.return %b : !wf.text
}
wf.graph @forward(%a: !wf.text) -> !wf.text {
  wf.return %a : !wf.text
}
wf.graph @user(%q: !wf.text) -> (!wf.text, !wf.text) {
  %f = wf.call @forward(%q) : (!wf.text) -> !wf.text
  %p = wf.call @ping(%q) : (!wf.text) -> !wf.text
  wf.return %f, %p : !wf.text, !wf.text
}

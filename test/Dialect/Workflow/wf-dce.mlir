// RUN: loom-opt %s -split-input-file --wf-dce -verify-diagnostics | FileCheck %s

// Nodes whose values reach no return, feedback or checkpoint go, chains
// of them at once (the dead LLM call feeds a dead format); the write tool
// stays although its text is unused, and so does everything feeding it.
// CHECK-LABEL: wf.graph @agent
// CHECK-NEXT: %[[X:.*]] = wf.param.get @used
// CHECK-NEXT: %[[N:.*]] = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>](%{{.*}}, %[[X]])
// CHECK-NEXT: %[[P:.*]]:2 = wf.tool @post(%[[N]])
// CHECK-NEXT: %[[A:.*]] = wf.llm @m
// CHECK-NEXT: wf.checkpoint "after_post"(%[[P]]#0) after(%[[P]]#1)
// CHECK-NEXT: wf.feedback %[[A]]
// CHECK-NEXT: wf.return %[[A]]
wf.model @m {max_context = 4096 : i64}
// expected-warning @+1 {{trainable parameter @unused influences no output of any graph}}
wf.param @unused : !wf.text = "Be brief." {kind = #wf.param_kind<prompt>, trainable}
wf.param @used : !wf.text = "Note:" {kind = #wf.param_kind<prompt>, trainable}
wf.param @fixed : !wf.text = "never read" {kind = #wf.param_kind<prompt>}
wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 100 : i64}
wf.tool_def @lookup : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64}
wf.graph @agent(%q: !wf.text, %t0: !wf.token) -> !wf.text {
  %x = wf.param.get @used : !wf.text
  %note = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%q, %x) : (!wf.text, !wf.text) -> !wf.text
  %posted, %t1 = wf.tool @post(%note) after(%t0) : (!wf.text) -> (!wf.text, !wf.token)
  %found = wf.tool @lookup(%q) : (!wf.text) -> !wf.text
  %draft = wf.llm @m [#wf.seg<param @unused>, #wf.seg<operand 0>] (%found) {max_tokens = 16 : i64} : (!wf.text) -> !wf.text
  %unused = wf.format [#wf.seg<operand 0>] (%draft) : (!wf.text) -> !wf.text
  %answer = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64} : (!wf.text) -> !wf.text
  %c = wf.const "dead" : !wf.text
  %done = wf.checkpoint "after_post"(%posted) after(%t1) : (!wf.text)
  wf.feedback %answer : !wf.text
  wf.return %answer : !wf.text
}

// -----

// Structured nodes: a dead map goes with its body; inside a live map the
// body's dead nodes go; a dead if whose branch posts (an external effect)
// stays.
// CHECK-LABEL: wf.graph @regions
// CHECK: wf.map
// CHECK-NEXT: ^bb0(%[[C:.*]]: !wf.text):
// CHECK-NEXT: %[[S:.*]] = wf.llm @m [#wf.seg<operand 0>](%[[C]])
// CHECK-NEXT: wf.yield %[[S]]
// CHECK: wf.if
// CHECK: wf.tool @post
// CHECK-NOT: wf.map
// CHECK: wf.return
wf.model @m {max_context = 4096 : i64}
wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 100 : i64}
wf.graph @regions(%doc: !wf.text, %flag: i1, %t0: !wf.token) -> !wf.list<!wf.text> {
  %chunks = wf.split %doc {chunk_tokens = 100 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %dead = wf.llm @m [#wf.seg<operand 0>] (%c) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    %s = wf.llm @m [#wf.seg<operand 0>] (%c) {max_tokens = 16 : i64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %r = wf.if %flag -> !wf.text {
    %p, %t = wf.tool @post(%doc) after(%t0) : (!wf.text) -> (!wf.text, !wf.token)
    wf.yield %p : !wf.text
  } else {
    wf.yield %doc : !wf.text
  }
  %unused = wf.map %chunks : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<operand 0>] (%c) {max_tokens = 16 : i64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  wf.return %parts : !wf.list<!wf.text>
}

// -----

// A trainable code parameter is read by the code nodes whose definition
// it is the source of: no warning while such a node lives.
// CHECK-LABEL: wf.graph @trained_code
// CHECK: wf.code @parse
wf.param @parser : !wf.text = "def parse(x): return x" {kind = #wf.param_kind<code>, lang = "python", trainable}
wf.code_def @parse : (!wf.text) -> !wf.text {source = @parser}
wf.graph @trained_code(%q: !wf.text) -> !wf.text {
  %r = wf.code @parse(%q) : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

// One sweep reaches the fixed point: a constant read only by a dead node
// inside a live map's body, and one read only inside a dead map, both go.
// CHECK-LABEL: wf.graph @one_sweep
// CHECK-NOT: wf.const
// CHECK: wf.map
// CHECK-NEXT: ^bb0(%[[C:.*]]: !wf.text):
// CHECK-NEXT: wf.yield %[[C]]
// CHECK-NEXT: }
// CHECK-NEXT: wf.return
wf.graph @one_sweep(%l: !wf.list<!wf.text>) -> !wf.list<!wf.text> {
  %inner = wf.const "inner" : !wf.text
  %gone = wf.const "gone" : !wf.text
  %kept = wf.map %l : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %dead = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%c, %inner) : (!wf.text, !wf.text) -> !wf.text
    wf.yield %c : !wf.text
  }
  %dropped = wf.map %l : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %f = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%c, %gone) : (!wf.text, !wf.text) -> !wf.text
    wf.yield %f : !wf.text
  }
  wf.return %kept : !wf.list<!wf.text>
}

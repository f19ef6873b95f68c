// RUN: loom-opt %s -split-input-file --wf-prefix-share="min-shared-tokens=8" | FileCheck %s
// RUN: not loom-opt %s -split-input-file --wf-prefix-share="min-shared-tokens=-1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: wf-prefix-share: min-shared-tokens must be a token count, got -1

// A map body's call shares its static prefix with its own iterations: the
// prefill is hoisted before the map and captured by the extension.
// CHECK-LABEL: wf.graph @serve
// CHECK: %[[CTX:.*]] = wf.ctx.prefill @m [#wf.seg<param @system>, #wf.seg<text "\0AUser: ">]() : () -> !wf.ctx<@m>
// CHECK: wf.map
// CHECK: wf.llm.extend %[[CTX]] [#wf.seg<operand 0>](%{{.*}}) {max_tokens = 100 : i64, temperature = 0.000000e+00 : f64, wf.id = "llm:0"} : (!wf.ctx<@m>, !wf.text) -> !wf.text
// CHECK-NOT: wf.llm @m
wf.model @m
wf.param @system : !wf.text = "You answer questions about the manual, briefly." {kind = #wf.param_kind<prompt>}
wf.graph @serve(%qs: !wf.list<!wf.text>) -> !wf.list<!wf.text> {
  %as = wf.map %qs : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%q: !wf.text):
    %a = wf.llm @m [#wf.seg<param @system>, #wf.seg<text "\nUser: ">, #wf.seg<operand 0>] (%q) {max_tokens = 100 : i64, temperature = 0.0 : f64, wf.id = "llm:0"} : (!wf.text) -> !wf.text
    wf.yield %a : !wf.text
  }
  wf.return %as : !wf.list<!wf.text>
}

// -----

// Calls of one block: the shared part of a text segment is split off
// (prefill text ++ extension = the original prompt); a call with another
// model, and one sharing too little, keep their prompts.
// CHECK-LABEL: wf.graph @agents
// CHECK: %[[CTX:.*]] = wf.ctx.prefill @m [#wf.seg<text "You review code for the team. Focus: ">]() : () -> !wf.ctx<@m>
// CHECK: wf.llm.extend %[[CTX]] [#wf.seg<text "style\0A">, #wf.seg<operand 0>](%arg0) {max_tokens = 5 : i64}
// CHECK: wf.llm.extend %[[CTX]] [#wf.seg<text "naming\0A">, #wf.seg<operand 0>](%arg0) {max_tokens = 6 : i64}
// CHECK: wf.llm @other [#wf.seg<text "You review code for the team. Focus: tests\0A">, #wf.seg<operand 0>]
// CHECK: wf.llm @m [#wf.seg<text "Short ">, #wf.seg<operand 0>]
// CHECK: wf.llm @m [#wf.seg<text "Short but different ">, #wf.seg<operand 0>]
wf.model @m
wf.model @other
wf.graph @agents(%code: !wf.text) -> (!wf.text, !wf.text, !wf.text, !wf.text, !wf.text) {
  %a = wf.llm @m [#wf.seg<text "You review code for the team. Focus: style\n">, #wf.seg<operand 0>] (%code) {max_tokens = 5 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<text "You review code for the team. Focus: naming\n">, #wf.seg<operand 0>] (%code) {max_tokens = 6 : i64} : (!wf.text) -> !wf.text
  %c = wf.llm @other [#wf.seg<text "You review code for the team. Focus: tests\n">, #wf.seg<operand 0>] (%code) {max_tokens = 7 : i64} : (!wf.text) -> !wf.text
  %d = wf.llm @m [#wf.seg<text "Short ">, #wf.seg<operand 0>] (%code) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %e = wf.llm @m [#wf.seg<text "Short but different ">, #wf.seg<operand 0>] (%code) {max_tokens = 9 : i64} : (!wf.text) -> !wf.text
  wf.return %a, %b, %c, %d, %e : !wf.text, !wf.text, !wf.text, !wf.text, !wf.text
}

// -----

// Two families of prompts, interleaved: each call shares with the calls
// that share the longest prefix it has with any other, wherever they stand
// in the block; a call whose partners are taken keeps its prompt.
// CHECK-LABEL: wf.graph @families
// CHECK: %[[B:.*]] = wf.ctx.prefill @m [#wf.seg<text "You summarise incident reports for the on-call engineer. Style: ">]
// CHECK: %[[A:.*]] = wf.ctx.prefill @m [#wf.seg<text "You are a careful translator of technical manuals. Target: French\0A">]
// CHECK: wf.llm.extend %[[A]] [#wf.seg<operand 0>](%arg0) {max_tokens = 1 : i64}
// CHECK: wf.llm.extend %[[B]] [#wf.seg<text "terse\0A">, #wf.seg<operand 0>](%arg0) {max_tokens = 2 : i64}
// CHECK: wf.llm @m [#wf.seg<text "You are a careful translator of technical manuals. Target: German\0A">, #wf.seg<operand 0>](%arg0) {max_tokens = 3 : i64}
// CHECK: wf.llm.extend %[[B]] [#wf.seg<text "detailed\0A">, #wf.seg<operand 0>](%arg0) {max_tokens = 4 : i64}
// CHECK: wf.llm.extend %[[A]] [#wf.seg<text "Keep units.\0A">, #wf.seg<operand 0>](%arg0) {max_tokens = 5 : i64}
wf.model @m
wf.graph @families(%x: !wf.text) -> (!wf.text, !wf.text, !wf.text, !wf.text, !wf.text) {
  %a = wf.llm @m [#wf.seg<text "You are a careful translator of technical manuals. Target: French\n">, #wf.seg<operand 0>] (%x) {max_tokens = 1 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<text "You summarise incident reports for the on-call engineer. Style: terse\n">, #wf.seg<operand 0>] (%x) {max_tokens = 2 : i64} : (!wf.text) -> !wf.text
  %c = wf.llm @m [#wf.seg<text "You are a careful translator of technical manuals. Target: German\n">, #wf.seg<operand 0>] (%x) {max_tokens = 3 : i64} : (!wf.text) -> !wf.text
  %d = wf.llm @m [#wf.seg<text "You summarise incident reports for the on-call engineer. Style: detailed\n">, #wf.seg<operand 0>] (%x) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
  %e = wf.llm @m [#wf.seg<text "You are a careful translator of technical manuals. Target: French\nKeep units.\n">, #wf.seg<operand 0>] (%x) {max_tokens = 5 : i64} : (!wf.text) -> !wf.text
  wf.return %a, %b, %c, %d, %e : !wf.text, !wf.text, !wf.text, !wf.text, !wf.text
}

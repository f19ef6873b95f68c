// RUN: loom-opt %s -split-input-file --wf-extract-trace="mode=trace-compat" -verify-diagnostics -o /dev/null | FileCheck %s --check-prefix=COMPAT
// RUN: loom-opt %s -split-input-file --wf-extract-trace -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=FULL

// wf.md C7, several outputs. Trace merges them under one feedback text:
// equal constant texts print once in trace-compat; full lists feedback
// per output.
// COMPAT-LABEL: "same_text": {
// COMPAT: "feedback": [
// COMPAT-NEXT: "Too long."
// COMPAT-NEXT: ]
// FULL-LABEL: "same_text": {
// FULL: "feedback": [
// FULL-NEXT: "llm0: Too long.",
// FULL-NEXT: "llm1: Too long."
// FULL-NEXT: ]
wf.model @m
wf.param @p : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>, trainable}
wf.graph @same_text(%x: !wf.text) -> (!wf.text, !wf.text) {
  %a = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<param @p>, #wf.seg<text "!">, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %f1 = wf.const "Too long." : !wf.text
  %f2 = wf.const "Too long." : !wf.text
  wf.feedback %a, %f1 : !wf.text
  wf.feedback %b, %f2 : !wf.text
  wf.return %a, %b : !wf.text, !wf.text
}

// -----

// Different texts: an error in trace-compat, at the output whose text
// differs; full mode lists both.
// FULL-LABEL: "different_text": {
// FULL: "feedback": [
// FULL-NEXT: "llm0: Too long.",
// FULL-NEXT: "llm1: Too short."
wf.model @m
wf.param @p : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>, trainable}
wf.graph @different_text(%x: !wf.text) -> (!wf.text, !wf.text) {
  %a = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<param @p>, #wf.seg<text "!">, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %f1 = wf.const "Too long." : !wf.text
  %f2 = wf.const "Too short." : !wf.text
  // expected-note @+1 {{the first output's}}
  wf.feedback %a, %f1 : !wf.text
  // expected-error @+1 {{trace-compat gives all outputs one feedback text, and this one may differ from the first output's; use mode=full for feedback per output}}
  wf.feedback %b, %f2 : !wf.text
  wf.return %a, %b : !wf.text, !wf.text
}

// -----

// A text computed at run time cannot be shown equal to a constant, nor a
// text to none (the environment's).
wf.model @m
wf.param @p : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>, trainable}
wf.graph @runtime_text(%x: !wf.text) -> (!wf.text, !wf.text, !wf.text) {
  %a = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<param @p>, #wf.seg<text "!">, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %f1 = wf.const "Too long." : !wf.text
  %f2 = wf.format [#wf.seg<text "Length of ">, #wf.seg<operand 0>] (%b) : (!wf.text) -> !wf.text
  // expected-note @+1 {{the first output's}}
  wf.feedback %a, %f1 : !wf.text
  // expected-error @+1 {{trace-compat gives all outputs one feedback text}}
  wf.feedback %b, %f2 : !wf.text
  wf.return %a, %b, %f2 : !wf.text, !wf.text, !wf.text
}

// -----

wf.model @m
wf.param @p : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>, trainable}
wf.graph @text_and_none(%x: !wf.text) -> (!wf.text, !wf.text) {
  %a = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<param @p>, #wf.seg<text "!">, #wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %f1 = wf.const "Too long." : !wf.text
  // expected-note @+1 {{the first output's}}
  wf.feedback %a, %f1 : !wf.text
  // expected-error @+1 {{trace-compat gives all outputs one feedback text}}
  wf.feedback %b : !wf.text
  wf.return %a, %b : !wf.text, !wf.text
}

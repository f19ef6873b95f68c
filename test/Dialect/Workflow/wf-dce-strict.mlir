// RUN: loom-opt %s --wf-dce="strict-params=true" -verify-diagnostics

// With strict-params a trainable parameter without influence is an error
// at the parameter: its only reader was dead and went.
wf.model @m {max_context = 4096 : i64}
// expected-error @+1 {{trainable parameter @lost influences no output of any graph}}
wf.param @lost : !wf.text = "Be brief." {kind = #wf.param_kind<prompt>, trainable}
wf.graph @g(%q: !wf.text) -> !wf.text {
  %d = wf.llm @m [#wf.seg<param @lost>, #wf.seg<operand 0>] (%q) {max_tokens = 16 : i64} : (!wf.text) -> !wf.text
  wf.return %q : !wf.text
}

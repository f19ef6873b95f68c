// A trainable code parameter (Trace's code parameters, wf.md §8.2): the
// question is normalized by Python code an optimizer may rewrite, then
// answered. loom-run runs the parameter's current text in embedded CPython
// (LOOM_ENABLE_PYTHON); `--param normalizer=text:...` swaps the code
// without recompiling, and `--trace -` shows it among the variables.
wf.model @m {max_concurrency = 4 : i64}
wf.param @normalizer : !wf.text = "def normalize(question):\0A    words = question.lower().split()\0A    return ' '.join(words) + '?'\0A" {kind = #wf.param_kind<code>, lang = "python", trainable, description = "Cleans a question before it reaches the model."}
wf.code_def @normalize : (!wf.text) -> !wf.text {source = @normalizer, arg_names = ["question"], description = "Normalizes the question."}
wf.graph @answer(%q: !wf.text {wf.name = "question"}) -> !wf.text {
  %n = wf.code @normalize(%q) : (!wf.text) -> !wf.text
  %a = wf.llm @m [#wf.seg<text "Answer briefly: ">, #wf.seg<operand 0>] (%n) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  wf.feedback %a : !wf.text
  wf.return %a : !wf.text
}

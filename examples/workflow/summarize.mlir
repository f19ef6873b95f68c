// Parrot's map-reduce summarization (wf.md §3) with a review step: split a
// document, summarize the chunks in parallel, combine, then a native check
// (`loom-run --load` a library exporting `word_count`, loom-c/Workflow.h)
// and a reviewer that sees the summary and the count. See docs/index.md §6.
wf.model @m {max_concurrency = 16 : i64, max_context = 8192 : i64}
wf.param @map_prompt : !wf.text = "You summarize technical documents for engineers. Summarize this part in three sentences, keeping names and numbers:\n\n" {kind = #wf.param_kind<prompt>, trainable}
wf.param @reduce_prompt : !wf.text = "Combine the partial summaries into one paragraph." {kind = #wf.param_kind<prompt>, trainable}
wf.code_def @count : (!wf.text) -> !wf.text {arg_names = ["text"], external = "word_count", description = "Counts the words of a text."}
wf.graph @summarize(%doc: !wf.text) -> (!wf.text, !wf.text) attributes {objective = #wf.objective<latency>} {
  %chunks = wf.split %doc {chunk_tokens = 200 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks {max_parallel = 16 : i64} : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<operand 0>] (%c) {max_tokens = 40 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  %sum = wf.llm @m [#wf.seg<param @reduce_prompt>, #wf.seg<text "\n\n">, #wf.seg<operand 0>] (%joined) {max_tokens = 60 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
  %words = wf.code @count(%sum) : (!wf.text) -> !wf.text
  %review = wf.llm @m [#wf.seg<text "Review this summary of ">, #wf.seg<operand 0>, #wf.seg<text " words:\n">, #wf.seg<operand 1>] (%words, %sum) {max_tokens = 20 : i64} : (!wf.text, !wf.text) -> !wf.text
  wf.feedback %sum : !wf.text
  wf.return %sum, %review : !wf.text, !wf.text
}

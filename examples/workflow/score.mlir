// A workflow node of tensor code (wf.compute): loom-compile outlines its
// body into an entry point of the same library, compiled by the CPU
// pipeline, and the runtime calls it between the other nodes (embed.mlir
// passes tensors between two of them). Here: the norm of a
// vector of eight x, and 2n, both reported by an LLM call.
wf.model @m {max_concurrency = 4 : i64}
wf.graph @score(%x: f64, %n: i64) -> (!wf.text, f64, i64) {
  %norm, %count = wf.compute(%x, %n) : (f64, i64) -> (f64, i64) {
  ^bb0(%a: f64, %k: i64):
    %t = tensor.splat %a : tensor<8xf64>
    %init = arith.constant dense<0.0> : tensor<f64>
    %sq = linalg.reduce ins(%t : tensor<8xf64>) outs(%init : tensor<f64>) dimensions = [0]
      (%e: f64, %acc: f64) {
        %p = arith.mulf %e, %e : f64
        %s = arith.addf %acc, %p : f64
        linalg.yield %s : f64
      }
    %v = tensor.extract %sq[] : tensor<f64>
    %r = math.sqrt %v : f64
    %two = arith.constant 2 : i64
    %k2 = arith.muli %k, %two : i64
    wf.yield %r, %k2 : f64, i64
  }
  %msg = wf.format [#wf.seg<text "norm ">, #wf.seg<operand 0>, #wf.seg<text " count ">, #wf.seg<operand 1>] (%norm, %count) : (f64, i64) -> !wf.text
  %ans = wf.llm @m [#wf.seg<text "Explain: ">, #wf.seg<operand 0>] (%msg) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
  wf.return %ans, %norm, %count : !wf.text, f64, i64
}

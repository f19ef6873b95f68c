// Tensors between workflow nodes: one wf.compute squares a vector, a second
// sums the squares and scales them, an LLM call reports the score. The
// vector comes in as a .npy file (loom-run --arg npy:FILE), the squares go
// out as a tensor, and between the two compute nodes the runtime holds the
// tensor (and journals it, so a resumed run reuses it).
wf.model @m {max_concurrency = 4 : i64}
wf.graph @rank(%v: tensor<4xf32> {wf.name = "v"}, %scale: f64 {wf.name = "scale"}) -> (tensor<4xf32>, f64, !wf.text) {
  %squares = wf.compute(%v) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %sq = arith.mulf %x, %x : tensor<4xf32>
    wf.yield %sq : tensor<4xf32>
  }
  %score = wf.compute(%squares, %scale) : (tensor<4xf32>, f64) -> f64 {
  ^bb0(%f: tensor<4xf32>, %s: f64):
    %init = arith.constant dense<0.0> : tensor<f32>
    %sum = linalg.reduce ins(%f : tensor<4xf32>) outs(%init : tensor<f32>) dimensions = [0]
      (%e: f32, %acc: f32) {
        %a = arith.addf %acc, %e : f32
        linalg.yield %a : f32
      }
    %t = tensor.extract %sum[] : tensor<f32>
    %d = arith.extf %t : f32 to f64
    %r = arith.mulf %d, %s : f64
    wf.yield %r : f64
  }
  %msg = wf.format [#wf.seg<text "score ">, #wf.seg<operand 0>] (%score) : (f64) -> !wf.text
  %ans = wf.llm @m [#wf.seg<text "Explain: ">, #wf.seg<operand 0>] (%msg) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
  wf.return %squares, %score, %ans : tensor<4xf32>, f64, !wf.text
}

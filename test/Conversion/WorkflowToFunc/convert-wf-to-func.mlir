// RUN: loom-opt %s -split-input-file --convert-wf-to-func -verify-diagnostics | FileCheck %s

// A graph of tensor computations runs as sequential code: compute regions
// are inlined, numeric constants and parameters become arith.constant, the
// feedback marker disappears, calls become func.call, declarations go.
// CHECK-NOT: wf.param
// CHECK-LABEL: func.func @inner
// CHECK-LABEL: func.func @tensors
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[S:.*]] = arith.addf %[[A]], %[[A]] : tensor<4xf32>
// CHECK: %[[C:.*]] = call @inner(%[[S]]) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NOT: wf.
// CHECK: return %[[C]] : tensor<4xf32>
// CHECK-LABEL: func.func @numbers
// CHECK: %[[K:.*]] = arith.constant 7 : i64
// CHECK: return %[[K]] : i64
wf.param @k : i64 = 7 {kind = #wf.param_kind<hparam>, trainable}
wf.graph @inner(%a: tensor<4xf32>) -> tensor<4xf32> {
  wf.return %a : tensor<4xf32>
}
wf.graph @tensors(%a: tensor<4xf32>) -> tensor<4xf32> {
  %s = wf.compute(%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %y = arith.addf %x, %x : tensor<4xf32>
    wf.yield %y : tensor<4xf32>
  }
  %c = wf.call @inner(%s) : (tensor<4xf32>) -> tensor<4xf32>
  wf.feedback %c : tensor<4xf32>
  wf.return %c : tensor<4xf32>
}
wf.graph @numbers() -> i64 {
  %k = wf.param.get @k : i64
  wf.return %k : i64
}

// -----

wf.model @m
// expected-error @+1 {{takes a '!wf.text' argument: only graphs of tensor and number values have a reference lowering}}
wf.graph @text(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  wf.return %a : !wf.text
}

// -----

wf.model @m
wf.graph @llm() -> !wf.text {
  // expected-error @+1 {{'wf.const' op needs the workflow runtime}}
  %q = wf.const "hi" : !wf.text
  wf.return %q : !wf.text
}

// RUN: loom-opt %s -split-input-file --convert-wf-to-runtime -verify-diagnostics | FileCheck %s
// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-extract-trace=attach=true --convert-wf-to-runtime -verify-diagnostics | FileCheck %s --check-prefix=TRACE

// The task tables become one constant and its accessor; no wf op is left.
// CHECK-NOT: wf.
// CHECK: llvm.mlir.global internal constant @__loom_wf_program("LOOMWFP5
// CHECK-LABEL: llvm.func @loom_wf_program
// CHECK-SAME: (%[[SIZE:.*]]: !llvm.ptr) -> !llvm.ptr
// CHECK: %[[N:.*]] = llvm.mlir.constant({{[0-9]+}} : i64) : i64
// CHECK: llvm.store %[[N]], %[[SIZE]] : i64, !llvm.ptr
// CHECK: %[[T:.*]] = llvm.mlir.addressof @__loom_wf_program : !llvm.ptr
// CHECK: llvm.return %[[T]] : !llvm.ptr
// Without an attached trace (no wf.feedback), the trace accessor answers
// an empty JSON object.
// CHECK: llvm.mlir.global internal constant @__loom_wf_trace("{}\00")
// CHECK-LABEL: llvm.func @loom_wf_trace() -> !llvm.ptr
// CHECK: llvm.mlir.addressof @__loom_wf_trace
// CHECK-NOT: wf.
wf.model @m {max_concurrency = 4 : i64}
wf.param @p : !wf.text = "Answer:" {kind = #wf.param_kind<prompt>, trainable}
wf.tool_def @search : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64, retry = #wf.retry<max_attempts = 2, backoff_ms = 10>}
wf.graph @g(%q: !wf.text, %n: i1) -> !wf.text {
  %r = wf.tool @search(%q) : (!wf.text) -> !wf.text
  %safe = wf.catch %r : !wf.text fallback {
  ^bb0(%err: !wf.text):
    wf.yield %err : !wf.text
  }
  %a = wf.llm @m [#wf.seg<param @p>, #wf.seg<operand 0>] (%safe) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  %pick = wf.if %n -> !wf.text {
    wf.yield %a : !wf.text
  } else {
    wf.yield %q : !wf.text
  }
  wf.return %pick : !wf.text
}

// -----

// A rank-0 tensor would read as a scalar at the model ABI; a dynamic shape
// has no size the runtime could check.
wf.graph @rank0() -> tensor<f32> {
  // expected-error @below {{'wf.compute' op passes a 'tensor<f32>' between nodes, which is a rank-0 tensor: pass its element type instead}}
  %w = wf.compute() : () -> tensor<f32> {
    %c = arith.constant dense<1.0> : tensor<f32>
    wf.yield %c : tensor<f32>
  }
  wf.return %w : tensor<f32>
}

// -----

wf.graph @dynamic(%t: tensor<?xf32>) -> f64 {
  // expected-error @below {{'wf.compute' op passes a 'tensor<?xf32>' between nodes, which has a dynamic shape}}
  %w = wf.compute(%t) : (tensor<?xf32>) -> f64 {
  ^bb0(%x: tensor<?xf32>):
    %c = arith.constant 1.0 : f64
    wf.yield %c : f64
  }
  wf.return %w : f64
}

// -----

// Tensors cross node boundaries as they are; scalars beside them are
// boxed.
// CHECK-LABEL: func.func @__loom_wf_compute_0(
// CHECK-SAME: %[[V:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<f64>) -> tensor<4xf32>
// CHECK: %[[SS:.*]] = tensor.extract %[[S]][] : tensor<f64>
// CHECK-NOT: tensor.from_elements
// CHECK: return
wf.graph @tensors(%v: tensor<4xf32>, %s: f64) -> tensor<4xf32> {
  %w = wf.compute(%v, %s) : (tensor<4xf32>, f64) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>, %k: f64):
    %k32 = arith.truncf %k : f64 to f32
    %b = tensor.splat %k32 : tensor<4xf32>
    %y = arith.mulf %x, %b : tensor<4xf32>
    wf.yield %y : tensor<4xf32>
  }
  wf.return %w : tensor<4xf32>
}

// -----

// A compute body becomes an entry point over rank-0 tensors, for the
// tensor pipeline to compile into the same library.
// CHECK-LABEL: func.func @__loom_wf_compute_0(
// CHECK-SAME: %[[X:.*]]: tensor<f64>, %[[N:.*]]: tensor<i64>) -> (tensor<f64>, tensor<i1>)
// CHECK: %[[XS:.*]] = tensor.extract %[[X]][] : tensor<f64>
// CHECK: %[[NS:.*]] = tensor.extract %[[N]][] : tensor<i64>
// CHECK: %[[F:.*]] = arith.sitofp %[[NS]] : i64 to f64
// CHECK: %[[M:.*]] = arith.mulf %[[XS]], %[[F]] : f64
// CHECK: %[[B:.*]] = arith.cmpf ogt, %[[M]], %[[XS]] : f64
// CHECK: %[[MT:.*]] = tensor.from_elements %[[M]] : tensor<f64>
// CHECK: %[[BT:.*]] = tensor.from_elements %[[B]] : tensor<i1>
// CHECK: return %[[MT]], %[[BT]] : tensor<f64>, tensor<i1>
// CHECK-NOT: wf.
wf.graph @scalars(%x: f64, %n: i64) -> (f64, i1) {
  %m, %b = wf.compute(%x, %n) : (f64, i64) -> (f64, i1) {
  ^bb0(%a: f64, %k: i64):
    %f = arith.sitofp %k : i64 to f64
    %p = arith.mulf %a, %f : f64
    %g = arith.cmpf ogt, %p, %a : f64
    wf.yield %p, %g : f64, i1
  }
  wf.return %m, %b : f64, i1
}

// -----

wf.graph @helper(%a: !wf.text) -> !wf.text {
  wf.return %a : !wf.text
}
wf.graph @caller(%q: !wf.text) -> !wf.text {
  // expected-error @below {{'wf.call' op is not supported by the workflow runtime; inline it first}}
  %h = wf.call @helper(%q) : (!wf.text) -> !wf.text
  wf.return %h : !wf.text
}

// -----

func.func private @impl(%x: i64) -> i64
// expected-error @below {{'wf.code_def' op needs `external` or `source`: the workflow runtime calls native code through the C ABI and code parameters through Python; `impl` is not supported yet}}
wf.code_def @f : (i64) -> i64 {impl = @impl}
wf.graph @uses(%x: i64) -> i64 {
  %y = wf.code @f(%x) : (i64) -> i64
  wf.return %y : i64
}

// -----

// Code parameters run in Python only.
wf.param @lisp : !wf.text = "(defun f (x) x)" {kind = #wf.param_kind<code>, lang = "lisp", trainable}
// expected-error @below {{'wf.code_def' op runs 'lisp' code; the workflow runtime runs code parameters in 'python' only}}
wf.code_def @f : (!wf.text) -> !wf.text {source = @lisp}
wf.graph @uses(%x: !wf.text) -> !wf.text {
  %y = wf.code @f(%x) : (!wf.text) -> !wf.text
  wf.return %y : !wf.text
}

// -----

wf.param @many : !wf.text = "def f(x): return x" {kind = #wf.param_kind<code>, lang = "python", trainable}
// expected-error @below {{'wf.code_def' op a Python code parameter returns one text, list, i1, i64 or f64 value}}
wf.code_def @f : (!wf.text) -> (!wf.text, !wf.text) {source = @many}
wf.graph @uses(%x: !wf.text) -> !wf.text {
  %y, %z = wf.code @f(%x) : (!wf.text) -> (!wf.text, !wf.text)
  wf.return %y : !wf.text
}

// -----

// The trace snapshot attached by wf-extract-trace is embedded,
// NUL-terminated, and the attribute leaves the module.
// TRACE-LABEL: module {
// TRACE: llvm.mlir.global internal constant @__loom_wf_trace("{\22fed\22:{\22full\22:{\22mode\22:\22full\22,\22nodes\22:[{\22id\22:\22arg0:0\22
// TRACE-SAME: \22outputs\22:{{\[\[}}1,1]],\22feedback\22:{{\[\[}}0,-1]],
// TRACE-SAME: \00")
// TRACE: llvm.func @loom_wf_trace() -> !llvm.ptr
wf.model @m
wf.graph @fed(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  wf.feedback %a : !wf.text
  wf.return %a : !wf.text
}

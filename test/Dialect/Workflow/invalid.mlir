// RUN: loom-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{!wf.list elements must be !wf.text, i1, i64, f64 or a list, got 'f32'}}
wf.graph @list_elt(%a: !wf.list<f32>) { wf.return }

// -----

// expected-error @+1 {{max_attempts must be >= 1, got 0}}
wf.tool_def @t : (!wf.text) -> !wf.text {timeout_ms = 10 : i64, retry = #wf.retry<max_attempts = 0, backoff_ms = 1>}

// -----

// expected-error @+1 {{backoff_ms must be >= 0, got -1}}
wf.tool_def @t : (!wf.text) -> !wf.text {timeout_ms = 10 : i64, retry = #wf.retry<max_attempts = 2, backoff_ms = -1>}

// -----

// expected-error @+1 {{model limits must be positive}}
wf.model @m {max_context = 0 : i64}

// -----

// expected-error @+1 {{a prompt parameter is !wf.text with a string initial value}}
wf.param @p : i64 = 3 {kind = #wf.param_kind<prompt>}

// -----

// expected-error @+1 {{a code parameter needs a 'lang'}}
wf.param @p : !wf.text = "def f(): pass" {kind = #wf.param_kind<code>}

// -----

// expected-error @+1 {{a demos parameter is !wf.list<!wf.text> with an array of strings}}
wf.param @p : !wf.list<!wf.text> = ["a", 3] {kind = #wf.param_kind<demos>}

// -----

// expected-error @+1 {{an hparam is i64 or f64 with an initial value of that type}}
wf.param @p : f64 = 3 {kind = #wf.param_kind<hparam>}

// -----

// expected-error @+1 {{initial value 3 lies outside its range [0, 2]}}
wf.param @p : f64 = 3.0 {kind = #wf.param_kind<hparam>, range = [0.0, 2.0]}

// -----

// expected-error @+1 {{range must be [lo, hi] with lo <= hi}}
wf.param @p : f64 = 1.0 {kind = #wf.param_kind<hparam>, range = [2.0, 0.0]}

// -----

// expected-error @+1 {{a choice parameter needs non-empty 'options'}}
wf.param @p : i64 = 0 {kind = #wf.param_kind<choice>}

// -----

// expected-error @+1 {{choice 2 is not one of 2 options}}
wf.param @p : i64 = 2 {kind = #wf.param_kind<choice>, options = ["a", "b"]}

// -----

// expected-error @+1 {{a retry policy needs a timeout_ms}}
wf.tool_def @t : (!wf.text) -> !wf.text {retry = #wf.retry<max_attempts = 2, backoff_ms = 1>}

// -----

// expected-error @+1 {{retrying a 'write' tool needs 'idempotent'}}
wf.tool_def @t : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 10 : i64, retry = #wf.retry<max_attempts = 2, backoff_ms = 1>}

// -----

// expected-error @+1 {{timeout_ms must be positive}}
wf.tool_def @t : (!wf.text) -> !wf.text {timeout_ms = 0 : i64}

// -----

// expected-error @+1 {{arg_names must name each of the 2 arguments}}
wf.tool_def @t : (!wf.text, !wf.text) -> !wf.text {arg_names = ["a"]}

// -----

// expected-error @+1 {{a code def has exactly one of impl, external and source}}
wf.code_def @f : (!wf.text) -> !wf.text {}

// -----

wf.param @p : !wf.text = "x" {kind = #wf.param_kind<prompt>}
// expected-error @+1 {{source @p must be a code parameter}}
wf.code_def @f : (!wf.text) -> !wf.text {source = @p}

// -----

wf.graph @g(%a: i64) -> i64 {
  // expected-error @+1 {{'arith.addi' op is not a wf op: put it inside a wf.compute}}
  %b = arith.addi %a, %a : i64
  wf.return %b : i64
}

// -----

wf.graph @g(%a: i64) -> !wf.text {
  // expected-error @+1 {{returned types ('i64') do not match the expected ('!wf.text')}}
  wf.return %a : i64
}

// -----

wf.graph @g() -> !wf.text {
  // expected-error @+1 {{value "x" : i64 cannot be a constant of 'i64'}}
  %c = wf.const "x" : i64
  %t = wf.const "y" : !wf.text
  wf.return %t : !wf.text
}

// -----

wf.graph @g() -> !wf.text {
  // expected-error @+1 {{@nope does not name a wf.param}}
  %p = wf.param.get @nope : !wf.text
  wf.return %p : !wf.text
}

// -----

wf.param @p : !wf.text = "x" {kind = #wf.param_kind<prompt>}
wf.graph @g() -> i64 {
  // expected-error @+1 {{parameter @p has type '!wf.text', not 'i64'}}
  %p = wf.param.get @p : i64
  wf.return %p : i64
}

// -----

wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{segment names operand 1 but the node has 1 operands}}
  %f = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%a) : (!wf.text) -> !wf.text
  wf.return %f : !wf.text
}

// -----

wf.graph @g(%a: !wf.text, %b: !wf.text) -> !wf.text {
  // expected-error @+1 {{operand 1 is not used by any segment}}
  %f = wf.format [#wf.seg<operand 0>] (%a, %b) : (!wf.text, !wf.text) -> !wf.text
  wf.return %f : !wf.text
}

// -----

wf.param @h : f64 = 0.5 {kind = #wf.param_kind<hparam>}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{segment parameter @h must be a prompt or demos parameter}}
  %f = wf.format [#wf.seg<param @h>, #wf.seg<operand 0>] (%a) : (!wf.text) -> !wf.text
  wf.return %f : !wf.text
}

// -----

wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{@m does not name a wf.model}}
  %r = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.model @m
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{max_tokens must be positive, got 0}}
  %r = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 0 : i64} : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.model @m {max_context = 16 : i64}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{max_tokens 32 exceeds the model's max_context 16}}
  %r = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 32 : i64} : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.model @m
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{temperature must lie in [0, 2], got 2.5}}
  %r = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 8 : i64, temperature = 2.5 : f64} : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.model @m
wf.param @t : i64 = 1 {kind = #wf.param_kind<hparam>}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{temperature parameter @t must be an f64 hparam}}
  %r = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 8 : i64, temperature = #wf.param_ref<@t>} : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.model @m
wf.param @t : f64 = 1.0 {kind = #wf.param_kind<hparam>, range = [0.0, 3.0]}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{temperature parameter @t must have a range within [0, 2]}}
  %r = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 8 : i64, temperature = #wf.param_ref<@t>} : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{@search does not name a wf.tool_def}}
  %r = wf.tool @search(%a) : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.tool_def @search : (!wf.text) -> !wf.text {effects = #wf.effects<read>}
wf.graph @g(%a: i64) -> !wf.text {
  // expected-error @+1 {{argument types ('i64') do not match the expected ('!wf.text')}}
  %r = wf.tool @search(%a) : (i64) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{result types ('!wf.text') do not match the expected ('!wf.text', '!wf.token')}}
  %r = wf.tool @post(%a) : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<external>}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{a write or external tool needs an 'after' token}}
  %r, %t = wf.tool @post(%a) : (!wf.text) -> (!wf.text, !wf.token)
  wf.return %r : !wf.text
}

// -----

wf.tool_def @search : (!wf.text) -> !wf.text {effects = #wf.effects<read>}
wf.graph @g(%a: !wf.text, %t: !wf.token) -> !wf.text {
  // expected-error @+1 {{a pure or read tool takes no token}}
  %r = wf.tool @search(%a) after(%t) : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.code_def @f : (!wf.text) -> i64 {external = "f"}
wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{result types ('!wf.text') do not match the expected ('i64')}}
  %r = wf.code @f(%a) : (!wf.text) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.graph @sub(%a: !wf.text) -> !wf.text { wf.return %a : !wf.text }
wf.graph @g(%a: i64) -> !wf.text {
  // expected-error @+1 {{argument types ('i64') do not match the expected ('!wf.text')}}
  %r = wf.call @sub(%a) : (i64) -> !wf.text
  wf.return %r : !wf.text
}

// -----

wf.graph @g(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yielded types ('tensor<2xf32>') do not match the expected ('tensor<4xf32>')}}
  %r = wf.compute(%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %s = tensor.extract_slice %x[0] [2] [1] : tensor<4xf32> to tensor<2xf32>
    wf.yield %s : tensor<2xf32>
  }
  wf.return %r : tensor<4xf32>
}

// -----

wf.graph @g(%a: !wf.text) -> !wf.list<!wf.text> {
  // expected-error @+1 {{chunk_tokens must be positive}}
  %l = wf.split %a {chunk_tokens = 0 : i64} : !wf.text -> !wf.list<!wf.text>
  wf.return %l : !wf.list<!wf.text>
}

// -----

wf.graph @g(%l: !wf.list<i64>) -> !wf.text {
  // expected-error @+1 {{input must be !wf.list<!wf.text>}}
  %t = wf.join %l : !wf.list<i64> -> !wf.text
  wf.return %t : !wf.text
}

// -----

wf.graph @g(%l: !wf.list<!wf.text>) -> !wf.list<!wf.text> {
  // expected-error @+1 {{max_parallel must be >= 1}}
  %r = wf.map %l {max_parallel = 0 : i64} : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%e: !wf.text):
    wf.yield %e : !wf.text
  }
  wf.return %r : !wf.list<!wf.text>
}

// -----

wf.graph @g(%l: !wf.list<!wf.text>) -> !wf.list<!wf.text> {
  // expected-error @+1 {{body must take one '!wf.text' argument}}
  %r = wf.map %l : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%e: i64):
    %c = wf.const "x" : !wf.text
    wf.yield %c : !wf.text
  }
  wf.return %r : !wf.list<!wf.text>
}

// -----

wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>}
wf.graph @g(%l: !wf.list<!wf.text>, %t: !wf.token) -> !wf.list<!wf.text> {
  // expected-error @+1 {{body must not produce ordering tokens (v1 iterations are independent)}}
  %r = wf.map %l : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%e: !wf.text):
    %o, %t1 = wf.tool @post(%e) after(%t) : (!wf.text) -> (!wf.text, !wf.token)
    wf.yield %o : !wf.text
  }
  wf.return %r : !wf.list<!wf.text>
}

// -----

wf.graph @g() -> !wf.list<!wf.text> {
  // expected-error @+1 {{body must take one 'i64' argument}}
  %r = wf.replicate 2 : !wf.list<!wf.text> {
  ^bb0(%i: !wf.text):
    wf.yield %i : !wf.text
  }
  wf.return %r : !wf.list<!wf.text>
}

// -----

wf.graph @g(%c: i1, %a: !wf.text, %b: i64) -> !wf.text {
  // expected-error @+1 {{else-yielded types ('i64') do not match the expected ('!wf.text')}}
  %r = wf.if %c -> !wf.text {
    wf.yield %a : !wf.text
  } else {
    wf.yield %b : i64
  }
  wf.return %r : !wf.text
}

// -----

wf.graph @g(%a: i64) -> i64 {
  // expected-error @+1 {{max_iters must be >= 1, got 0}}
  %r = wf.while (%a) {max_iters = 0 : i64} : (i64) -> i64 cond {
  ^bb0(%s: i64):
    %f = wf.const false
    wf.condition %f, %s : i64
  } body {
  ^bb0(%s: i64):
    wf.yield %s : i64
  }
  wf.return %r : i64
}

// -----

wf.graph @g(%a: i64, %t: !wf.text) -> i64 {
  // expected-error @+1 {{body-yielded types ('!wf.text') do not match the expected ('i64')}}
  %r = wf.while (%a) {max_iters = 3 : i64} : (i64) -> i64 cond {
  ^bb0(%s: i64):
    %f = wf.const false
    wf.condition %f, %s : i64
  } body {
  ^bb0(%s: i64):
    wf.yield %t : !wf.text
  }
  wf.return %r : i64
}

// -----

wf.graph @g(%a: !wf.text) -> !wf.text {
  // expected-error @+1 {{fallback must take one !wf.text (the error)}}
  %r = wf.catch %a : !wf.text fallback {
  ^bb0(%e: i64):
    wf.yield %a : !wf.text
  }
  wf.return %r : !wf.text
}

// -----

wf.graph @g(%a: !wf.text, %b: !wf.text) -> !wf.text {
  // expected-error @+1 {{output does not reach any wf.return operand}}
  wf.feedback %b : !wf.text
  wf.return %a : !wf.text
}

// -----

func.func @f(%a: !wf.text) {
  // expected-error @+1 {{expects parent op 'wf.graph'}}
  wf.feedback %a : !wf.text
  return
}

// -----

wf.graph @g(%t: !wf.token) {
  // expected-error @+1 {{cannot checkpoint a '!wf.token' value (tokens and contexts are not durable)}}
  %t1 = wf.checkpoint "c" (%t) : (!wf.token)
  wf.return
}

// -----

// A cycle through ordering tokens is a use before its definition: graphs
// are SSA blocks, so a workflow cannot wait on itself.
wf.tool_def @post : (!wf.text) -> !wf.text {effects = #wf.effects<write>}
wf.graph @token_cycle(%q: !wf.text) -> !wf.text {
  // expected-error @+1 {{operand #1 does not dominate this use}}
  %a, %t1 = wf.tool @post(%q) after(%t2) : (!wf.text) -> (!wf.text, !wf.token)
  // expected-note @+1 {{operand defined here}}
  %b, %t2 = wf.tool @post(%a) after(%t1) : (!wf.text) -> (!wf.text, !wf.token)
  wf.return %b : !wf.text
}

// -----

// A loop without a bound does not verify (LangGraph's recursion limit is
// mandatory here).
wf.graph @unbounded() -> i64 {
  %zero = wf.const 0 : i64
  // expected-error @+1 {{'wf.while' op requires attribute 'max_iters'}}
  %n = wf.while (%zero) : (i64) -> i64 cond {
  ^bb0(%s: i64):
    %f = wf.const false
    wf.condition %f, %s : i64
  } body {
  ^bb0(%s: i64):
    wf.yield %s : i64
  }
  wf.return %n : i64
}

// -----

wf.model @m
wf.model @n
wf.graph @ctx_model() -> !wf.text {
  // expected-error @+1 {{yields a context of @n, not of @m}}
  %c = wf.ctx.prefill @m [#wf.seg<text "prefix">] () : () -> !wf.ctx<@n>
  %a = wf.llm.extend %c [#wf.seg<text "rest">] () {max_tokens = 4 : i64} : (!wf.ctx<@n>) -> !wf.text
  wf.return %a : !wf.text
}

// -----

wf.model @m
wf.graph @ctx_extend() -> !wf.text {
  %c = wf.ctx.prefill @m [#wf.seg<text "prefix">] () : () -> !wf.ctx<@m>
  // expected-error @+1 {{max_tokens must be positive, got 0}}
  %a = wf.llm.extend %c [#wf.seg<text "rest">] () {max_tokens = 0 : i64} : (!wf.ctx<@m>) -> !wf.text
  wf.return %a : !wf.text
}

// -----

wf.model @m
wf.graph @ctx_operand(%q: !wf.text) -> !wf.text {
  // expected-error @+1 {{operand 0 is not used by any segment}}
  %c = wf.ctx.prefill @m [#wf.seg<text "prefix">] (%q) : (!wf.text) -> !wf.ctx<@m>
  %a = wf.llm.extend %c [#wf.seg<text "rest">] () {max_tokens = 4 : i64} : (!wf.ctx<@m>) -> !wf.text
  wf.return %a : !wf.text
}

// -----

wf.model @m
wf.graph @batch_member(%x: !wf.text) -> !wf.text {
  %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    // expected-error @+1 {{cannot be a member of wf.llm.batch: only wf.llm and wf.llm.extend can}}
    %b = wf.format [#wf.seg<operand 0>] (%x) : (!wf.text) -> !wf.text
    wf.yield %a, %b : !wf.text, !wf.text
  }
  wf.return %r#0 : !wf.text
}

// -----

wf.model @m
wf.model @n
wf.graph @batch_model(%x: !wf.text) -> !wf.text {
  %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    // expected-error @+1 {{runs on @n, not on the batch's model @m}}
    %b = wf.llm @n [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    wf.yield %a, %b : !wf.text, !wf.text
  }
  wf.return %r#0 : !wf.text
}

// -----

wf.model @m
wf.graph @batch_dependent(%x: !wf.text) -> !wf.text {
  %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    // expected-error @+1 {{reads another member's result: the members of a batch must be independent}}
    %b = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    wf.yield %a, %b : !wf.text, !wf.text
  }
  wf.return %r#1 : !wf.text
}

// -----

wf.model @m
wf.graph @batch_single(%x: !wf.text) -> !wf.text {
  // expected-error @+1 {{needs at least 2 members, has 1}}
  %r = wf.llm.batch @m : !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    wf.yield %a : !wf.text
  }
  wf.return %r : !wf.text
}

// -----

wf.model @m
wf.graph @batch_sampling(%x: !wf.text, %y: !wf.text) -> !wf.text {
  %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    // expected-error @+1 {{samples unlike the batch's first member: the members of a batch share max_tokens, temperature, stop and seed}}
    %b = wf.llm @m [#wf.seg<operand 0>] (%y) {max_tokens = 9 : i64} : (!wf.text) -> !wf.text
    wf.yield %a, %b : !wf.text, !wf.text
  }
  wf.return %r#0 : !wf.text
}

// -----

wf.model @m
wf.graph @batch_yield(%x: !wf.text, %y: !wf.text) -> !wf.text {
  // expected-error @+1 {{must yield its members' results, in order}}
  %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    %b = wf.llm @m [#wf.seg<operand 0>] (%y) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    wf.yield %b, %a : !wf.text, !wf.text
  }
  wf.return %r#0 : !wf.text
}

// -----

wf.model @m
wf.graph @batch_results(%x: !wf.text, %y: !wf.text) -> !wf.text {
  // expected-error @+1 {{has 3 results for 2 members}}
  %r:3 = wf.llm.batch @m : !wf.text, !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    %b = wf.llm @m [#wf.seg<operand 0>] (%y) {max_tokens = 8 : i64} : (!wf.text) -> !wf.text
    wf.yield %a, %b : !wf.text, !wf.text
  }
  wf.return %r#0 : !wf.text
}

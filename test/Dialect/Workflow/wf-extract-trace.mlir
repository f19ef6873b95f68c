// RUN: loom-opt %s -split-input-file --wf-extract-trace="params=x mode=trace-compat" -o /dev/null | FileCheck %s --check-prefix=COMPAT
// RUN: loom-opt %s -split-input-file --wf-extract-trace -o /dev/null | FileCheck %s --check-prefix=FULL
// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-extract-trace -o /dev/null | FileCheck %s --check-prefix=FULL
// RUN: loom-opt %s -split-input-file --wf-assign-ids --wf-inline --wf-extract-trace -o /dev/null | FileCheck %s --check-prefix=FULL
// RUN: loom-opt %s -split-input-file --wf-extract-trace="attach=true" | FileCheck %s --check-prefix=ATTACH
// RUN: not loom-opt %s -split-input-file --wf-extract-trace="mode=backward" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MODE
// MODE: error: wf-extract-trace: unknown mode 'backward' (expected full or trace-compat)

// wf.md §7.4, Trace's (x*2 + y*3) + 1. For P = {x}: the trace graph with
// levels 0 0 0 1 1 2 3, multiply:1 a blanket node (an input), y absent
// from the problem; the influence lists every trainable parameter.
// COMPAT-LABEL: "trace_example": {
// COMPAT: "add:1|x:0": [
// COMPAT-NEXT: [
// COMPAT-NEXT: 0,
// COMPAT-NEXT: "x:0"
// COMPAT: "int:0"
// COMPAT: "int:2"
// COMPAT: 1,
// COMPAT-NEXT: "multiply:0"
// COMPAT: 1,
// COMPAT-NEXT: "multiply:1"
// COMPAT: 2,
// COMPAT-NEXT: "add:0"
// COMPAT: 3,
// COMPAT-NEXT: "add:1"
// COMPAT: "influence": {
// COMPAT-NEXT: "add:1": [
// COMPAT-NEXT: "x:0",
// COMPAT-NEXT: "y:0"
// COMPAT-NEXT: ]
// COMPAT: "mode": "trace-compat",
// COMPAT: "code": [
// COMPAT-NEXT: "multiply0 = multiply(x=x0, y=int0)",
// COMPAT-NEXT: "add0 = add(x=multiply0, y=multiply1)",
// COMPAT-NEXT: "add1 = add(x=add0, y=int2)"
// COMPAT-NEXT: ],
// COMPAT-NEXT: "constraints": [
// COMPAT-NEXT: "(int) x0: x is a small integer"
// COMPAT-NEXT: ],
// COMPAT-NEXT: "documentation": [
// COMPAT-NEXT: "[multiply] Multiplies x by y.",
// COMPAT-NEXT: "[add] Adds x and y."
// COMPAT-NEXT: ],
// COMPAT-NEXT: "feedback": [
// COMPAT-NEXT: "?"
// COMPAT-NEXT: ],
// COMPAT-NEXT: "inputs": [
// COMPAT-NEXT: "(int) int0=2",
// COMPAT-NEXT: "(int) int2=1",
// COMPAT-NEXT: "(int) multiply1=?"
// COMPAT-NEXT: ],
// COMPAT-NEXT: "others": [
// COMPAT-NEXT: "(int) multiply0=?",
// COMPAT-NEXT: "(int) add0=?"
// COMPAT-NEXT: ],
// COMPAT-NEXT: "outputs": [
// COMPAT-NEXT: "(int) add1=?"
// COMPAT-NEXT: ],
// COMPAT-NEXT: "variables": [
// COMPAT-NEXT: "(int) x0=5"
// COMPAT-NEXT: ]

// For P = {x, y} (every trainable parameter): multiply:1 becomes an
// intermediate, y0 a variable and int1 an input.
// FULL-LABEL: "trace_example": {
// FULL: "add:1|x:0": [
// FULL: "add:1|y:0": [
// FULL: "influence": {
// FULL-NEXT: "add:1": [
// FULL-NEXT: "x:0",
// FULL-NEXT: "y:0"
// FULL: "mode": "full",
// FULL: "code": [
// FULL-NEXT: "multiply0 = multiply(x=x0, y=int0)",
// FULL-NEXT: "multiply1 = multiply(x=y0, y=int1)",
// FULL-NEXT: "add0 = add(x=multiply0, y=multiply1)",
// FULL-NEXT: "add1 = add(x=add0, y=int2)"
// FULL: "feedback": [
// FULL-NEXT: "add1: ?"
// FULL: "inputs": [
// FULL-NEXT: "(int) int0=2",
// FULL-NEXT: "(int) int1=3",
// FULL-NEXT: "(int) int2=1"
// FULL: "variables": [
// FULL-NEXT: "(int) x0=5",
// FULL-NEXT: "(int) y0=3"
wf.param @x : i64 = 5 {kind = #wf.param_kind<hparam>, trainable, constraint = "x is a small integer"}
wf.param @y : i64 = 3 {kind = #wf.param_kind<hparam>, trainable}
wf.code_def @multiply : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_multiply", description = "Multiplies x by y."}
wf.code_def @add : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_add", description = "Adds x and y."}
wf.graph @trace_example() -> i64 {
  %x = wf.param.get @x : i64
  %two = wf.const {wf.name = "int"} 2 : i64
  %a = wf.code @multiply(%x, %two) : (i64, i64) -> i64
  %y = wf.param.get @y : i64
  %three = wf.const {wf.name = "int"} 3 : i64
  %b = wf.code @multiply(%y, %three) : (i64, i64) -> i64
  %s = wf.code @add(%a, %b) : (i64, i64) -> i64
  %one = wf.const {wf.name = "int"} 1 : i64
  %r = wf.code @add(%s, %one) : (i64, i64) -> i64
  wf.feedback %r : i64
  wf.return %r : i64
}

// -----

// Map-reduce with prompt parameters in templates: both prompts influence
// the summary, the map prompt through the map body (one instance per op:
// may-influence); template parameters are parents named by their symbol;
// split:0, whose parent lies outside the trace graphs, is an input (a
// blanket node); in-graph feedback text is printed where it is constant.
// COMPAT-LABEL: "map_reduce": {
// COMPAT: "graphs": {}
// COMPAT: "influence": {
// COMPAT-NEXT: "llm:1": [
// COMPAT-NEXT: "map_prompt:0",
// COMPAT-NEXT: "reduce_prompt:0"
// FULL-LABEL: "map_reduce": {
// FULL: "llm:1|map_prompt:0": [
// FULL: "llm:1|reduce_prompt:0": [
// FULL: "influence": {
// FULL-NEXT: "llm:1": [
// FULL-NEXT: "map_prompt:0",
// FULL-NEXT: "reduce_prompt:0"
// FULL: "code": [
// FULL-NEXT: "llm0 = llm(arg0=split0, map_prompt=map_prompt0)",
// FULL-NEXT: "map0 = map(arg0=llm0)",
// FULL-NEXT: "join0 = join(arg0=map0)",
// FULL-NEXT: "llm1 = llm(arg0=join0, reduce_prompt=reduce_prompt0)"
// FULL: "documentation": [
// FULL-NEXT: "[llm] One completion of a language model for the prompt its inputs fill.",
// FULL-NEXT: "[map] Applies its body to every element of a list.",
// FULL-NEXT: "[join] Joins a list of texts."
// FULL: "feedback": [
// FULL-NEXT: "llm1: Too long."
// FULL: "inputs": [
// FULL-NEXT: "(list) split0=?"
// FULL: "variables": [
// FULL-NEXT: "(str) map_prompt0=Summarize this part.",
// FULL-NEXT: "(str) reduce_prompt0=Combine the partial summaries."
// With `attach`, the module's `wf.trace` is the graph's snapshot in both
// modes (wf.md §7.5), what a run takes its exact trace on; the map body's
// llm lies in region 0 (the map), the map node owns it:
// ATTACH-LABEL: module attributes {wf.trace = "{\22map_reduce\22:{\22full\22:{\22mode\22:\22full\22,\22nodes\22:[{\22id\22:\22doc:0\22
// ATTACH-SAME: \22owns\22:0},{\22id\22:\22map_prompt:0\22
// ATTACH-SAME: \22region\22:0,\22body\22:0,\22parents\22:{{\[\[\[}}2,0],\22arg0\22,0]
// ATTACH-SAME: \22regions\22:[{\22kind\22:0,\22node\22:2,
// ATTACH-SAME: \22trace-compat\22:{\22mode\22:\22trace-compat\22
// ATTACH: wf.graph @map_reduce
wf.model @m {max_concurrency = 64 : i64, max_batched_tokens = 2048 : i64, max_context = 8192 : i64}
wf.param @map_prompt : !wf.text = "Summarize this part." {kind = #wf.param_kind<prompt>, trainable}
wf.param @reduce_prompt : !wf.text = "Combine the partial summaries." {kind = #wf.param_kind<prompt>, trainable}
wf.graph @map_reduce(%doc: !wf.text {wf.name = "doc"}) -> !wf.text {
  %chunks = wf.split %doc {chunk_tokens = 1000 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<operand 0>] (%c) {max_tokens = 50 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "\n"} : !wf.list<!wf.text> -> !wf.text
  %sum = wf.llm @m [#wf.seg<param @reduce_prompt>, #wf.seg<operand 0>] (%joined) {max_tokens = 50 : i64, temperature = 0.0 : f64} : (!wf.text) -> !wf.text
  %fb = wf.const "Too long." : !wf.text
  wf.feedback %sum, %fb : !wf.text
  wf.return %sum : !wf.text
}

// -----

// A parameter that reaches the output only through an ordering token: an
// edge in full mode, none in trace-compat.
// COMPAT-LABEL: "ordered": {
// COMPAT: "influence": {
// COMPAT-NEXT: "check:0": []
// FULL-LABEL: "ordered": {
// FULL: "influence": {
// FULL-NEXT: "check:0": [
// FULL-NEXT: "x:0"
// FULL: "code": [
// FULL-NEXT: "log0 = log(message=x0, after=arg10)",
// FULL-NEXT: "check0 = check(query=arg00, after=log0)"
wf.param @x : !wf.text = "note" {kind = #wf.param_kind<prompt>, trainable}
wf.tool_def @log : (!wf.text) -> !wf.text {effects = #wf.effects<write>, timeout_ms = 100 : i64, arg_names = ["message"]}
wf.tool_def @check : (!wf.text) -> !wf.text {effects = #wf.effects<external>, timeout_ms = 100 : i64, arg_names = ["query"]}
wf.graph @ordered(%q: !wf.text, %t0: !wf.token) -> !wf.text {
  %x = wf.param.get @x : !wf.text
  %l, %t1 = wf.tool @log(%x) after(%t0) : (!wf.text) -> (!wf.text, !wf.token)
  %r, %t2 = wf.tool @check(%q) after(%t1) : (!wf.text) -> (!wf.text, !wf.token)
  wf.feedback %r : !wf.text
  wf.return %r : !wf.text
}

// -----

// A code node whose definition's source is a trainable code parameter has
// that parameter as a parent (after its data operands), named by its
// symbol; the code parameter is a variable with its source as value.
// COMPAT-LABEL: "trained_code": {
// FULL-LABEL: "trained_code": {
// FULL: "influence": {
// FULL-NEXT: "parse:0": [
// FULL-NEXT: "parser:0"
// FULL: "code": [
// FULL-NEXT: "parse0 = parse(text=q0, parser=parser0)"
// FULL: "variables": [
// FULL-NEXT: "(str) parser0=def parse(x): return x"
wf.param @parser : !wf.text = "def parse(x): return x" {kind = #wf.param_kind<code>, lang = "python", trainable}
wf.code_def @parse : (!wf.text) -> !wf.text {source = @parser, arg_names = ["text"]}
wf.graph @trained_code(%q: !wf.text {wf.name = "q"}) -> !wf.text {
  %r = wf.code @parse(%q) : (!wf.text) -> !wf.text
  wf.feedback %r : !wf.text
  wf.return %r : !wf.text
}

// -----

// wf.md C10: @limit reaches the output only through the if's condition,
// @scale through the condition and a branch's data. Full mode keeps
// condition edges, trace-compat drops them: @limit is in the full
// influence only, @scale in both (full ⊇ trace-compat).
// COMPAT-LABEL: "chosen": {
// COMPAT: "influence": {
// COMPAT-NEXT: "if:0": [
// COMPAT-NEXT: "scale:0"
// COMPAT-NEXT: ]
// FULL-LABEL: "chosen": {
// FULL: "influence": {
// FULL-NEXT: "if:0": [
// FULL-NEXT: "limit:0",
// FULL-NEXT: "scale:0"
// FULL-NEXT: ]
// FULL: "code": [
// FULL: "if0 = if(condition=above0, arg0=multiply0, arg0=x0)"
wf.param @limit : i64 = 10 {kind = #wf.param_kind<hparam>, trainable}
wf.param @scale : i64 = 3 {kind = #wf.param_kind<hparam>, trainable}
wf.code_def @multiply : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_multiply"}
wf.code_def @above : (i64, i64) -> i1 {arg_names = ["x", "limit"], external = "loom_above"}
wf.graph @chosen(%x: i64 {wf.name = "x"}) -> i64 {
  %limit = wf.param.get @limit : i64
  %scale = wf.param.get @scale : i64
  %scaled = wf.code @multiply(%x, %scale) : (i64, i64) -> i64
  %big = wf.code @above(%scaled, %limit) : (i64, i64) -> i1
  %r = wf.if %big -> i64 {
    wf.yield %scaled : i64
  } else {
    wf.yield %x : i64
  }
  wf.feedback %r : i64
  wf.return %r : i64
}

// -----

// wf.md C6, Trace's add(inner(a), 1) with @x read only inside @inner.
// trace-compat sees the call as one node and @x as a hidden dependency:
// in the influence, not in the trace graph. Full sees through the call as
// wf-inline would (the same result with and without it: RUN lines 2-4),
// @x and the callee's node included under the call's scope.
// COMPAT-LABEL: "outer": {
// COMPAT: "add:0|inner:0/x:0": [
// COMPAT-NEXT: [
// COMPAT-NEXT: 0,
// COMPAT-NEXT: "a:0"
// COMPAT: "int:0"
// COMPAT: "inner:0"
// COMPAT: "add:0"
// COMPAT-NEXT: ]
// COMPAT-NEXT: ]
// COMPAT-NEXT: },
// COMPAT-NEXT: "influence": {
// COMPAT-NEXT: "add:0": [
// COMPAT-NEXT: "inner:0/x:0"
// COMPAT: "code": [
// COMPAT-NEXT: "inner0 = inner(arg0=a0)",
// COMPAT-NEXT: "add0 = add(x=inner0, y=int0)"
// COMPAT: "variables": []
// FULL-LABEL: "outer": {
// FULL: "add:0|inner:0/x:0": [
// FULL: "inner:0/x:0"
// FULL: "inner:0/multiply:0"
// FULL: "influence": {
// FULL-NEXT: "add:0": [
// FULL-NEXT: "inner:0/x:0"
// FULL: "code": [
// FULL-NEXT: "inner0_multiply0 = multiply(x=a0, y=inner0_x0)",
// FULL-NEXT: "add0 = add(x=inner0_multiply0, y=int0)"
wf.param @x : i64 = 2 {kind = #wf.param_kind<hparam>, trainable}
wf.code_def @multiply : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_multiply"}
wf.code_def @add : (i64, i64) -> i64 {arg_names = ["x", "y"], external = "loom_add"}
wf.graph @inner(%v: i64 {wf.name = "v"}) -> i64 {
  %x = wf.param.get @x : i64
  %r = wf.code @multiply(%v, %x) : (i64, i64) -> i64
  wf.return %r : i64
}
wf.graph @outer(%a: i64 {wf.name = "a"}) -> i64 {
  %i = wf.call @inner(%a) : (i64) -> i64
  %one = wf.const {wf.name = "int"} 1 : i64
  %r = wf.code @add(%i, %one) : (i64, i64) -> i64
  wf.feedback %r : i64
  wf.return %r : i64
}

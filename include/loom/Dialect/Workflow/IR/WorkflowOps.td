#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_TD
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_TD

include "loom/Dialect/Workflow/IR/WorkflowAttrs.td"
include "loom/Dialect/Workflow/IR/WorkflowInterfaces.td"
include "loom/Dialect/Workflow/IR/WorkflowTypes.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/FunctionInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Every node op except wf.const and wf.param.get reads and writes this
// resource, so upstream CSE and DCE never merge or drop workflow nodes.
def Wf_NodeResource : Resource<"::mlir::loom::wf::NodeResource">;
def Wf_NodeEffects : MemoryEffects<[MemRead<Wf_NodeResource>,
                                    MemWrite<Wf_NodeResource>]>;

//===----------------------------------------------------------------------===//
// Module-level declarations
//===----------------------------------------------------------------------===//

def Wf_ModelOp : Wf_Op<"model", [Symbol]> {
  let summary = "a logical LLM with its serving limits";
  let description = [{
    Names a model that LLM nodes call; the backend is bound at run time.
    Its limits feed the scheduler and the cost model.

    ```mlir
    wf.model @m {max_concurrency = 64 : i64, max_batched_tokens = 2048 : i64,
                 max_context = 8192 : i64}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       DefaultValuedAttr<I64Attr, "64">:$max_concurrency,
                       DefaultValuedAttr<I64Attr, "2048">:$max_batched_tokens,
                       DefaultValuedAttr<I64Attr, "8192">:$max_context);
  let assemblyFormat = "$sym_name attr-dict";
  let hasVerifier = 1;
}

def Wf_ParamOp : Wf_Op<"param", [Symbol]> {
  let summary = "a (trainable) parameter of the workflow";
  let description = [{
    A module-level global, constant during one invocation; optimizers swap
    the runtime's parameter table between invocations. `kind` fixes its
    type: `prompt` text, `hparam` i64 or f64 (with an optional `range`
    holding the initial value), `code` text with a `lang`, `demos` a list of
    text, `choice` an i64 index into `options`.

    ```mlir
    wf.param @map_prompt : !wf.text = "Summarize this part."
        {kind = #wf.param_kind<prompt>, trainable}
    wf.param @temperature : f64 = 0.7 {kind = #wf.param_kind<hparam>,
        range = [0.0, 2.0]}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, TypeAttr:$type,
                       AnyAttr:$initial_value, Wf_ParamKindAttr:$kind,
                       UnitAttr:$trainable, OptionalAttr<StrAttr>:$description,
                       OptionalAttr<StrAttr>:$constraint,
                       OptionalAttr<ArrayAttr>:$range,
                       OptionalAttr<ArrayAttr>:$options,
                       OptionalAttr<StrAttr>:$lang);
  let assemblyFormat = "$sym_name `:` $type `=` $initial_value attr-dict";
  let hasVerifier = 1;
}

def Wf_ToolDefOp : Wf_Op<"tool_def", [Symbol]> {
  let summary = "an external tool the workflow calls";
  let description = [{
    Declares a tool with its signature, effects, timeout and retry policy.
    Retrying needs a timeout; retrying a `write` tool needs `idempotent`.

    ```mlir
    wf.tool_def @search : (!wf.text) -> !wf.text {effects = #wf.effects<read>,
        timeout_ms = 2000 : i64, retry = #wf.retry<max_attempts = 3, backoff_ms = 200>}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<StrArrayAttr>:$arg_names,
                       DefaultValuedAttr<Wf_EffectsAttr,
                         "::mlir::loom::wf::Effects::External">:$effects,
                       OptionalAttr<I64Attr>:$timeout_ms,
                       OptionalAttr<Wf_RetryAttr>:$retry,
                       UnitAttr:$idempotent, UnitAttr:$deterministic,
                       OptionalAttr<I64Attr>:$max_concurrency,
                       OptionalAttr<StrAttr>:$description);
  let assemblyFormat = "$sym_name `:` $function_type attr-dict";
  let hasVerifier = 1;
}

def Wf_CodeDefOp : Wf_Op<"code_def", [Symbol,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a code node's implementation";
  let description = [{
    Native code (`impl = @func` compiled by Loom, or `external = "symbol"`,
    a C symbol; `extern` is a C++ keyword)
    or a trainable `source = @code_param`.

    ```mlir
    wf.code_def @extract : (!wf.text) -> !wf.text {external = "extract_answer"}
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<StrArrayAttr>:$arg_names,
                       OptionalAttr<FlatSymbolRefAttr>:$impl,
                       OptionalAttr<StrAttr>:$external,
                       OptionalAttr<FlatSymbolRefAttr>:$source,
                       OptionalAttr<StrAttr>:$lang,
                       OptionalAttr<StrAttr>:$description);
  let assemblyFormat = "$sym_name `:` $function_type attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Graphs
//===----------------------------------------------------------------------===//

def Wf_GraphOp : Wf_Op<"graph", [FunctionOpInterface, IsolatedFromAbove,
                                 Symbol]> {
  let summary = "a callable workflow graph";
  let description = [{
    One block of node ops ending in `wf.return`. Values are data and ops are
    nodes: a node runs once its operands are ready, whatever the textual
    order. Only `wf` ops may appear directly in the body (upstream, `moe`
    and `lut` ops go inside `wf.compute`).

    ```mlir
    wf.graph @g(%q: !wf.text) -> !wf.text attributes {objective = #wf.objective<latency>} {
      %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 16 : i64}
             : (!wf.text) -> !wf.text
      wf.return %a : !wf.text
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<FunctionType>:$function_type,
                       OptionalAttr<DictArrayAttr>:$arg_attrs,
                       OptionalAttr<DictArrayAttr>:$res_attrs,
                       OptionalAttr<Wf_ObjectiveAttr>:$objective);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ArrayRef<Type> getArgumentTypes() { return getFunctionType().getInputs(); }
    ArrayRef<Type> getResultTypes() { return getFunctionType().getResults(); }
    Region *getCallableRegion() { return &getBody(); }
  }];
}

def Wf_ReturnOp : Wf_Op<"return", [Pure, HasParent<"GraphOp">, ReturnLike,
                                   Terminator]> {
  let summary = "the graph's outputs";
  let description = "`wf.return %v : !wf.text`: the dataflow sinks.";
  let arguments = (ins Variadic<AnyType>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` qualified(type($operands)))?";
  let hasVerifier = 1;
}

def Wf_YieldOp : Wf_Op<"yield", [Pure, ReturnLike, Terminator,
    ParentOneOf<["ComputeOp", "MapOp", "ReplicateOp", "IfOp", "WhileOp",
                 "CatchOp", "LlmBatchOp"]>]> {
  let summary = "ends a region of a structured node";
  let description = "`wf.yield %v : !wf.text`.";
  let arguments = (ins Variadic<AnyType>:$operands);
  let builders = [OpBuilder<(ins), [{ build($_builder, $_state, ValueRange()); }]>];
  let assemblyFormat = "attr-dict ($operands^ `:` qualified(type($operands)))?";
}

def Wf_ConditionOp : Wf_Op<"condition", [Pure, Terminator,
                                         HasParent<"WhileOp">]> {
  let summary = "ends a wf.while condition region";
  let description = [{
    `wf.condition %c, %s : !wf.text`: continue with state %s while %c.
  }];
  let arguments = (ins I1:$condition, Variadic<AnyType>:$state);
  let assemblyFormat = "$condition (`,` $state^ `:` qualified(type($state)))? attr-dict";
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

def Wf_ConstOp : Wf_Op<"const", [Wf_TraceNodeOpInterface, Pure, ConstantLike,
                                 AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant: a root node";
  let description = [{
    `%c = wf.const "text" : !wf.text` (a string attribute typed `!wf.text`);
    also i1, i64, f64 and tensor constants.
  }];
  let arguments = (ins TypedAttrInterface:$value);
  let results = (outs Wf_DataType:$result);
  let assemblyFormat = "attr-dict $value";
  // ConstantLike ops must fold to their value: the greedy rewriter keys
  // its constant deduplication on it.
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Wf_ParamGetOp : Wf_Op<"param.get", [Pure,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "read a parameter (a Trace ParameterNode)";
  let description = "`%p = wf.param.get @prompt : !wf.text`.";
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs Wf_DataType:$result);
  let assemblyFormat = "$param attr-dict `:` qualified(type($result))";
}

def Wf_FormatOp : Wf_Op<"format", [Wf_TraceNodeOpInterface, Wf_NodeEffects,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "fill a text template";
  let description = [{
    Concatenates the segments: literal text, operands, prompt parameters.

    ```mlir
    %p = wf.format [#wf.seg<text "Q: ">, #wf.seg<operand 0>] (%q)
           : (!wf.text) -> !wf.text
    ```
  }];
  let arguments = (ins TypedArrayAttrBase<Wf_SegAttr, "segments">:$segments,
                       Variadic<Wf_DataType>:$args);
  let results = (outs Wf_TextType:$result);
  let assemblyFormat = [{
    $segments `(` $args `)` attr-dict `:` functional-type($args, $result)
  }];
  let hasVerifier = 1;
}

def Wf_LlmOp : Wf_Op<"llm", [DeclareOpInterfaceMethods<Wf_TraceNodeOpInterface,
                              ["isDeterministic"]>, Wf_NodeEffects,
    DeclareOpInterfaceMethods<Wf_CompletionOpInterface, ["getModelSymbol"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "one LLM completion";
  let description = [{
    Sends the prompt built from `segments` to model `@m`. Deterministic iff
    `temperature` is 0 or a `seed` is given. `temperature` is a literal in
    [0, 2] or a `#wf.param_ref` to an f64 hparam ranging within [0, 2].

    ```mlir
    %s = wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<operand 0>] (%c)
           {max_tokens = 50 : i64, temperature = 0.0 : f64}
           : (!wf.text) -> !wf.text
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$model,
                       TypedArrayAttrBase<Wf_SegAttr, "segments">:$segments,
                       Variadic<Wf_DataType>:$args,
                       I64Attr:$max_tokens,
                       OptionalAttr<AnyAttrOf<[F64Attr, Wf_ParamRefAttr]>>:$temperature,
                       OptionalAttr<StrArrayAttr>:$stop,
                       OptionalAttr<I64Attr>:$seed,
                       OptionalAttr<Wf_CostAttr>:$cost);
  let results = (outs Wf_TextType:$result);
  let assemblyFormat = [{
    $model $segments `(` $args `)` attr-dict `:` functional-type($args, $result)
  }];
  let hasVerifier = 1;
}

def Wf_CtxPrefillOp : Wf_Op<"ctx.prefill", [Wf_NodeEffects,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "a prompt prefix computed once (from wf-prefix-share)";
  let description = [{
    The prefix several `wf.llm.extend` calls share, as Parrot's shared
    prefix or SGLang's fork point. A backend with context handles keeps it;
    one with a prefix cache gets a one-token warm-up request; extensions
    then send the whole prompt.

    ```mlir
    %ctx = wf.ctx.prefill @m [#wf.seg<param @system>] () : () -> !wf.ctx<@m>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$model,
                       TypedArrayAttrBase<Wf_SegAttr, "segments">:$segments,
                       Variadic<Wf_DataType>:$args);
  let results = (outs Wf_CtxType:$ctx);
  let assemblyFormat = [{
    $model $segments `(` $args `)` attr-dict `:` functional-type($args, $ctx)
  }];
  let hasVerifier = 1;
}

def Wf_LlmExtendOp : Wf_Op<"llm.extend", [Wf_NodeEffects,
    DeclareOpInterfaceMethods<Wf_CompletionOpInterface, ["getModelSymbol"]>,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "one completion of a shared prefix and its own segments";
  let description = [{
    The `wf.llm` that `wf-prefix-share` split: its prompt is the context's
    prefix followed by `segments`, byte for byte the original prompt; the
    sampling attributes are the original's.

    ```mlir
    %a = wf.llm.extend %ctx [#wf.seg<operand 0>] (%q) {max_tokens = 100 : i64}
           : (!wf.ctx<@m>, !wf.text) -> !wf.text
    ```
  }];
  let arguments = (ins Wf_CtxType:$ctx,
                       TypedArrayAttrBase<Wf_SegAttr, "segments">:$segments,
                       Variadic<Wf_DataType>:$args,
                       I64Attr:$max_tokens,
                       OptionalAttr<AnyAttrOf<[F64Attr, Wf_ParamRefAttr]>>:$temperature,
                       OptionalAttr<StrArrayAttr>:$stop,
                       OptionalAttr<I64Attr>:$seed,
                       OptionalAttr<Wf_CostAttr>:$cost);
  let results = (outs Wf_TextType:$result);
  let assemblyFormat = [{
    $ctx $segments `(` $args `)` attr-dict `:` functional-type(operands, $result)
  }];
  let hasVerifier = 1;
}

def Wf_LlmBatchOp : Wf_Op<"llm.batch", [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "independent completions sent as one request (from wf-batch)";
  let description = [{
    Its body holds completions (`wf.llm`, `wf.llm.extend`) of one model
    with equal sampling attributes, none reading another's result; the
    runtime sends them in one request once all their inputs are ready
    (a backend without a batch entry gets them one by one). Result `i` is
    member `i`'s: the members keep their ids and origins, and the Trace
    instance graph sees them, not the batch.

    ```mlir
    %r:2 = wf.llm.batch @m : !wf.text, !wf.text {
      %a = wf.llm @m [#wf.seg<operand 0>] (%x) {max_tokens = 8 : i64}
             : (!wf.text) -> !wf.text
      %b = wf.llm @m [#wf.seg<operand 0>] (%y) {max_tokens = 8 : i64}
             : (!wf.text) -> !wf.text
      wf.yield %a, %b : !wf.text, !wf.text
    }
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$model);
  let results = (outs Variadic<Wf_TextType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$model attr-dict `:` type($results) $body";
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The completions, in result order.
    SmallVector<CompletionOpInterface> getMembers();
  }];
}

def Wf_ToolOp : Wf_Op<"tool", [DeclareOpInterfaceMethods<Wf_TraceNodeOpInterface,
                              ["getTraceBase", "getCalleeSymbol",
                               "hasExternalEffects", "isDeterministic"]>,
    Wf_NodeEffects, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "call an external tool";
  let description = [{
    Calls `@t` with its def's effects, timeout and retry policy. A `write`
    or `external` tool takes one ordering token (`after`) and returns one.

    ```mlir
    %r, %t1 = wf.tool @post(%q) after(%t0) : (!wf.text) -> (!wf.text, !wf.token)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$tool, Variadic<Wf_DataType>:$args,
                       Optional<Wf_TokenType>:$after);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = [{
    $tool `(` $args `)` (`after` `(` $after^ `)`)? attr-dict `:`
    functional-type($args, $results)
  }];
}

def Wf_CodeOp : Wf_Op<"code", [DeclareOpInterfaceMethods<Wf_TraceNodeOpInterface,
                              ["getTraceBase", "getCalleeSymbol"]>,
    Wf_NodeEffects,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "run a code node";
  let description = [{
    `%y = wf.code @extract(%x) : (!wf.text) -> !wf.text` runs the def's
    native function (or its trainable source).
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<Wf_DataType>:$args);
  let results = (outs Variadic<Wf_DataType>:$results);
  let assemblyFormat = [{
    $callee `(` $args `)` attr-dict `:` functional-type($args, $results)
  }];
}

def Wf_ComputeOp : Wf_Op<"compute", [Wf_TraceNodeOpInterface, Wf_NodeEffects, IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "a tensor computation node";
  let description = [{
    An isolated region of upstream MLIR plus `moe` and `lut` ops, compiled
    by Loom's tensor pipeline. Its block arguments are the operands.

    ```mlir
    %y = wf.compute(%a) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%x: tensor<4xf32>):
      %s = arith.addf %x, %x : tensor<4xf32>
      wf.yield %s : tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Wf_DataType>:$args);
  let results = (outs Variadic<Wf_DataType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $args `)` attr-dict `:` functional-type($args, $results) $body
  }];
  let hasRegionVerifier = 1;
}

def Wf_SplitOp : Wf_Op<"split", [Wf_TraceNodeOpInterface, Wf_NodeEffects]> {
  let summary = "split a text into chunks of about `chunk_tokens` tokens";
  let description = [{
    `%l = wf.split %doc {chunk_tokens = 1000 : i64} : !wf.text -> !wf.list<!wf.text>`
  }];
  let arguments = (ins Wf_TextType:$input, I64Attr:$chunk_tokens);
  let results = (outs Wf_ListType:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` qualified(type($result))";
  let hasVerifier = 1;
}

def Wf_JoinOp : Wf_Op<"join", [Wf_TraceNodeOpInterface, Wf_NodeEffects]> {
  let summary = "join a list of text with a separator";
  let description = [{
    `%t = wf.join %l {sep = "\n"} : !wf.list<!wf.text> -> !wf.text`
  }];
  let arguments = (ins Wf_ListType:$input,
                       DefaultValuedAttr<StrAttr, "\"\"">:$sep);
  let results = (outs Wf_TextType:$result);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `->` qualified(type($result))";
  let hasVerifier = 1;
}

def Wf_MapOp : Wf_Op<"map", [Wf_TraceNodeOpInterface, Wf_NodeEffects]> {
  let summary = "data-parallel fan-out over a list";
  let description = [{
    Runs the body once per element (independent iterations, at most
    `max_parallel` at a time) and collects the yields into a list.

    ```mlir
    %parts = wf.map %chunks {max_parallel = 16 : i64}
               : !wf.list<!wf.text> -> !wf.list<!wf.text> {
    ^bb0(%c: !wf.text):
      wf.yield %c : !wf.text
    }
    ```
  }];
  let arguments = (ins Wf_ListType:$input,
                       DefaultValuedAttr<I64Attr, "16">:$max_parallel);
  let results = (outs Wf_ListType:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $input attr-dict `:` qualified(type($input)) `->` qualified(type($result)) $body
  }];
  let hasRegionVerifier = 1;
}

def Wf_ReplicateOp : Wf_Op<"replicate", [DeclareOpInterfaceMethods<Wf_TraceNodeOpInterface,
                              ["isDeterministic"]>, Wf_NodeEffects]> {
  let summary = "n samples of a sub-graph (SGLang fork)";
  let description = [{
    Iteration i receives i : i64 and samples with seed `seed_base + i`.

    ```mlir
    %all = wf.replicate 8 {seed_base = 100 : i64} : !wf.list<!wf.text> {
    ^bb0(%i: i64):
      ...
      wf.yield %a : !wf.text
    }
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntMinValue<1>]>:$count,
                       DefaultValuedAttr<I64Attr, "0">:$seed_base);
  let results = (outs Wf_ListType:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$count attr-dict `:` qualified(type($result)) $body";
  let hasRegionVerifier = 1;
}

def Wf_IfOp : Wf_Op<"if", [Wf_TraceNodeOpInterface, Wf_NodeEffects]> {
  let summary = "structured branch";
  let description = [{
    ```mlir
    %r = wf.if %c -> !wf.text { wf.yield %a : !wf.text } else { wf.yield %b : !wf.text }
    ```
  }];
  let arguments = (ins I1:$condition);
  let results = (outs Variadic<Wf_DataType>:$results);
  let regions = (region SizedRegion<1>:$then_region,
                        SizedRegion<1>:$else_region);
  let assemblyFormat = [{
    $condition (`->` qualified(type($results))^)? $then_region `else` $else_region attr-dict
  }];
  let hasRegionVerifier = 1;
}

def Wf_WhileOp : Wf_Op<"while", [Wf_TraceNodeOpInterface, Wf_NodeEffects]> {
  let summary = "bounded loop";
  let description = [{
    Evaluates `cond` on the state; while its `wf.condition` is true, runs
    `body` on the state it forwards. `max_iters` (mandatory, >= 1) bounds
    the loop, as LangGraph's recursion limit.

    ```mlir
    %r = wf.while (%s0) {max_iters = 8 : i64} : (!wf.text) -> !wf.text cond {
    ^bb0(%s: !wf.text):
      ...
      wf.condition %c, %s : !wf.text
    } body {
    ^bb0(%s: !wf.text):
      ...
      wf.yield %n : !wf.text
    }
    ```
  }];
  let arguments = (ins Variadic<Wf_DataType>:$inits, I64Attr:$max_iters);
  let results = (outs Variadic<Wf_DataType>:$results);
  let regions = (region SizedRegion<1>:$cond, SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inits `)` attr-dict `:` functional-type($inits, $results)
    `cond` $cond `body` $body
  }];
  let hasRegionVerifier = 1;
}

def Wf_CatchOp : Wf_Op<"catch", [Wf_NodeEffects,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "turn an errored value into data";
  let description = [{
    If `%v` is errored, runs `fallback` on the error text and returns its
    yield; otherwise returns `%v` (Trace's errors as feedback).

    ```mlir
    %safe = wf.catch %r : !wf.text fallback {
    ^bb0(%err: !wf.text):
      wf.yield %err : !wf.text
    }
    ```
  }];
  let arguments = (ins Wf_DataType:$input);
  let results = (outs Wf_DataType:$result);
  let regions = (region SizedRegion<1>:$fallback);
  let assemblyFormat = "$input attr-dict `:` qualified(type($input)) `fallback` $fallback";
  let hasRegionVerifier = 1;
}

def Wf_FeedbackOp : Wf_Op<"feedback", [HasParent<"GraphOp">, Wf_NodeEffects]> {
  let summary = "mark an output as an objective";
  let description = [{
    `wf.feedback %out [, %fb]`: `%out` must be, or reach, a `wf.return`
    operand; `%fb` is in-graph feedback text (else the runtime API supplies
    it). Inert for execution.
  }];
  let arguments = (ins Wf_DataType:$output, Optional<Wf_TextType>:$feedback);
  let assemblyFormat = [{
    $output (`,` $feedback^)? attr-dict `:` qualified(type($output))
  }];
  let hasVerifier = 1;
}

def Wf_CheckpointOp : Wf_Op<"checkpoint", [Wf_NodeEffects,
                                           AttrSizedOperandSegments]> {
  let summary = "a named durability barrier";
  let description = [{
    `%t = wf.checkpoint "after_map" (%v) after(%t0) : (!wf.list<!wf.text>)`
    flushes the run journal before its successors start.
  }];
  let arguments = (ins StrAttr:$name, Variadic<AnyType>:$values,
                       Optional<Wf_TokenType>:$after);
  let results = (outs Wf_TokenType:$token);
  let assemblyFormat = [{
    $name `(` $values `)` (`after` `(` $after^ `)`)? attr-dict `:`
    `(` qualified(type($values)) `)`
  }];
  let hasVerifier = 1;
}

def Wf_CallOp : Wf_Op<"call", [DeclareOpInterfaceMethods<Wf_TraceNodeOpInterface,
                              ["getTraceBase", "getCalleeSymbol",
                               "hasExternalEffects", "isDeterministic"]>,
    Wf_NodeEffects,
    DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "call a sub-graph";
  let description = [{
    `%o = wf.call @sub(%x) : (!wf.text) -> !wf.text`; inlined by `wf-inline`
    unless recursive or `noinline`.
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyType>:$args,
                       UnitAttr:$noinline);
  let results = (outs Variadic<AnyType>:$results);
  let assemblyFormat = [{
    $callee `(` $args `)` attr-dict `:` functional-type($args, $results)
  }];
}

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_TD

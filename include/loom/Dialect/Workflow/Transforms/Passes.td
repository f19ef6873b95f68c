#ifndef LOOM_DIALECT_WORKFLOW_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_WORKFLOW_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def WfAssignIds : Pass<"wf-assign-ids", "::mlir::ModuleOp"> {
  let summary = "Give every workflow node its stable Trace id";
  let description = [{
    wf.md §7.1: in each `wf.graph`, every node gets `wf.id = "base:k"`, k
    counting per base in textual pre-order (regions included). Bases: the
    op's `wf.name` if present, else the callee of `wf.code`, `wf.tool` and
    `wf.call`, else the op's mnemonic (`llm`, `format`, `const`, `map`, …).
    Graph arguments get an argument attribute `wf.id` (base: the argument's
    `wf.name`, else `arg<i>`). A parameter is one node per graph, numbered
    where it is first referenced (a `wf.param.get`, a `#wf.seg<param @p>`
    or a `#wf.param_ref<@p>`), before the referencing op; every
    `wf.param.get` carries its parameter's id and the graph lists them in
    `wf.params = {p = "p:0", ...}`. Terminators, `wf.feedback`,
    `wf.checkpoint` and `wf.catch` are not nodes.

    Ids are given once: a graph that already has ids keeps them, and the
    pass checks that they are unique (a located error otherwise). Later
    passes keep ids and record `wf.origin`, so traces are reported in the
    ids of the source.
  }];
}

def WfDce : Pass<"wf-dce", "::mlir::ModuleOp"> {
  let summary = "Remove workflow nodes that reach no output";
  let description = [{
    wf.md §6 #4. Removes every node whose value reaches no `wf.return`,
    `wf.feedback` or `wf.checkpoint` — constants, parameter reads,
    templates, LLM calls, code and tensor nodes, pure and read tools,
    catches, and structured nodes (with their bodies) — innermost and last
    first, so chains of dead nodes go at once. Nodes with external effects
    (`write`/`external` tools, which order through tokens, and `wf.call`
    until `wf-inline`) are never removed, nor is a structured node whose
    body holds one. Upstream DCE cannot do this: every node op carries an
    effect on Loom's node resource so that upstream passes leave workflow
    nodes alone (wf.md §1 rule 2).

    Afterwards, a warning at each trainable `wf.param` that no graph reads
    any more (or never read): it would get no trace graph and no
    `#Variables` entry, so an optimizer could never change it (wf.md §10
    C5). With `strict-params` the warning is an error and the pass fails.
  }];
  let options = [
    Option<"strictParams", "strict-params", "bool", /*default=*/"false",
           "Make a trainable parameter without influence an error">,
  ];
}

def WfInline : Pass<"wf-inline", "::mlir::ModuleOp"> {
  let summary = "Inline wf.call of sub-graphs";
  let description = [{
    wf.md §6 #2. Replaces each `wf.call` whose callee is not recursive
    (reaches no call back to itself) and not marked `noinline` by the
    callee's body, innermost calls too. Inlined nodes are named in Trace's
    name scopes: a node `inner:0` of the callee inlined by the call
    `helper:0` gets `wf.id = "helper:0/inner:0"`; the node computing a
    returned value also gets the call's id in its `wf.origin`, since its
    value is the call's. Parameters the callee reads join the caller's
    `wf.params` under scoped ids. The callee's `wf.feedback` ops are not
    inlined (the caller names its own outputs). Graphs no longer called
    stay: they may be entry points.
  }];
}

def WfCanonicalize : Pass<"wf-canonicalize", "::mlir::ModuleOp"> {
  let summary = "Fold constants into templates and branches on constants";
  let description = [{
    wf.md §6 #3, values unchanged. A `wf.format` or `wf.llm` operand that
    is a text `wf.const` becomes a `#wf.seg<text>` segment of the template
    (the operand goes and later segment indices shift), adjacent text
    segments merge, and a `wf.format` left with text alone becomes a
    `wf.const` — so static prompt prefixes are visible to prefix sharing.
    A `wf.if` on a constant condition becomes its taken branch. Constants
    nobody reads any more are erased. (There are no list constants, so
    `wf.join` has nothing to fold yet.)
  }];
}

def WfCse : Pass<"wf-cse", "::mlir::ModuleOp"> {
  let summary = "Merge identical deterministic workflow nodes";
  let description = [{
    wf.md §6 #5. Two nodes merge when they are the same op with the same
    operands, attributes (template, model, sampling attributes, seed, …;
    the discardable `wf.id`, `wf.name`, `wf.origin` and `wf.sched` aside)
    and result types, the earlier one dominates the later one (same block
    or an enclosing one), and the node is deterministic
    (`TraceNodeOpInterface::isDeterministic`: an LLM call at temperature 0
    or with a seed, a tool whose def says `deterministic`; never a sample
    or a call) without external effects. The kept node's `wf.origin` lists
    the source ids of both (their own origins, else their `wf.id`s), so
    traces still name every source node (wf.md §7.5). Structured nodes are
    not merged.
  }];
}

def WfDeduceObjectives : Pass<"wf-deduce-objectives", "::mlir::ModuleOp"> {
  let summary = "Give every node Parrot's latency or throughput objective";
  let description = [{
    wf.md §6 #6, Parrot's rule. The values a graph returns get the graph's
    `objective` (latency when it has none); going backwards, a node is
    `latency` if any node reading it is, else `throughput` (a node nothing
    reads takes the graph's objective). Task groups, whose members are
    batched for throughput because only the last member's end matters:
    the LLM calls of every `wf.map` / `wf.replicate` body, and two or more
    mutually independent LLM calls read by one node (a join, a template,
    another call). Members get `throughput` and `wf.group = g` (one group
    per map/replicate or consumer, numbered in source order); everything
    else gets `wf.objective` only. Exactly one objective per node. A group
    member's own throughput objective is what its readers see: latency
    does not propagate through a group, so the calls that only feed a
    batch are batched too (Parrot's multi-agent pipelines, wf.md W3).
  }];
}

def WfPrefixShare : Pass<"wf-prefix-share", "::mlir::ModuleOp"> {
  let summary = "Compute shared static prompt prefixes once";
  let description = [{
    wf.md §6 #7 (Parrot's shared prefixes, SGLang's fork). The static
    prefix of an LLM call is its leading text and parameter segments. Calls
    of one block to one model whose static prefixes share at least
    `min-shared-tokens` tokens (segment by segment, then the common start
    of the next text) become one `wf.ctx.prefill` of the shared part and a
    `wf.llm.extend` each with the rest; a call in a `wf.map` or
    `wf.replicate` body, which runs once per iteration, shares with its own
    iterations: its prefill is hoisted before the region op. The prefill
    text followed by an extension's segments is the original prompt, byte
    for byte; sampling attributes, ids and origins stay on the extension.
  }];
  let options = [
    Option<"minSharedTokens", "min-shared-tokens", "int64_t",
           /*default=*/"64", "Fewest shared tokens worth a prefill">,
  ];
}

def WfBatch : Pass<"wf-batch", "::mlir::ModuleOp"> {
  let summary = "Send independent completions of one model as one request";
  let description = [{
    wf.md §6 #8. In each block, completions (`wf.llm`, `wf.llm.extend`)
    with the same model, sampling attributes and objective that become
    ready at the same instant become one `wf.llm.batch`. Ready together
    means an equal *frontier*: the external calls (completions, prefills,
    tools, sub-graphs, tensor code, structured nodes holding one) whose
    completion makes the op ready, looking through templating and native
    code. A batch therefore never waits on its slowest member's inputs, and
    its members are independent: a path from one completion to another
    puts the first, or a call after it, into the second's frontier. A batch
    holds at most `max-batch` members (0: the model's `max_concurrency`)
    and at most the model's `max_batched_tokens` prompt tokens, counted
    from the static segments, a `#wf.cost<prefill = N>` hint replacing the
    count; a completion over that cap alone stays unbatched.
  }];
  let options = [
    Option<"maxBatch", "max-batch", "int64_t", /*default=*/"0",
           "Most members per batch; 0: the model's max_concurrency">,
  ];
}

def WfSchedule : Pass<"wf-schedule", "::mlir::ModuleOp"> {
  let summary = "List-schedule workflow nodes and give them priorities";
  let description = [{
    wf.md §6 #9. Estimates each node's latency with the token model of
    wf.md §9.1 (an LLM call: its estimated prompt tokens times the prefill
    rate plus `max_tokens` decode steps; a tool: its def's `sim_ms`, else
    its `timeout_ms`; a `wf.compute`: the cost model's `wf.latency` on one
    core of `isa` — the learned regression shipped for the target class
    (`cost-model=auto`), or analytically the roofline time of its body's
    work summed over its ops (`cost-model=roofline`, and where no model
    fits; `cost::LatencyModel`); free if a size is dynamic); a `wf.map`/`wf.replicate`: its body's critical path,
    iterations in parallel; a `wf.if`: its longer branch; text and code
    nodes: free), computes every node's upward rank (HEFT's b-level: its
    cost plus the longest path after it, regions included), and list-
    schedules the graph under each `wf.model`'s `max_concurrency` and each
    tool's `max_concurrency`, highest rank first. Writes `#wf.sched<priority
    = rank in µs, stage = ASAP level, group = wf.group or -1>` on every node
    (the runtime orders ready calls by objective, then priority) and
    remarks on each graph with the estimated makespan, the critical path
    and the lower bound max(critical path, per-model work / concurrency).
    Prompt sizes the IR does not fix come from the options.
  }];
  let options = [
    Option<"prefillMsPerToken", "prefill-ms-per-token", "double",
           /*default=*/"0.1", "Prefill time per prompt token (ms)">,
    Option<"decodeMsPerToken", "decode-ms-per-token", "double",
           /*default=*/"18.25", "Decode time per output token (ms)">,
    Option<"argTokens", "arg-tokens", "int64_t", /*default=*/"0",
           "Estimated tokens of each text argument of a graph">,
    Option<"listLength", "list-length", "int64_t", /*default=*/"8",
           "Estimated length of a list the IR does not size">,
    Option<"isa", "isa", "std::string", /*default=*/"\"generic\"",
           "The target whose throughputs cost wf.compute nodes (avx512-vnni, "
           "avx512, avx2, generic; loom-compile passes the host's)">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "The CPU the kernels run on, by LLVM's name (as -mcpu): its own "
           "models and calibration where Loom ships them, else the ISA "
           "class's; empty for any CPU of the ISA">,
    Option<"costModel", "cost-model", "std::string", /*default=*/"\"auto\"",
           "What estimates wf.compute latencies: auto (the learned wf.latency "
           "model of the isa's target class, else the roofline), roofline, "
           "or a directory of models">,
  ];
}

def WfExtractTrace : Pass<"wf-extract-trace", "::mlir::ModuleOp"> {
  let summary = "Extract the Trace subgraphs and OptoPrime problem as JSON";
  let description = [{
    wf.md §7.2–7.3 on the instance graph of each `wf.graph` with outputs:
    for every trainable parameter p and output o (a `wf.feedback` operand),
    OnPath(p, o) = desc(p) ∩ anc(o), its blanket (the on-path nodes' other
    parents) and the trace graph OnPath ∪ Blanket, each node with its level
    (longest path from a root over the whole graph), ordered by (level,
    source order); the influence of each output; and OptoPrime's problem
    sections over the union U of the trace graphs — `#Variables`,
    `#Inputs`, `#Others`, `#Outputs`, `#Code` (`py = base(name=parent,
    …)` per intermediate, sorted by level and text), `#Documentation`
    (each base's def description), `#Constraints` and `#Feedback`.
    Statically known values (constants, initial parameter values) are
    printed, the others as `?` for the runtime's value log to fill.

    Modes: `trace-compat` (data edges only; `#Outputs` are U's
    intermediates at the deepest level, as Trace prints them; one feedback
    text for all outputs, as Trace merges them — outputs whose texts cannot
    be shown equal are an error at the second `wf.feedback`) and `full`
    (default: token edges and if/while conditions are edges too; `#Outputs`
    are the feedback outputs, `#Feedback` one line per output). Ids are
    `wf-assign-ids`'s, so a trace names
    source nodes whatever the later passes did. A graph with region ops
    gives the may-influence over one instance per op (wf.md §7.5). A
    `wf.call` (C6): trace-compat keeps it one node, the parameters its
    callee reads (transitively) hidden dependencies — in the influence,
    not in trace graphs or problems — named `<call id>/<id>`; full mode
    sees through it exactly as after `wf-inline` (extraction on an inlined
    copy of the module), so its result is the same before and after.

    Output: one JSON object keyed by graph name (stdout, or
    `output-file`). With `attach`, the module gets instead a `wf.trace`
    string attribute: each graph's trace snapshot (wf.md §7.5) in both
    modes — the source graph with region arguments and results kept as
    references — which `convert-wf-to-runtime` embeds and the runtime
    instantiates over the instances a run executed (`loom-run --trace`);
    `loom-wf-pipeline` attaches it before any other pass changes the
    graph. The module is otherwise unchanged.
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"full\"",
           "full or trace-compat">,
    Option<"outputFile", "output-file", "std::string", /*default=*/"\"-\"",
           "Where to write the JSON ('-': stdout)">,
    Option<"attach", "attach", "bool", /*default=*/"false",
           "Attach the JSON to the module as `wf.trace` instead of "
           "writing it">,
    ListOption<"params", "params", "std::string",
               "The parameters P of the trace graphs and the problem "
               "(symbols; default: every trainable one); the influence "
               "always covers every trainable parameter">,
  ];
}

def WfPrintDot : Pass<"wf-print-dot", "::mlir::ModuleOp"> {
  let summary = "Print each workflow graph as a Graphviz picture";
  let description = [{
    Writes one `digraph` per `wf.graph` (to stderr, or to `output-file`):
    graph arguments and parameters as root nodes (trainable parameters in
    gold), node ops coloured by kind (LLM calls blue, tools orange, code
    green, tensor computations plum, text ops grey, constants white), the
    bodies of `wf.map`, `wf.replicate`, `wf.if`, `wf.while` and `wf.catch`
    as clusters, data edges solid and token edges dashed, outputs marked by
    `wf.feedback` with a double border, and the graph's returns as a sink.
    Nodes are labelled with their Trace ids (`wf-assign-ids`'s, or the same
    ids computed on the fly) and, where `wf-schedule` has run, their stage;
    nodes of one stage share a rank. The module is left unchanged.
  }];
  let options = [
    Option<"outputFile", "output-file", "std::string", /*default=*/"\"-\"",
           "Where to write the pictures ('-': stderr)">,
  ];
}

#endif // LOOM_DIALECT_WORKFLOW_TRANSFORMS_PASSES_TD

#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWINTERFACES_TD
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWINTERFACES_TD

include "mlir/IR/OpBase.td"

def Wf_TraceNodeOpInterface : OpInterface<"TraceNodeOpInterface"> {
  let cppNamespace = "::mlir::loom::wf";
  let description = [{
    An op whose result is a node of the Trace instance graph (wf.md §7.1):
    every node op except terminators, `wf.feedback`, `wf.checkpoint`,
    `wf.catch` (its result aliases its input) and `wf.param.get` (the
    parameter is the node). `wf-assign-ids` names it `base:k`.
  }];
  let methods = [
    InterfaceMethod<[{
        The id base of wf.md §7.1 when the op has no `wf.name`: the callee
        for calls of code, tools and graphs, else the op's mnemonic.
      }],
      "::llvm::StringRef", "getTraceBase", (ins), "",
      "return $_op->getName().stripDialect();">,
    InterfaceMethod<[{
        The definition a call node names (`wf.code_def`, `wf.tool_def`,
        `wf.graph`), whose `arg_names` and `description` the trace uses;
        null for other nodes.
      }],
      "::mlir::FlatSymbolRefAttr", "getCalleeSymbol", (ins), "",
      "return {};">,
    InterfaceMethod<[{
        Whether running the node changes the world (a `write` or `external`
        tool, a call of a graph that may): such nodes are never removed or
        merged, whatever reads their results.
      }],
      "bool", "hasExternalEffects", (ins), "", "return false;">,
    InterfaceMethod<[{
        Whether equal inputs give an equal value (wf.md §1 rule 3): false
        for sampled LLM calls (temperature > 0 without a seed), tools whose
        def does not say `deterministic`, replicated samples and calls.
        Only deterministic nodes are merged or memoized.
      }],
      "bool", "isDeterministic", (ins), "", "return true;">,
  ];
}

def Wf_CompletionOpInterface : OpInterface<"CompletionOpInterface"> {
  let cppNamespace = "::mlir::loom::wf";
  let description = [{
    One LLM completion (`wf.llm`, `wf.llm.extend`): a model, a prompt and
    the sampling attributes a request carries. Passes that group or cost
    completions read them through this interface.
  }];
  let methods = [
    InterfaceMethod<"The `wf.model` the completion runs on.",
      "::mlir::FlatSymbolRefAttr", "getModelSymbol", (ins)>,
    InterfaceMethod<"The prompt's segments after any shared context.",
      "::mlir::ArrayAttr", "getSegments", (ins)>,
    InterfaceMethod<"The values the segments' `operand N` index.",
      "::mlir::OperandRange", "getArgs", (ins)>,
    InterfaceMethod<"", "uint64_t", "getMaxTokens", (ins)>,
    InterfaceMethod<"A literal temperature or a `#wf.param_ref`.",
      "::mlir::Attribute", "getTemperatureAttr", (ins)>,
    InterfaceMethod<"", "::mlir::ArrayAttr", "getStopAttr", (ins)>,
    InterfaceMethod<"", "::mlir::IntegerAttr", "getSeedAttr", (ins)>,
    InterfaceMethod<"Token-count hints, if any.",
      "::mlir::loom::wf::CostAttr", "getCostAttr", (ins)>,
  ];
  let extraSharedClassDeclaration = [{
    /// Completions with equal keys can share one request.
    ::mlir::loom::wf::SamplingKey getSamplingKey() {
      return {$_op.getMaxTokens(), $_op.getTemperatureAttr(),
              $_op.getStopAttr(), $_op.getSeedAttr()};
    }
  }];
}

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWINTERFACES_TD

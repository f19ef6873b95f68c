#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWATTRS_TD
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWATTRS_TD

include "loom/Dialect/Workflow/IR/WorkflowDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

class Wf_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlir::loom::wf";
  let genSpecializedAttr = 0;
}

def Wf_ParamKind : Wf_Enum<"ParamKind", "what a trainable parameter is", [
    I32EnumAttrCase<"Prompt", 0, "prompt">,
    I32EnumAttrCase<"Hparam", 1, "hparam">,
    I32EnumAttrCase<"Code", 2, "code">,
    I32EnumAttrCase<"Demos", 3, "demos">,
    I32EnumAttrCase<"Choice", 4, "choice">]>;

def Wf_Effects : Wf_Enum<"Effects", "side effects of a node", [
    I32EnumAttrCase<"Pure", 0, "pure">,
    I32EnumAttrCase<"Read", 1, "read">,
    I32EnumAttrCase<"Write", 2, "write">,
    I32EnumAttrCase<"External", 3, "external">]>;

def Wf_Objective : Wf_Enum<"Objective", "Parrot's scheduling objective", [
    I32EnumAttrCase<"Latency", 0, "latency">,
    I32EnumAttrCase<"Throughput", 1, "throughput">]>;

def Wf_SegKind : Wf_Enum<"SegKind", "kind of a prompt template segment", [
    I32EnumAttrCase<"Text", 0, "text">,
    I32EnumAttrCase<"Operand", 1, "operand">,
    I32EnumAttrCase<"Param", 2, "param">]>;

class Wf_EnumAttr<EnumAttrInfo info, string name>
    : EnumAttr<Wf_Dialect, info, name> {
  let assemblyFormat = "`<` $value `>`";
}
def Wf_ParamKindAttr : Wf_EnumAttr<Wf_ParamKind, "param_kind">;
def Wf_EffectsAttr : Wf_EnumAttr<Wf_Effects, "effects">;
def Wf_ObjectiveAttr : Wf_EnumAttr<Wf_Objective, "objective">;

class Wf_Attr<string name, string attrMnemonic> : AttrDef<Wf_Dialect, name> {
  let mnemonic = attrMnemonic;
}

def Wf_SegAttr : Wf_Attr<"Seg", "seg"> {
  let summary = "one segment of a prompt template";
  let description = [{
    `#wf.seg<text "Q: ">` (literal text), `#wf.seg<operand 0>` (the text
    of the node's operand 0) or `#wf.seg<param @p>` (a prompt or demos
    parameter). Segment lists keep static prompt prefixes visible to
    prefix sharing.
  }];
  let parameters = (ins "SegKind":$kind, StringRefParameter<>:$text,
                        "int64_t":$index,
                        OptionalParameter<"::mlir::FlatSymbolRefAttr">:$param);
  let hasCustomAssemblyFormat = 1;
}

def Wf_ParamRefAttr : Wf_Attr<"ParamRef", "param_ref"> {
  let summary = "an attribute whose value is a parameter";
  let description = "`#wf.param_ref<@temperature>`, e.g. an LLM temperature.";
  let parameters = (ins "::mlir::FlatSymbolRefAttr":$param);
  let assemblyFormat = "`<` $param `>`";
}

def Wf_RetryAttr : Wf_Attr<"Retry", "retry"> {
  let summary = "retry policy of a tool call";
  let description = [{
    `#wf.retry<max_attempts = 3, backoff_ms = 200>`: attempts in all and the
    base of the exponential backoff.
  }];
  let parameters = (ins "int64_t":$max_attempts, "int64_t":$backoff_ms);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Wf_CostAttr : Wf_Attr<"Cost", "cost"> {
  let summary = "token-count hints of an LLM node";
  let description = "`#wf.cost<prefill = 1000, decode = 50>`.";
  let parameters = (ins "int64_t":$prefill, "int64_t":$decode);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Wf_SchedAttr : Wf_Attr<"Sched", "sched"> {
  let summary = "a node's place in the schedule (written by wf-schedule)";
  let description = "`#wf.sched<priority = 3, stage = 1, group = 0>`.";
  let parameters = (ins "int64_t":$priority, "int64_t":$stage,
                        "int64_t":$group);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWATTRS_TD

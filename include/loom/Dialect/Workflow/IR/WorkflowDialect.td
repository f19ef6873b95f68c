#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWDIALECT_TD
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWDIALECT_TD

include "mlir/IR/OpBase.td"

def Wf_Dialect : Dialect {
  let name = "wf";
  let cppNamespace = "::mlir::loom::wf";
  let summary = "AI workflow graphs: LLM, tool, code and tensor nodes";
  let description = [{
    The `wf` dialect holds an AI application's workflow as a verified graph:
    typed data edges ("semantic variables", `!wf.text` by default), LLM and
    tool calls, native code and tensor computations (`wf.compute` regions
    holding upstream, `moe` and `lut` ops), trainable parameters (prompts,
    numbers, code) and feedback. Effects are explicit: ordering tokens
    (`!wf.token`) chain external side effects, and every node op other than
    `wf.const` and `wf.param.get` has an effect on a Loom resource so that
    upstream CSE and DCE leave nodes to `wf-cse` and `wf-dce`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

class Wf_Op<string mnemonic, list<Trait> traits = []>
    : Op<Wf_Dialect, mnemonic, traits>;

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWDIALECT_TD

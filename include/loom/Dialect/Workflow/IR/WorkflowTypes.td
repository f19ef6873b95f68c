#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWTYPES_TD
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWTYPES_TD

include "loom/Dialect/Workflow/IR/WorkflowDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Wf_Type<string name, string typeMnemonic> : TypeDef<Wf_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def Wf_TextType : Wf_Type<"Text", "text"> {
  let summary = "UTF-8 text: a semantic variable";
  let description = "`!wf.text`, the default type of a workflow data edge.";
}

def Wf_TokenType : Wf_Type<"Token", "token"> {
  let summary = "ordering token between effectful nodes";
  let description = [{
    `!wf.token` orders `write` and `external` nodes (as `!ml_program.token`).
  }];
}

def Wf_ListType : Wf_Type<"List", "list"> {
  let summary = "a list of workflow values";
  let description = [{
    `!wf.list<T>` with T one of `!wf.text`, `i1`, `i64`, `f64` or a list.
  }];
  let parameters = (ins "::mlir::Type":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
  let genVerifyDecl = 1;
}

def Wf_CtxType : Wf_Type<"Ctx", "ctx"> {
  let summary = "a prefilled KV context of one model";
  let description = [{
    `!wf.ctx<@m>`: a prompt prefix computed once by `wf.ctx.prefill` and
    extended by several calls (produced by `wf-prefix-share` only).
  }];
  let parameters = (ins "::mlir::FlatSymbolRefAttr":$model);
  let assemblyFormat = "`<` $model `>`";
}

/// A value that may flow along a data edge.
def Wf_DataType : AnyTypeOf<[Wf_TextType, Wf_ListType, I1, I64, F64,
                             AnyRankedTensor]>;

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWTYPES_TD

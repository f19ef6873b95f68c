#ifndef LOOM_DIALECT_MOE_IR_MOEDIALECT_TD
#define LOOM_DIALECT_MOE_IR_MOEDIALECT_TD

include "mlir/IR/OpBase.td"

def MoE_Dialect : Dialect {
  let name = "moe";
  let cppNamespace = "::mlir::loom::moe";
  let summary = "Mixture-of-Experts routing and expert compute";
  let description = [{
    The `moe` dialect holds Mixture-of-Experts layers with exact routing
    semantics: gate, top-k with renormalization and group-limited routing,
    Tutel's capacity rule (fixed, dropless and adaptive capacity factors),
    batch-prioritized routing, slot-major locations, grouped or padded row
    layouts, dispatch, grouped expert GEMMs with fused activations, and
    combine. `moe.layer` is the whole layer in one op; `moe-decompose`
    splits it into the routing and compute ops, and `convert-moe-to-loops`
    lowers those to reference loops.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Gives builtin tensors their ExpertWeightsType model.
    void registerTensorExpertWeights();
  }];
}

class MoE_Op<string mnemonic, list<Trait> traits = []>
    : Op<MoE_Dialect, mnemonic, traits>;

#endif // LOOM_DIALECT_MOE_IR_MOEDIALECT_TD

#ifndef LOOM_DIALECT_MOE_IR_MOETYPEINTERFACES_TD
#define LOOM_DIALECT_MOE_IR_MOETYPEINTERFACES_TD

include "mlir/IR/OpBase.td"

def MoE_ExpertWeightsTypeInterface : TypeInterface<"ExpertWeightsType"> {
  let cppNamespace = "::mlir::loom::moe";
  let description = [{
    A type that holds the weight matrices of E experts, each [rows, columns]
    (output features, reduction axis): a static [E, rows, columns] float
    tensor, or a `!lut.stacked` low-bit weight. `moe.layer` checks its
    expert weights through this interface, and `moe-decompose` takes one
    expert's matrix out with it. Builtin tensors get their model when the
    moe dialect loads, `!lut.stacked` through
    `registerExpertWeightsExternalModels`.
  }];
  let methods = [
    InterfaceMethod<[{
        {E, rows, columns} for a static stack of expert matrices whose
        elements are floats or low-bit codes; empty otherwise.
      }],
      "::llvm::SmallVector<int64_t>", "getExpertShape">,
    InterfaceMethod<[{
        Expert `expert`'s [rows, columns] matrix of the stacked value
        `weights` (of this type).
      }],
      "::mlir::Value", "buildExpert",
      (ins "::mlir::OpBuilder &":$b, "::mlir::Location":$loc,
           "::mlir::Value":$weights, "int64_t":$expert)>,
  ];
}

#endif // LOOM_DIALECT_MOE_IR_MOETYPEINTERFACES_TD

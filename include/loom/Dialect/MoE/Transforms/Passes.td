#ifndef LOOM_DIALECT_MOE_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_MOE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoEDecompose : Pass<"moe-decompose"> {
  let summary = "Split moe.layer into routing and expert-compute ops";
  let description = [{
    Rewrites every `moe.layer` into `moe.gate`, `moe.topk`, optional
    `moe.aux_loss`, `moe.assign` (with the token priority max_e P[t, e]
    under batch-prioritized routing), `moe.dispatch`, two
    `moe.grouped_matmul` (the first with the FFN activation as its
    epilogue) and `moe.combine`. A shared expert becomes a one-expert
    `moe.grouped_matmul` pair over all tokens (its optional sigmoid gate a
    per-row scale) whose output initializes the combine.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_DIALECT_MOE_TRANSFORMS_PASSES_TD

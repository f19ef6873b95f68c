#ifndef LOOM_DIALECT_LUT_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_LUT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LutCanonicalize : Pass<"lut-canonicalize"> {
  let summary = "Rewrite lut.linear into lut.mpgemm";
  let description = [{
    Collapses the batch dimensions of `lut.linear` into the N axis of one
    `lut.mpgemm`, adds the bias with a `linalg.generic` and expands the
    result back, so that every later pass sees one GEMM form.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_DIALECT_LUT_TRANSFORMS_PASSES_TD

#ifndef LOOM_CONVERSION_PASSES_TD
#define LOOM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLutToLoops : Pass<"convert-lut-to-loops", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of the lut dialect to linalg on logical codes";
  let description = [{
    Evaluates every `lut` op from the logical content of its weights: a
    `!lut.packed` value becomes its codes, scales and offsets tensors
    (function signatures, calls and returns included), and `lut.mpgemm` /
    `lut.dequantize` become `linalg.generic` ops that decode each code,
    scale it and accumulate in f64. Correct and simple, not fast: it is the
    oracle every optimized lowering is checked against.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_CONVERSION_PASSES_TD

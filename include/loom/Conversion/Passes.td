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

def ConvertMoEToLoops : Pass<"convert-moe-to-loops", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of the moe dialect to scf loops";
  let description = [{
    Lowers every `moe` op (a `moe.layer` is decomposed first) to `scf.for`
    loops over tensors with the exact semantics of moe.md §1: softmax or
    sigmoid gate, top-k by repeated first-index-of-max (ties to the lower
    expert id) with group-limited routing, renormalization and scaling,
    Tutel's capacity rule, slot-major locations in token or priority order,
    grouped or padded row layouts, dispatch, per-expert GEMMs with their
    epilogue, and combine in slot order. Expert ids outside [0, E) are
    dropped and row indices are bounds-checked, so malformed routing data
    cannot make the code read or write out of bounds.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertWorkflowToFunc : Pass<"convert-wf-to-func", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of wf graphs of tensor computations";
  let description = [{
    Turns each `wf.graph` whose nodes are tensor computations into a
    `func.func` that runs them as plain sequential code: `wf.compute`
    regions are inlined, `wf.call` (from graphs or functions) becomes `func.call`, numeric `wf.const`
    and `wf.param.get` (a parameter's initial value) become
    `arith.constant`, and `wf.feedback` (inert for execution) is dropped.
    Module-level `wf` declarations are erased afterwards. LLM, tool, code
    and text nodes need the workflow runtime (`convert-wf-to-runtime`); this
    pass rejects them with a located error.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

#endif // LOOM_CONVERSION_PASSES_TD

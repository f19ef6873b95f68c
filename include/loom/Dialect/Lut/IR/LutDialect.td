#ifndef LOOM_DIALECT_LUT_IR_LUTDIALECT_TD
#define LOOM_DIALECT_LUT_IR_LUTDIALECT_TD

include "mlir/IR/OpBase.td"

def Lut_Dialect : Dialect {
  let name = "lut";
  let cppNamespace = "::mlir::loom::lut";
  let summary = "Low-bit weight times higher-precision activation GEMM by table lookup";
  let description = [{
    The `lut` dialect carries products of low-bit weights (1, 2, 3, 4 bit,
    binary and ternary, with group, per-channel or per-tensor scales) and
    fp32/fp16/bf16 or int8 activations. Weights are values of the
    `!lut.packed` type, whose `#lut.quant` attribute fixes the numerical
    meaning of every code and whose `#lut.layout` attribute fixes the bytes.
    The reference lowering (`convert-lut-to-loops`) evaluates the contract
    of `lut.mpgemm` from the logical codes; the table-lookup kernels of the
    optimizing path are checked against it.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  // Set by lut-select-strategy on a lut.mpgemm with int8 activations, read
  // by lut-decompose-mpgemm: the int8-dot path serves N >= dot_from_n, the
  // table lookups smaller N.
  let discardableAttrs = (ins "::mlir::IntegerAttr":$dot_from_n);
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

class Lut_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lut_Dialect, mnemonic, traits>;

#endif // LOOM_DIALECT_LUT_IR_LUTDIALECT_TD

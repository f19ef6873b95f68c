#ifndef LOOM_DIALECT_LUT_IR_LUTATTRS_TD
#define LOOM_DIALECT_LUT_IR_LUTATTRS_TD

include "loom/Dialect/Lut/IR/LutDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Lut_Encoding : I32EnumAttr<"Encoding", "how a stored code maps to a value", [
    I32EnumAttrCase<"Unsigned", 0, "unsigned">,
    I32EnumAttrCase<"Signed", 1, "signed">,
    I32EnumAttrCase<"Binary", 2, "binary">,
    I32EnumAttrCase<"Ternary", 3, "ternary">]> {
  let cppNamespace = "::mlir::loom::lut";
  let genSpecializedAttr = 0;
}

def Lut_GroupKind : I32EnumAttr<"GroupKind", "which weights share a scale", [
    I32EnumAttrCase<"Group", 0, "group">,
    I32EnumAttrCase<"PerChannel", 1, "per_channel">,
    I32EnumAttrCase<"PerTensor", 2, "per_tensor">]> {
  let cppNamespace = "::mlir::loom::lut";
  let genSpecializedAttr = 0;
}

def Lut_OffsetKind : I32EnumAttr<"OffsetKind", "the affine offset of a group", [
    I32EnumAttrCase<"None", 0, "none">,
    I32EnumAttrCase<"ZeroPoint", 1, "zero_point">,
    I32EnumAttrCase<"Min", 2, "min">]> {
  let cppNamespace = "::mlir::loom::lut";
  let genSpecializedAttr = 0;
}

def Lut_LayoutKind : I32EnumAttr<"LayoutKind", "byte layout of a packed weight", [
    I32EnumAttrCase<"Codes", 0, "codes">,
    I32EnumAttrCase<"Bitplane", 1, "bitplane">,
    I32EnumAttrCase<"Trit3", 2, "trit3">,
    I32EnumAttrCase<"Gguf", 3, "gguf">]> {
  let cppNamespace = "::mlir::loom::lut";
  let genSpecializedAttr = 0;
}

def Lut_GgufType : I32EnumAttr<"GgufType", "GGUF block type", [
    I32EnumAttrCase<"Q4_0", 0, "Q4_0">,
    I32EnumAttrCase<"Q2_K", 1, "Q2_K">,
    I32EnumAttrCase<"TQ2_0", 2, "TQ2_0">,
    I32EnumAttrCase<"TQ1_0", 3, "TQ1_0">,
    I32EnumAttrCase<"Q1_0", 4, "Q1_0">]> {
  let cppNamespace = "::mlir::loom::lut";
  let genSpecializedAttr = 0;
}

def Lut_Accuracy : I32EnumAttr<"Accuracy", "numerical contract of an mpgemm", [
    I32EnumAttrCase<"Exact", 0, "exact">,
    I32EnumAttrCase<"TableI8", 1, "table_i8">,
    I32EnumAttrCase<"Fp", 2, "fp">]> {
  let cppNamespace = "::mlir::loom::lut";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class Lut_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Lut_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Lut_QuantAttr : Lut_Attr<"Quant", "quant"> {
  let summary = "numerical meaning of low-bit weight codes";
  let description = [{
    `#lut.quant<encoding[, bits = b], group = G | per_channel | per_tensor,
    scale = f32|f16|bf16[, offset = zero_point | min]>` fixes how a code q
    dequantizes: w = s * v(q) + o, with v from the encoding (`unsigned`: q;
    `signed`: q - 2^(b-1); `binary`: 2q - 1; `ternary`: q - 1 for the codes
    0, 1, 2), the scale s of the code's group of G consecutive K elements of
    its row, and the offset o (`zero_point`: w = s * (q - z); `min`:
    w = s * q - m).

    Example: `#lut.quant<signed, bits = 4, group = 32, scale = f16>` is the
    format of GGUF's Q4_0.
  }];
  let parameters = (ins
    "Encoding":$encoding,
    "unsigned":$bits,
    "GroupKind":$groupKind,
    "int64_t":$groupSize,
    "::mlir::Type":$scaleType,
    "OffsetKind":$offset);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Number of ±1 bit planes the code decomposes into.
    unsigned getNumPlanes() const;
    /// Bit `plane` of a stored code in the decomposition of lut.md §2.1:
    /// bit i of the code masked to its width, or for ternary (q = min(code
    /// & 3, 2)) the planes q >= 1 and q >= 2.
    bool getPlaneBit(uint8_t code, unsigned plane) const;
    /// Integer weight of plane i in the lookup sums: 2^i (1 for ternary).
    int64_t getPlaneWeight(unsigned plane) const;
    /// The per-group constant c of lut.md §2.1 before any zero point:
    /// (2^b - 1)/2 for unsigned, -1/2 for signed, 0 otherwise.
    double getPlaneOffset() const;
    /// kappa of lut.md §2.4 for the bit-plane decomposition: sums with the
    /// integer plane weights are 1/kappa times sum v x - 1 for binary,
    /// 1/2 otherwise (sigma = 2 beta - 1).
    double getPlaneKappa() const;
    /// K elements sharing one scale for a weight with reduction size `k`.
    int64_t getGroupSizeFor(int64_t k) const;
    /// Shape of the scale (and offset) tensor of an [m, k] weight.
    SmallVector<int64_t> getScaleShape(int64_t m, int64_t k) const;
  }];
}

def Lut_LayoutAttr : Lut_Attr<"Layout", "layout"> {
  let summary = "byte layout of a packed low-bit weight";
  let description = [{
    `#lut.layout<codes>` (one code per byte, row-major),
    `#lut.layout<bitplane, g = 4, lanes = PxQ, tile_m = T>` (bit-serial index
    planes for the table-lookup kernels), `#lut.layout<trit3, tile_m = T>`
    (ternary, 3 weights per 4-bit index plus a sign plane) or
    `#lut.layout<gguf Q4_0>` (GGUF blocks verbatim, import only).
    The layout never changes the logical content of a weight.
  }];
  let parameters = (ins
    "LayoutKind":$kind,
    "int64_t":$g,
    "int64_t":$lanesP,
    "int64_t":$lanesQ,
    "int64_t":$tileM,
    "GgufType":$ggufType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    static LayoutAttr getCodes(MLIRContext *ctx);
    /// Rows one tile of this layout must be a multiple of.
    int64_t getRowBlock() const;
    /// K elements whose codes form one lookup index.
    int64_t getLookupGroup() const;
  }];
}

def Lut_ActQuantAttr : Lut_Attr<"ActQuant", "act_quant"> {
  let summary = "in-op int8 quantization of fp activations";
  let description = [{
    `#lut.act_quant<i8>` quantizes each row of X with scale absmax/127 and
    round-half-to-even; `#lut.act_quant<i8, block = 32>` does the same per
    block of 32 consecutive K elements (GGUF's Q8_0).
  }];
  let parameters = (ins DefaultValuedParameter<"int64_t", "0">:$block);
  let assemblyFormat = "`<` `i8` (`,` `block` `=` $block^)? `>`";
  let genVerifyDecl = 1;
}

def Lut_AccuracyAttr : EnumAttr<Lut_Dialect, Lut_Accuracy, "accuracy"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // LOOM_DIALECT_LUT_IR_LUTATTRS_TD

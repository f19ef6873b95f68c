#ifndef LOOM_DIALECT_LUT_IR_LUTTYPES_TD
#define LOOM_DIALECT_LUT_IR_LUTTYPES_TD

include "loom/Dialect/Lut/IR/LutAttrs.td"

def Lut_PackedType : TypeDef<Lut_Dialect, "Packed"> {
  let mnemonic = "packed";
  let summary = "a packed low-bit weight of logical shape M x K";
  let description = [{
    `!lut.packed<M x K, #lut.quant<...>, #lut.layout<...>>` is an [M, K]
    weight (M output features, K the reduction axis) with its codes, scales
    and offsets. It is a value type: it bufferizes to one byte blob, and the
    reference lowering sees its logical content (codes, scales, offsets).

    Example: `!lut.packed<4096x4096, #lut.quant<ternary, group = per_tensor,
    scale = f32>, #lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 256>>`.
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t">:$shape,
    "QuantAttr":$quant,
    "LayoutAttr":$layout);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getM() const { return getShape()[0]; }
    int64_t getK() const { return getShape()[1]; }
    /// The logical tensors behind this weight: codes [M, K] i8, scales and,
    /// when the quant has an offset, offsets (i8 zero points or fp mins).
    SmallVector<Type> getLogicalTypes() const;
    /// kappa of lut.md §2.4: lookup sums with integer plane weights are
    /// 1/kappa times sum t x — 1/2 for bit planes (sigma = 2 beta - 1), 1
    /// for binary and for trit3's sign-canonical tables.
    double getLookupKappa() const;
    /// The integer a stored code contributes per unit of activation to
    /// those lookup sums: sum_i pw_i (2 beta_i - 1) over the bit planes, or
    /// the trit t for trit3 (so that lookup sum = sum_k x_k * value).
    int64_t getLookupValue(uint8_t code) const;
    /// Bits per weight of the int8-dot kernel's stream of value indices
    /// over segments of `segment` K: 1 for two lookup values (one plane)
    /// where a step of 32 K fits the segment, 2 for at most four (two
    /// planes, trit3) where a step of 16 K does, else 4 where a step of 8 K
    /// does; 0 where none fits.
    int64_t getDotIndexBits(int64_t segment) const;
  }];
}

def Lut_StackedType : TypeDef<Lut_Dialect, "Stacked"> {
  let mnemonic = "stacked";
  let summary = "E packed weights of one type: the experts of a layer";
  let description = [{
    `!lut.stacked<E, !lut.packed<M x K, ...>>` holds E weights of the same
    packed type, such as the expert weights of a `moe.layer`. `lut.stack`
    builds one and `lut.expert` takes one weight back out; every kernel
    sees a single 2-D `!lut.packed` weight, because a packed weight's bytes
    (row blocks, bit-plane streams) are laid out per matrix.
  }];
  let parameters = (ins "int64_t":$count, "PackedType":$element);
  let assemblyFormat = "`<` $count `,` qualified($element) `>`";
  let genVerifyDecl = 1;
}

def Lut_AnyFloatTensor : TensorOf<[F32, F16, BF16]>;
def Lut_ActTensor : TensorOf<[F32, F16, BF16, I8]>;

#endif // LOOM_DIALECT_LUT_IR_LUTTYPES_TD

#ifndef LOOM_DIALECT_LUT_IR_LUTOPS_TD
#define LOOM_DIALECT_LUT_IR_LUTOPS_TD

include "loom/Dialect/Lut/IR/LutTypes.td"
include "loom/CostModel/TunableOpInterface.td"
include "loom/CostModel/WorkEstimateOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Lut_PackOp : Lut_Op<"pack", [Pure,
    DeclareOpInterfaceMethods<WorkEstimateOpInterface>]> {
  let summary = "build a packed weight from codes, scales and offsets";
  let description = [{
    Packs an [M, K] tensor of i8 codes, the scales (shape
    `QuantAttr::getScaleShape`, element type the quant's scale type) and,
    when the quant has an offset, the offsets (i8 zero points or fp mins of
    the scale type, same shape as the scales) into the result's layout.
    Codes outside the encoding's range are masked, never undefined.

    ```mlir
    %w = lut.pack %codes, %scales : tensor<64x128xi8>, tensor<64x4xf16>
           -> !lut.packed<64x128, #lut.quant<signed, bits = 4, group = 32,
                scale = f16>, #lut.layout<codes>>
    ```
  }];
  let arguments = (ins TensorOf<[I8]>:$codes, Lut_AnyFloatTensor:$scales,
                       Optional<TensorOf<[I8, F32, F16, BF16]>>:$offsets);
  let results = (outs Lut_PackedType:$result);
  let assemblyFormat = [{
    $codes `,` $scales (`,` $offsets^)? attr-dict `:` type($codes) `,`
    type($scales) (`,` type($offsets)^)? `->` qualified(type($result))
  }];
  let hasVerifier = 1;
}

def Lut_DequantizeOp : Lut_Op<"dequantize", [Pure]> {
  let summary = "expand a packed weight to a float tensor";
  let description = [{
    Returns w[m, k] = s * v(q[m, k]) + o as an [M, K] float tensor.

    ```mlir
    %f = lut.dequantize %w : !lut.packed<64x128, #q, #lut.layout<codes>>
           -> tensor<64x128xf32>
    ```
  }];
  let arguments = (ins Lut_PackedType:$weight);
  let results = (outs Lut_AnyFloatTensor:$result);
  let assemblyFormat = "$weight attr-dict `:` qualified(type($weight)) `->` type($result)";
  let hasVerifier = 1;
}

def Lut_StackOp : Lut_Op<"stack", [Pure]> {
  let summary = "stack E packed weights of one type";
  let description = [{
    The E operands, in order, as one `!lut.stacked` value (expert e is
    operand e).

    ```mlir
    %w = lut.stack %w0, %w1 : !lut.stacked<2, !lut.packed<64x128, #q, #l>>
    ```
  }];
  let arguments = (ins Variadic<Lut_PackedType>:$weights);
  let results = (outs Lut_StackedType:$result);
  // `lut.stack %w0, %w1 : !lut.stacked<...>`: the operand types follow
  // from the result's element type, which a declarative format cannot say
  // for a variadic operand.
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Lut_ExpertOp : Lut_Op<"expert", [Pure,
    TypesMatchWith<"the result is the stacked weights' element type",
                   "stacked", "result",
                   "::llvm::cast<StackedType>($_self).getElement()">]> {
  let summary = "weight e of a stacked weight";
  let description = [{
    Expert `index` of a `!lut.stacked` weight. Of a `lut.stack` it folds to
    that operand, so the kernels see the constant `lut.pack` behind it.

    ```mlir
    %w1 = lut.expert %w[1] : !lut.stacked<2, !lut.packed<64x128, #q, #l>>
    ```
  }];
  let arguments = (ins Lut_StackedType:$stacked, I64Attr:$index);
  let results = (outs Lut_PackedType:$result);
  let assemblyFormat = [{
    $stacked `[` $index `]` attr-dict `:` qualified(type($stacked))
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lut_GatherRowsOp : Lut_Op<"gather_rows", [Pure]> {
  let summary = "rows of a tensor picked by a row index list";
  let description = [{
    result[n, ...] = source[rows[n], ...]: the activation rows a GEMM reads,
    for instance one expert's tokens. Indices outside [0, rows of source)
    yield zero rows. Every table-lookup operand is row-wise, so
    `lut-share-tables` moves a gather from the activations to the tables
    built from them: each source row's tables are then built once, however
    many gathers read them.

    ```mlir
    %xe = lut.gather_rows %x[%rows] : tensor<?x128xf32>, tensor<?xi32>
            -> tensor<?x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, RankedTensorOf<[I32]>:$rows);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $source `[` $rows `]` attr-dict `:` type($source) `,` type($rows) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

def Lut_MpGemmOp : Lut_Op<"mpgemm",
    [Pure, DeclareOpInterfaceMethods<TunableOpInterface>,
     DeclareOpInterfaceMethods<WorkEstimateOpInterface>]> {
  let summary = "mixed-precision GEMM: Y[N, M] = X[N, K] * dequant(W[M, K])^T";
  let description = [{
    The contract of the `lut` dialect: Y[n, m] = sum_k X[n, k] * w[m, k].
    X is f32, f16, bf16, or i8 with `x_scale` (one scale per row, shape [N],
    or per block of Ga consecutive K, shape [N, K/Ga]). An fp X may carry
    `act_quant`, which quantizes it to int8 first (absmax / 127,
    round-half-to-even). `accuracy` selects the numerical contract of the
    optimized kernels (`exact`, `table_i8`, `fp`); the default is `exact`
    with int8 activations and `table_i8` otherwise.

    ```mlir
    %y = lut.mpgemm %x, %w : tensor<?x128xf32>, !lut.packed<64x128, #q, #l>
           -> tensor<?x64xf32>
    %z = lut.mpgemm %xi, %w x_scale %s {accuracy = #lut.accuracy<exact>}
           : tensor<?x128xi8>, !lut.packed<64x128, #q, #l>, tensor<?xf32>
           -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Lut_ActTensor:$x, Lut_PackedType:$weight,
                       Optional<TensorOf<[F32]>>:$x_scale,
                       OptionalAttr<Lut_AccuracyAttr>:$accuracy,
                       OptionalAttr<Lut_ActQuantAttr>:$act_quant);
  let results = (outs Lut_AnyFloatTensor:$result);
  let assemblyFormat = [{
    $x `,` $weight (`x_scale` $x_scale^)? attr-dict `:` type($x) `,`
    qualified(type($weight)) (`,` type($x_scale)^)? `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The accuracy mode in force: the attribute, or the default.
    Accuracy getEffectiveAccuracy();
    /// Whether the activations reach the kernels as int8 (given, or
    /// quantized by `act_quant`).
    bool hasIntActivations();
    /// K elements per segment of the table-lookup and int8-dot forms: one
    /// weight scale, one activation scale and (table_i8) one table scale
    /// per segment. None when they cannot align (lut.md §1.4).
    std::optional<int64_t> getLookupSegment();
    /// Bits per weight of the int8-dot path's index stream, or 0 where that
    /// path cannot serve this GEMM: fp activations, weights that are not a
    /// lut.pack of constants (both kernels fold them), layouts other than
    /// bitplane and trit3, segments the dot kernel cannot step over.
    int64_t getDotPathIndexBits();
  }];
}

def Lut_LinearOp : Lut_Op<"linear", [Pure,
    DeclareOpInterfaceMethods<WorkEstimateOpInterface>]> {
  let summary = "front-end linear layer over a packed weight";
  let description = [{
    y[..., m] = sum_k x[..., k] * w[m, k] (+ bias[m]). Any number of leading
    batch dimensions; `lut-canonicalize` turns it into collapse_shape +
    `lut.mpgemm` + a bias add.

    ```mlir
    %y = lut.linear %x, %w bias %b : tensor<2x?x128xf32>, !lut.packed<64x128, #q, #l>,
           tensor<64xf32> -> tensor<2x?x64xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, F16, BF16]>:$x, Lut_PackedType:$weight,
                       Optional<RankedTensorOf<[F32, F16, BF16]>>:$bias);
  let results = (outs RankedTensorOf<[F32, F16, BF16]>:$result);
  let assemblyFormat = [{
    $x `,` $weight (`bias` $bias^)? attr-dict `:` type($x) `,`
    qualified(type($weight)) (`,` type($bias)^)? `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// The bit-serial table-lookup form (produced by lut-decompose-mpgemm)
//===----------------------------------------------------------------------===//

def Lut_QuantizeActivationsOp : Lut_Op<"quantize_activations", [Pure]> {
  let summary = "int8 quantization of fp activations (lut.md §1.3)";
  let description = [{
    Per row (or per block of `block` consecutive K elements, 0 for the whole
    row): scale = absmax / 127 and q = round-half-even(x / scale) clamped to
    [-127, 127] (0 where the scale is 0). The scale result is [N] per row or
    [N, K/block] per block. What `act_quant` means, as a separate op.

    ```mlir
    %q, %s = lut.quantize_activations %x {block = 32 : i64}
               : tensor<?x128xf32> -> tensor<?x128xi8>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, F16, BF16]>:$x,
                       DefaultValuedAttr<I64Attr, "0">:$block);
  let results = (outs RankedTensorOf<[I8]>:$quantized,
                      RankedTensorOf<[F32]>:$scale);
  let assemblyFormat = [{
    $x attr-dict `:` type($x) `->` type($quantized) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Lut_TablePrecomputeOp : Lut_Op<"table_precompute", [Pure]> {
  let summary = "activation tables of the bit-serial lookup GEMM";
  let description = [{
    For every row n and group j of g consecutive K elements, the 2^g signed
    sums T[n, j, u] = sum_l (2 * bit_l(u) - 1) * x[n, j*g + l] (lut.md §2.2),
    and the activation sums xsum[n, s] over each segment of `segment`
    consecutive K elements (the bias term of §2.4). One table serves every
    row of the weight and every bit plane. With `mirror`, only the 2^(g-1)
    entries whose top index bit is clear are kept: the others are their
    negations (T[u xor (2^g - 1)] = -T[u], lut.md §2.3). An i8 table is
    quantized per row and segment (lut.md §2.4): tscale = max |T| / 127 over
    the segment and T_i8 = round-half-even(T / tscale). `accuracy` records
    the contract of the GEMM the tables serve: `lut-quantize-tables`
    quantizes only tables of `table_i8` GEMMs. With int8 activations (and
    their `x_scale`, one per row or per block of Ga K elements, Ga a multiple
    of the segment), the entries are exact integers |T| <= 128 g kept in i16,
    xsum is the scaled activation sum, and tscale carries the activation
    scale of each segment (the `exact` contract).

    ```mlir
    %t, %xs = lut.table_precompute %x {g = 4 : i64, segment = 32 : i64}
                : tensor<?x128xf32> -> tensor<?x32x16xf32>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, F16, BF16, I8]>:$x,
                       Optional<RankedTensorOf<[F32]>>:$x_scale, I64Attr:$g,
                       I64Attr:$segment, UnitAttr:$mirror,
                       OptionalAttr<Lut_AccuracyAttr>:$accuracy);
  let results = (outs RankedTensorOf<[F32, I8, I16]>:$table,
                      RankedTensorOf<[F32]>:$xsum,
                      Optional<RankedTensorOf<[F32]>>:$tscale);
  let assemblyFormat = [{
    $x (`x_scale` $x_scale^)? attr-dict `:` type($x) (`,` type($x_scale)^)?
    `->` type($table) `,` type($xsum) (`,` type($tscale)^)?
  }];
  let hasVerifier = 1;
}

def Lut_FusedTablePrecomputeOp : Lut_Op<"fused_table_precompute",
    [RecursiveMemoryEffects, SingleBlock]> {
  let summary = "activation tables of an elementwise producer's result";
  let description = [{
    `lut.table_precompute` of x[n, k] = producer(inputs[i][map_i(n, k)]):
    the elementwise producer (an RMSNorm's normalization, a residual add,
    an activation) is evaluated while the tables are built, so x is never
    written to memory (lut.md §4, `lut-fuse-precompute`). `indexing_maps`
    hold one projected permutation of (n, k) per input, as in
    `linalg.generic`; the region receives one element of every input and
    yields the fp activation. Its ops must be pure and elementwise (the
    `ElementwiseMappable` arith and math ops) or constants, so that the
    vector lowering can evaluate it on vectors. N and K, the tables and the
    other attributes are those of `lut.table_precompute` on fp activations.

    ```mlir
    %t, %xs = lut.fused_table_precompute ins(%a, %b : tensor<?x128xf32>,
                tensor<128xf32>) attributes {g = 4 : i64, segment = 32 : i64,
                indexing_maps = [affine_map<(n, k) -> (n, k)>,
                                 affine_map<(n, k) -> (k)>]} {
    ^bb0(%ai: f32, %bi: f32):
      %x = arith.mulf %ai, %bi : f32
      lut.yield %x : f32
    } -> tensor<?x32x16xf32>, tensor<?x4xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       AffineMapArrayAttr:$indexing_maps, I64Attr:$g,
                       I64Attr:$segment, UnitAttr:$mirror,
                       OptionalAttr<Lut_AccuracyAttr>:$accuracy);
  let results = (outs RankedTensorOf<[F32, I8]>:$table,
                      RankedTensorOf<[F32]>:$xsum,
                      Optional<RankedTensorOf<[F32]>>:$tscale);
  let regions = (region SizedRegion<1>:$producer);
  let assemblyFormat = [{
    `ins` `(` $inputs `:` type($inputs) `)` attr-dict-with-keyword $producer
    `->` type($table) `,` type($xsum) (`,` type($tscale)^)?
  }];
  let extraClassDeclaration = [{
    /// The element type of the activations the producer yields.
    FloatType getActivationType();
    /// K, the activations per row (the tables hold `tableGroups` groups).
    int64_t getK();
    /// N as an index value: a constant, or the size of an input dimension
    /// indexed by n.
    Value createRowCount(OpBuilder &b, Location loc);
    /// Whether `op` may be part of a producer: a constant, or a pure op
    /// that applies elementwise to vectors as to scalars.
    static bool isProducerOp(Operation *op);
  }];
  let hasVerifier = 1;
}

def Lut_YieldOp : Lut_Op<"yield",
    [Pure, Terminator, HasParent<"FusedTablePrecomputeOp">]> {
  let summary = "the activation computed by a fused producer";
  let arguments = (ins AnyFloat:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

def Lut_LookupAccumulateOp : Lut_Op<"lookup_accumulate", [Pure]> {
  let summary = "bit-serial table lookups, accumulated per segment";
  let description = [{
    acc[n, m, s] = sum over bit planes i of pw_i * sum over the groups j of
    segment s of table[n, j, u_i(m, j)], where u_i(m, j) is the g-bit index
    formed by bit plane i of the codes w[m, j*g .. j*g + g - 1] and pw_i the
    integer plane weight (2^i; 1 and 1 for ternary's two planes). Segments
    are the weight's scale groups, so `segment` is its group size. A table
    of 2^(g-1) entries is a mirrored half table: an index whose top bit is
    set reads the negated entry of its complement. i8 and i16 tables
    accumulate exactly in i32; f32 tables in f32.

    ```mlir
    %acc = lut.lookup_accumulate %t, %w {segment = 32 : i64}
             : tensor<?x32x16xf32>, !lut.packed<256x128, #q, #l> -> tensor<?x256x4xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, I8, I16]>:$table,
                       Lut_PackedType:$weight, I64Attr:$segment);
  let results = (outs RankedTensorOf<[F32, I32]>:$acc);
  let assemblyFormat = [{
    $table `,` $weight attr-dict `:` type($table) `,` qualified(type($weight))
    `->` type($acc)
  }];
  let hasVerifier = 1;
}

def Lut_ActivationSumsOp : Lut_Op<"activation_sums", [Pure]> {
  let summary = "per-segment sums and scales of int8 activations";
  let description = [{
    For int8 activations x = x_scale * x_int (x_scale one per row, or one per
    block of Ga K elements, Ga a multiple of `segment`): xsum[n, s] =
    x_scale * sum of x_int over segment s and tscale[n, s] = the segment's
    x_scale, exactly the xsum and tscale `lut.table_precompute` gives for the
    same activations. The int8-dot path (`lut.dot_accumulate`) needs these
    and no tables.

    ```mlir
    %xs, %ts = lut.activation_sums %x x_scale %sx {segment = 64 : i64}
                 : tensor<?x128xi8>, tensor<?xf32> -> tensor<?x2xf32>, tensor<?x2xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$x, RankedTensorOf<[F32]>:$x_scale,
                       I64Attr:$segment);
  let results = (outs RankedTensorOf<[F32]>:$xsum, RankedTensorOf<[F32]>:$tscale);
  let assemblyFormat = [{
    $x `x_scale` $x_scale attr-dict `:` type($x) `,` type($x_scale) `->`
    type($xsum) `,` type($tscale)
  }];
  let hasVerifier = 1;
}

def Lut_DotAccumulateOp : Lut_Op<"dot_accumulate", [Pure]> {
  let summary = "int8 dot products per segment: the int8-dot path";
  let description = [{
    acc[n, m, s] = sum over k in segment s of x[n, k] * l(w[m, k]), where
    l is the weight's lookup value (`PackedType::getLookupValue`): the sum
    over bit planes i of pw_i * (2 beta_i - 1) for `bitplane`, the trit for
    `trit3`. That is exactly what `lut.lookup_accumulate` sums over the exact
    tables of the same int8 activations, so `lut.scale_combine` finishes
    either. The lowering multiplies int8 activations by the unpacked weight
    values (`vpdpbusd` on AVX-512 VNNI) instead of looking up tables
    (lut.md §4.2); `lut-select-strategy` chooses between the two.

    ```mlir
    %acc = lut.dot_accumulate %x, %w {segment = 32 : i64}
             : tensor<?x128xi8>, !lut.packed<256x128, #q, #l> -> tensor<?x256x4xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$x, Lut_PackedType:$weight,
                       I64Attr:$segment);
  let results = (outs RankedTensorOf<[I32]>:$acc);
  let assemblyFormat = [{
    $x `,` $weight attr-dict `:` type($x) `,` qualified(type($weight)) `->`
    type($acc)
  }];
  let hasVerifier = 1;
}

def Lut_ScaleCombineOp : Lut_Op<"scale_combine", [Pure]> {
  let summary = "the fp epilogue of the bit-serial lookup GEMM";
  let description = [{
    y[n, m] = sum over segments s of scale[m, s] * (kappa * tscale[n, s] *
    acc[n, m, s] + c[m, s] * xsum[n, s]) - min[m, s] * xsum[n, s] (tscale
    only with the i32 sums of quantized tables), with kappa = 1/2 (1 for
    binary) and c the per-group constant of lut.md §2.1 ((2^b - 1)/2 - z for
    unsigned codes with zero point z, -1/2 for signed, 0 for binary and
    ternary); `min` only for the `min` offset.

    ```mlir
    %y = lut.scale_combine %acc, %w, %xs : tensor<?x256x4xf32>,
           !lut.packed<256x128, #q, #l>, tensor<?x4xf32> -> tensor<?x256xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, I32]>:$acc, Lut_PackedType:$weight,
                       RankedTensorOf<[F32]>:$xsum,
                       Optional<RankedTensorOf<[F32]>>:$tscale);
  let results = (outs Lut_AnyFloatTensor:$result);
  let assemblyFormat = [{
    $acc `,` $weight `,` $xsum (`tscale` $tscale^)? attr-dict `:` type($acc)
    `,` qualified(type($weight)) `,` type($xsum) (`,` type($tscale)^)? `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// x86 target ops (emitted by convert-lut-to-vector for a chosen ISA)
//===----------------------------------------------------------------------===//

def Lut_X86PshufbOp : Lut_Op<"x86.pshufb",
    [Pure, AllTypesMatch<["table", "indices", "result"]>]> {
  let summary = "x86 byte shuffle within 16-byte lanes (vpshufb)";
  let description = [{
    For every byte i of a 32- or 64-byte vector: 0 if bit 7 of indices[i] is
    set, else table[16 * (i / 16) + (indices[i] & 15)], i.e. each 16-byte
    lane looks up in its own 16-byte table. The `vector` dialect has no
    run-time byte shuffle; this op keeps the instruction a value-semantics
    op through bufferization, and `convert-lut-x86-to-llvm` turns it into
    the AVX2 (32 bytes) or AVX-512BW (64 bytes) intrinsic. Only emitted for
    targets that have it.

    ```mlir
    %v = lut.x86.pshufb %table, %indices : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[32, 64], [I8]>:$table,
                       VectorOfLengthAndType<[32, 64], [I8]>:$indices);
  let results = (outs VectorOfLengthAndType<[32, 64], [I8]>:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` type($result)";
}

def Lut_X86VpermbOp : Lut_Op<"x86.vpermb",
    [Pure, AllTypesMatch<["table", "indices", "result"]>]> {
  let summary = "x86 byte permutation across 64 bytes (vpermb)";
  let description = [{
    result[i] = table[indices[i] & 63] for 64-byte vectors: one lookup in a
    64-entry byte table, e.g. four consecutive lookup groups' 16-entry
    tables, with the group in the index's upper bits (lut.md §4.3, variant
    P64). `convert-lut-x86-to-llvm` turns it into the AVX-512 VBMI
    intrinsic; only emitted for targets that have it.

    ```mlir
    %v = lut.x86.vpermb %table, %indices : vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[64], [I8]>:$table,
                       VectorOfLengthAndType<[64], [I8]>:$indices);
  let results = (outs VectorOfLengthAndType<[64], [I8]>:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` type($result)";
}

def Lut_X86PmaddubswOp : Lut_Op<"x86.pmaddubsw",
    [Pure, AllTypesMatch<["a", "b"]>]> {
  let summary = "x86 multiply-add of adjacent byte pairs to int16 (vpmaddubsw)";
  let description = [{
    result[i] = sat16(zext(a[2i]) * sext(b[2i]) + zext(a[2i+1]) * sext(b[2i+1]))
    for 32- or 64-byte vectors: `a` holds unsigned bytes, `b` signed ones,
    the result has half as many int16 lanes. The table-lookup kernels use it
    to weigh and add the two bit planes held in adjacent bytes (lut.md §4.3)
    in one instruction; with |b| <= 127 and a <= 8 it cannot saturate.
    `convert-lut-x86-to-llvm` turns it into the AVX2 (32 bytes) or
    AVX-512BW (64 bytes) intrinsic.

    ```mlir
    %v = lut.x86.pmaddubsw %weights, %lookups : vector<64xi8> -> vector<32xi16>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[32, 64], [I8]>:$a,
                       VectorOfLengthAndType<[32, 64], [I8]>:$b);
  let results = (outs VectorOfLengthAndType<[16, 32], [I16]>:$result);
  let assemblyFormat = "$a `,` $b attr-dict `:` type($a) `->` type($result)";
  let hasVerifier = 1;
}

def Lut_X86VpdpbusdOp : Lut_Op<"x86.vpdpbusd",
    [Pure, AllTypesMatch<["a", "b"]>, AllTypesMatch<["acc", "result"]>]> {
  let summary = "x86 dot products of byte quads accumulated in int32 (vpdpbusd)";
  let description = [{
    result[i] = acc[i] + sum over l < 4 of zext(a[4i+l]) * sext(b[4i+l])
    for 64-byte `a` and `b` (wrapping int32, as the instruction). The
    int8-dot kernel multiplies activations offset to unsigned bytes by
    signed weight values with it (lut.md §4.2). `convert-lut-x86-to-llvm`
    turns it into the AVX-512 VNNI intrinsic.

    ```mlir
    %r = lut.x86.vpdpbusd %acc, %a, %b : vector<16xi32>, vector<64xi8>
    ```
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I32]>:$acc,
                       VectorOfLengthAndType<[64], [I8]>:$a,
                       VectorOfLengthAndType<[64], [I8]>:$b);
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat = "$acc `,` $a `,` $b attr-dict `:` type($acc) `,` type($a)";
}

#endif // LOOM_DIALECT_LUT_IR_LUTOPS_TD

#ifndef LOOM_DIALECT_LUT_IR_LUTOPS_TD
#define LOOM_DIALECT_LUT_IR_LUTOPS_TD

include "loom/Dialect/Lut/IR/LutTypes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Lut_PackOp : Lut_Op<"pack", [Pure]> {
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

def Lut_MpGemmOp : Lut_Op<"mpgemm", [Pure]> {
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
  }];
}

def Lut_LinearOp : Lut_Op<"linear", [Pure]> {
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

#endif // LOOM_DIALECT_LUT_IR_LUTOPS_TD

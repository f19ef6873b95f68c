//===- LoweringHelpers.h - Builders shared by the lut lowerings -*- C++ -*-===//
//
// Internal to convert-lut-to-loops: scalar and tensor builders, and the two
// pattern sets (the reference GEMM, the table-lookup form).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_CONVERSION_LUTTOLOOPS_LOWERINGHELPERS_H
#define LOOM_LIB_CONVERSION_LUTTOLOOPS_LOWERINGHELPERS_H

#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::loom::lut::lowering {

Value floatConst(OpBuilder &b, Location loc, Type type, double value);

Value intConst(OpBuilder &b, Location loc, Type type, int64_t value);

/// Converts a float scalar to `type` (both float, any widths).
Value castFloat(OpBuilder &b, Location loc, Value v, Type type);

/// An empty [rows, cols] tensor whose dynamic row count is `x`'s dim 0.
Value emptyLike(OpBuilder &b, Location loc, Value x, int64_t cols, Type elt);

/// out[i, j] = fn(in[i, j]) for rank-2 tensors, into `init`.
Value map2D(OpBuilder &b, Location loc, Value in, Value init,
            function_ref<Value(OpBuilder &, Location, Value)> fn);

/// max_j |x[n, b*block + j]| as an [N, K/block] f32 tensor.
Value activationAbsMax(OpBuilder &b, Location loc, Value x, int64_t k,
                       int64_t block);

/// Rounds x / s half to even and clamps to [-127, 127]; 0 where s == 0.
Value quantizeActivation(OpBuilder &b, Location loc, Value x, Value scale);

/// A zero-filled tensor of `shape` (f32 unless `elt` says otherwise) whose
/// dim 0 is `like`'s dim 0.
Value zerosLike(OpBuilder &b, Location loc, Value like, ArrayRef<int64_t> shape,
                Type elt = Type());

/// x [N, K] viewed as [N, K/inner, inner].
Value splitInner(OpBuilder &b, Location loc, Value x, int64_t inner);

/// x [N, K] with each segment of `segment` columns padded with `pad` to
/// `padded` columns: [N, K / segment * padded] (x itself when equal).
Value padSegments(OpBuilder &b, Location loc, Value x, int64_t segment,
                  int64_t padded, TypedAttr pad);
/// Bit `plane` of a code in the decomposition of lut.md §2.1, an i32 0 or 1.
Value planeBit(OpBuilder &b, Location loc, QuantAttr quant, Value code,
               unsigned plane);
/// The lookup value of a code (PackedType::getLookupValue) as an i32.
Value lookupValue(OpBuilder &b, Location loc, PackedType packed, Value code);
/// xsum[n, s] = sum over segment s of toF32(x[n, k]), as [N, K/segment] f32.
Value segmentSums(OpBuilder &b, Location loc, Value x, int64_t segment,
                  function_ref<Value(OpBuilder &, Location, Value)> toF32);
/// int8 activations x = scale * x_int: (xsum * scale, scale) per row and
/// segment, from a per-row [N] or per-block [N, K/Ga] x_scale.
std::pair<Value, Value> applyActivationScale(OpBuilder &b, Location loc,
                                             Value sums, Value scale,
                                             int64_t segment, Value x);
/// pack, dequantize and mpgemm from logical codes (the reference GEMM).
void populateReferenceGemmPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns);

/// quantize_activations, table_precompute, lookup_accumulate, scale_combine.
void populateTableLookupPatterns(TypeConverter &converter,
                                 RewritePatternSet &patterns);
/// activation_sums and dot_accumulate (the int8-dot path).
void populateIntegerDotPatterns(TypeConverter &converter,
                                RewritePatternSet &patterns);
/// stack, expert and gather_rows.
void populateStackedWeightPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns);

} // namespace mlir::loom::lut::lowering

#endif // LOOM_LIB_CONVERSION_LUTTOLOOPS_LOWERINGHELPERS_H

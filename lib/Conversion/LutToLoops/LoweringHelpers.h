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

/// pack, dequantize and mpgemm from logical codes (the reference GEMM).
void populateReferenceGemmPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns);

/// quantize_activations, table_precompute, lookup_accumulate, scale_combine.
void populateTableLookupPatterns(TypeConverter &converter,
                                 RewritePatternSet &patterns);

} // namespace mlir::loom::lut::lowering

#endif // LOOM_LIB_CONVERSION_LUTTOLOOPS_LOWERINGHELPERS_H

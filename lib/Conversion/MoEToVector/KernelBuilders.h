//===- KernelBuilders.h - Builders the moe vector kernels share -*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_MOETOVECTOR_KERNELBUILDERS_H
#define LOOM_LIB_CONVERSION_MOETOVECTOR_KERNELBUILDERS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::moe {

/// f32 lanes per vector register (AVX-512).
constexpr int64_t kLanes = 16;

/// An index constant.
Value idx(ImplicitLocOpBuilder &b, int64_t v);

/// `v` (a float scalar or vector) widened to f32; f32 stays as it is.
Value toF32(ImplicitLocOpBuilder &b, Value v);

/// scf.for iv = lb to ub step `step` with `inits`; `body` returns the values
/// to yield. Returns the loop's results.
SmallVector<Value> forLoop(
    ImplicitLocOpBuilder &b, Value lb, Value ub, int64_t step, ValueRange inits,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value, ValueRange)>
        body);

/// kLanes elements of `source` at `at` along its last dimension, widened to
/// f32; unless `inBounds`, lanes past the end read 0.
Value readLanes(ImplicitLocOpBuilder &b, Value source, ValueRange at,
                bool inBounds);

} // namespace mlir::loom::moe

#endif // LOOM_LIB_CONVERSION_MOETOVECTOR_KERNELBUILDERS_H

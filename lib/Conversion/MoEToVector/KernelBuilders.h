//===- KernelBuilders.h - Builders the moe vector kernels share -*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_MOETOVECTOR_KERNELBUILDERS_H
#define LOOM_LIB_CONVERSION_MOETOVECTOR_KERNELBUILDERS_H

#include "loom/Dialect/MoE/Transforms/Builders.h"

namespace mlir::loom::moe {

/// f32 lanes per vector register (AVX-512).
constexpr int64_t kLanes = 16;

/// kLanes elements of `source` at `at` along its last dimension, widened to
/// f32; unless `inBounds`, lanes past the end read 0.
Value readLanes(ImplicitLocOpBuilder &b, Value source, ValueRange at,
                bool inBounds);

} // namespace mlir::loom::moe

#endif // LOOM_LIB_CONVERSION_MOETOVECTOR_KERNELBUILDERS_H

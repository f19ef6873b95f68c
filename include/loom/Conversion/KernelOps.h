//===- KernelOps.h - Scalar builders the GPU kernels share ------*- C++ -*-===//
#ifndef LOOM_CONVERSION_KERNELOPS_H
#define LOOM_CONVERSION_KERNELOPS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::gpu_kernels {

Value index(ImplicitLocOpBuilder &b, int64_t v);
Value f32(ImplicitLocOpBuilder &b, double v);
Value i32(ImplicitLocOpBuilder &b, int64_t v);
/// Element `at` of `memref`, widened to f32 when it is a narrower float
/// (f16, bf16).
Value load(ImplicitLocOpBuilder &b, Value memref, ValueRange at);
/// Stores `v`, narrowed from f32 to the element type of `memref`.
void store(ImplicitLocOpBuilder &b, Value v, Value memref, ValueRange at);
Value dim(ImplicitLocOpBuilder &b, Value memref, int64_t i);
/// An i32 as an index.
Value asIndex(ImplicitLocOpBuilder &b, Value i32Value);
/// 0 <= v < bound for an i32 `v` and an index `bound`.
Value inRange(ImplicitLocOpBuilder &b, Value v, Value bound);
/// `then` under `cond`, with no results.
void when(ImplicitLocOpBuilder &b, Value cond, function_ref<void()> then);
/// then() under `cond`, else otherwise(), with no results.
void branch(ImplicitLocOpBuilder &b, Value cond, function_ref<void()> then,
            function_ref<void()> otherwise);
/// then() when `cond`, else `otherwise` (only the taken side runs, so
/// `then` may load what is out of bounds otherwise).
Value select(ImplicitLocOpBuilder &b, Value cond, Value otherwise,
             function_ref<Value()> then);
/// A loop without results over [lb, ub) by `step`.
void each(ImplicitLocOpBuilder &b, Value lb, Value ub, int64_t step,
          function_ref<void(Value)> body);

} // namespace mlir::loom::gpu_kernels

#endif // LOOM_CONVERSION_KERNELOPS_H

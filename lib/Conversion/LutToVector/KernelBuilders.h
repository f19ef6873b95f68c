//===- KernelBuilders.h - Builders shared by the vector kernels -*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_KERNELBUILDERS_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_KERNELBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::loom::lut {

/// An index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t value);

/// A constant vector of `type` with every element `value`.
Value splatConst(OpBuilder &b, Location loc, VectorType type, TypedAttr value);

/// tensor.empty of `type`, whose dynamic dim 0 (if any) is `rows`.
Value emptyWithRows(OpBuilder &b, Location loc, RankedTensorType type,
                    Value rows);

/// scf.for iv = 0 to `ub` with `iters`; `body` returns the values to yield.
/// Returns the loop's results.
ValueRange buildLoop(
    OpBuilder &b, Location loc, Value ub, ValueRange iters,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_KERNELBUILDERS_H

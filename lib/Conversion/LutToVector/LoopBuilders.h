//===- LoopBuilders.h - Loop builders of the vector kernels -----*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_LOOPBUILDERS_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_LOOPBUILDERS_H

#include "mlir/IR/Builders.h"

namespace mlir::loom::lut {

/// An index constant.
Value indexConst(OpBuilder &b, Location loc, int64_t value);

/// scf.for iv = 0 to `ub` with `iters`; `body` returns the values to yield.
/// Returns the loop's results.
ValueRange buildLoop(
    OpBuilder &b, Location loc, Value ub, ValueRange iters,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_LOOPBUILDERS_H

//===- Verification.h - Shared helpers for op verifiers ---------*- C++ -*-===//
#ifndef LOOM_SUPPORT_VERIFICATION_H
#define LOOM_SUPPORT_VERIFICATION_H

#include "mlir/IR/Operation.h"

namespace mlir::loom {

/// Checks that `type` is a ranked tensor of shape `expected`, where a
/// dynamic expected dimension matches anything and a dynamic actual
/// dimension matches any expected size. Otherwise emits
/// "<what> must have shape AxBx?, got <type>" on `op`.
LogicalResult verifyTensorShape(Operation *op, StringRef what, Type type,
                                ArrayRef<int64_t> expected);

} // namespace mlir::loom

#endif // LOOM_SUPPORT_VERIFICATION_H

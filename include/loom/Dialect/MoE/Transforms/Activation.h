//===- Activation.h - The expert activations of moe.md §1.6 -----*- C++ -*-===//
#ifndef LOOM_DIALECT_MOE_TRANSFORMS_ACTIVATION_H
#define LOOM_DIALECT_MOE_TRANSFORMS_ACTIVATION_H

#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::moe {

/// act(z) for an f32 scalar or a vector of f32, from arith and math ops:
/// the reference lowering and the vector kernels evaluate the same formula.
/// Gated kinds give the activation of their gate half (silu for swiglu,
/// gelu for geglu); the caller multiplies by the up half.
Value buildActivation(OpBuilder &b, Location loc, Activation act, Value z);

} // namespace mlir::loom::moe

#endif // LOOM_DIALECT_MOE_TRANSFORMS_ACTIVATION_H

//===- Passes.h - moe dialect passes ----------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_MOE_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_MOE_TRANSFORMS_PASSES_H

#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace loom {
namespace moe {

#define GEN_PASS_DECL
#include "loom/Dialect/MoE/Transforms/Passes.h.inc"

/// Adds the pattern that splits moe.layer into the routing and compute ops.
void populateDecomposeLayerPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/MoE/Transforms/Passes.h.inc"

} // namespace moe
} // namespace loom
} // namespace mlir

#endif // LOOM_DIALECT_MOE_TRANSFORMS_PASSES_H

//===- Passes.h - lut dialect passes ----------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_LUT_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_LUT_TRANSFORMS_PASSES_H

#include "loom/Dialect/Lut/IR/LutOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace loom {
namespace lut {

#define GEN_PASS_DECL
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"

/// Adds the pattern that rewrites lut.linear into collapse_shape +
/// lut.mpgemm + bias add + expand_shape.
void populateLinearToMpGemmPatterns(RewritePatternSet &patterns);

/// Adds the pattern that rewrites bitplane-weight lut.mpgemm into
/// table_precompute + lookup_accumulate + scale_combine.
void populateDecomposeMpGemmPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"

} // namespace lut
} // namespace loom
} // namespace mlir

#endif // LOOM_DIALECT_LUT_TRANSFORMS_PASSES_H

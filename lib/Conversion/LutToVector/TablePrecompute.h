//===- TablePrecompute.h - Activation tables as vector code -----*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_TABLEPRECOMPUTE_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_TABLEPRECOMPUTE_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::lut {

/// lut.table_precompute (plain or fused) into the 16-entry tables the S16
/// kernel reads, as vector code: int8 tables of fp activations, exact int16
/// tables of int8 activations.
void populateTablePrecomputeToVectorPatterns(RewritePatternSet &patterns);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_TABLEPRECOMPUTE_H

//===- TablePrecompute.h - Activation tables as vector code -----*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_TABLEPRECOMPUTE_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_TABLEPRECOMPUTE_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::lut {

/// lut.table_precompute of fp activations into int8 16-entry tables (the
/// tables the S16 kernel reads) as vector code.
void populateTablePrecomputeToVectorPatterns(RewritePatternSet &patterns);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_TABLEPRECOMPUTE_H

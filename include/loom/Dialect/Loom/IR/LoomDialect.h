//===- LoomDialect.h - Attributes shared by Loom's dialects -----*- C++ -*-===//
#ifndef LOOM_DIALECT_LOOM_IR_LOOMDIALECT_H
#define LOOM_DIALECT_LOOM_IR_LOOMDIALECT_H

#include "loom/CostModel/Knobs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Loom/IR/LoomAttrs.h.inc"

namespace mlir::loom {

/// The fewest rows a contraction of dynamic rows runs at, where
/// loom-version-decode-rows gave its one-row case a copy of its own (an
/// integer >= 1; the cost model judges the contraction from there).
constexpr llvm::StringLiteral kMinRowsAttrName = "loom.min_rows";

/// Checks that a tunable `op` can take `decision`: its kind, each knob one
/// of its options, a legal candidate (on any target of the ISA family).
/// The errors are at `op`; any decision suits an op that is not tunable.
LogicalResult verifyDecision(Operation *op, DecisionAttr decision);

} // namespace mlir::loom

#endif // LOOM_DIALECT_LOOM_IR_LOOMDIALECT_H

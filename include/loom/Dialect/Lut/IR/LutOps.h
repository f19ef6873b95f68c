//===- LutOps.h - lut dialect operations ------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_LUT_IR_LUTOPS_H
#define LOOM_DIALECT_LUT_IR_LUTOPS_H

#include "loom/CostModel/TunableOpInterface.h"
#include "loom/CostModel/WorkEstimateOpInterface.h"
#include "loom/Dialect/Lut/IR/LutDialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "loom/Dialect/Lut/IR/LutOps.h.inc"

namespace mlir::loom::lut {

/// Lookup groups of `g` activations per segment of `segment`: trit3's
/// triples never straddle a segment, so a segment whose length is no
/// multiple of 3 ends in a triple padded with zero activations (lut.md
/// §2.5); bit-plane groups always divide it.
inline int64_t groupsPerSegment(int64_t segment, int64_t g) {
  return (segment + g - 1) / g;
}

/// Table rows (lookup groups) over K activations in segments of `segment`.
inline int64_t tableGroups(int64_t k, int64_t segment, int64_t g) {
  return k / segment * groupsPerSegment(segment, g);
}

} // namespace mlir::loom::lut

#endif // LOOM_DIALECT_LUT_IR_LUTOPS_H

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

/// Whether `packed`'s int8 tables fit the P64 kernel's quad layout (four
/// lookup groups' tables in one register, lut.md §4.3): one plane per byte
/// (W1, W3; trit3) over full 16-entry tables, and whole quads of groups
/// per segment — but for trit3, whose last quad is padded (see
/// quadTablesArePadded).
inline bool quadTablesFit(PackedType packed, int64_t segment) {
  LayoutAttr layout = packed.getLayout();
  if (layout.getKind() == LayoutKind::Trit3)
    return true;
  return layout.getKind() == LayoutKind::Bitplane &&
         layout.getLookupGroup() == 4 &&
         packed.getQuant().getNumPlanes() % 2 == 1 &&
         groupsPerSegment(segment, 4) % 4 == 0;
}

/// Whether the quad stream of `packed` carries padding: trit3's segments
/// of 64 hold 22 triples, so its P64 stream is 9 % longer than T3's.
inline bool quadTablesArePadded(PackedType packed, int64_t segment) {
  bool trit3 = packed.getLayout().getKind() == LayoutKind::Trit3;
  return groupsPerSegment(segment, trit3 ? 3 : 4) % 4 != 0;
}

} // namespace mlir::loom::lut

#endif // LOOM_DIALECT_LUT_IR_LUTOPS_H

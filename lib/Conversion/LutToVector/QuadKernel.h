//===- QuadKernel.h - The P64 table-lookup kernel ---------------*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_QUADKERNEL_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_QUADKERNEL_H

#include "LookupKernel.h"

namespace mlir::loom::lut {

/// Whether the P64 kernel serves `plan` on `isa`: int8 tables over weights
/// with one plane per byte (an odd plane count, or trit3) on AVX-512 VBMI,
/// bit-plane segments holding whole quads of groups.
bool quadKernelApplies(const KernelPlan &plan, ByteShuffle isa);

/// The P64 loop nest of `plan` over `stream` (lut.md §4.3): per quad of
/// lookup groups, one 64-byte table register per column holding their four
/// tables, one `vpermb` per 64 indices (a byte quad is one row's four
/// groups) and one `vpdpbusd` that weighs the plane and sums the four
/// lookups into int32; returns y [N, M].
Value emitQuadKernel(OpBuilder &b, Location loc, Operation *anchor,
                     const KernelPlan &plan, const QuadStream &stream,
                     const ColumnSource &source, RankedTensorType resultType);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_QUADKERNEL_H

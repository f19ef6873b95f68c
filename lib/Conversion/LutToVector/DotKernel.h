//===- DotKernel.h - The int8-dot vector kernel -----------------*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_LUTTOVECTOR_DOTKERNEL_H
#define LOOM_LIB_CONVERSION_LUTTOVECTOR_DOTKERNEL_H

#include "ByteOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::lut {

/// lut.dot_accumulate -> lut.scale_combine chains over constant weights
/// whose segments are multiples of 8, as one vector loop nest; tiles of
/// `columnTile` columns share each unpacked weight vector; the stream is
/// prefetched `prefetchDistance` bytes ahead (0: not at all).
void populateDotKernelPatterns(RewritePatternSet &patterns, ByteShuffle isa,
                               int64_t columnTile, int64_t prefetchDistance);

} // namespace mlir::loom::lut

#endif // LOOM_LIB_CONVERSION_LUTTOVECTOR_DOTKERNEL_H

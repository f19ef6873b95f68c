//===- MapKernel.h - Element-wise linalg maps as GPU kernels ----*- C++ -*-===//
//
// The small maps that sit between two kernels' results (the MoE row map's
// tokens and weights, which moe-fuse derives for the expert GEMMs) run on
// the device as one thread per element, so that neither result has to
// come back to the host for them.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_MAPKERNEL_H
#define LOOM_CONVERSION_MAPKERNEL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::loom {

/// Whether lowerElementwiseMap takes `map`: 1-D and parallel with identity
/// indexing over ranked tensors, one result whose init the body does not
/// read, and a body of arith ops and tensor.extracts from values defined
/// outside it.
bool isElementwiseMap(linalg::GenericOp map);

/// Replaces `map` by a kernel of one thread per element that writes a new
/// buffer (host loops when `interpret`).
void lowerElementwiseMap(linalg::GenericOp map, bool interpret);

} // namespace mlir::loom

#endif // LOOM_CONVERSION_MAPKERNEL_H

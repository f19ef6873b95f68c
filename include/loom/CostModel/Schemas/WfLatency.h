//===- WfLatency.h - Features of the wf.latency estimate --------*- C++ -*-===//
//
// One row per wf.compute node (or function body): its ops' work summed
// over the region (costmodel.md §3's pack-sum), what crosses the node's
// boundary, and the analytical time with its compute/memory split. The
// enum is the schema's order; cost::latencyFeatures fills rows by it.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_SCHEMAS_WFLATENCY_H
#define LOOM_COSTMODEL_SCHEMAS_WFLATENCY_H

#include "loom/CostModel/FeatureSchema.h"

namespace mlir::loom::cost::wf_latency {

enum Feature : unsigned {
  // Work per compute class and bytes per memory level (log2(1 + x)).
  F32Ops,
  ByteLookups,
  Int8DotOps,
  L1Bytes,
  L2Bytes,
  DramBytes,
  // The node's arguments and results.
  BytesIn,
  BytesOut,
  // Costed ops, by the dialect that lowers them (its kernels differ).
  Ops,
  LutOps,
  MoEOps,
  LinalgOps,
  OtherOps,
  Calls,
  // Analytical prior: log2 seconds of the compute-bound ops, of the
  // memory-bound ops, the largest op's share of the total, and the total.
  ComputeBoundLog2Seconds,
  MemoryBoundLog2Seconds,
  LargestOpShare,
  RooflineLog2Seconds,
  NumFeatures
};

const FeatureSchema &schema();

} // namespace mlir::loom::cost::wf_latency

#endif // LOOM_COSTMODEL_SCHEMAS_WFLATENCY_H

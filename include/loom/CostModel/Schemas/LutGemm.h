//===- LutGemm.h - Features of the lut.gemm decision ------------*- C++ -*-===//
//
// One row per (lut.mpgemm, candidate schedule, N). The enum is the schema's
// order; lut.mpgemm fills rows by these names and models index them alike.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_SCHEMAS_LUTGEMM_H
#define LOOM_COSTMODEL_SCHEMAS_LUTGEMM_H

#include "loom/CostModel/FeatureSchema.h"

namespace mlir::loom::cost::lut_gemm {

enum Feature : unsigned {
  // Problem.
  M,
  K,
  N,
  WeightBits,
  Planes,
  GroupSize,
  IntActivations,
  Trit3,
  // Candidate.
  ColumnTile,
  PrefetchBytes,
  // The path at this row's N (the dot_from_n knob): int8 dot products or
  // table lookups, and the dot path's index bits (0: it cannot serve).
  DotPath,
  DotIndexBits,
  // The table layout at this row's N (the quad_from_n knob): the P64
  // kernel's quad tables, or S16's / T3's single ones.
  QuadTables,
  // Derived: weight streams (one per column tile), bytes, tables.
  WeightStreams,
  WeightBytes,
  TableBytes,
  // Execution context: whether the weights stream from DRAM.
  WeightsFromDram,
  // Analytical prior.
  RooflineLog2Seconds,
  MemoryBound,
  NumFeatures
};

const FeatureSchema &schema();

} // namespace mlir::loom::cost::lut_gemm

#endif // LOOM_COSTMODEL_SCHEMAS_LUTGEMM_H

//===- MoEDispatch.h - Features of the moe.dispatch decision ----*- C++ -*-===//
//
// One row per (moe.layer, candidate strategy and register tile, T). The
// enum is the schema's order; moe.layer fills rows by these names.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_SCHEMAS_MOEDISPATCH_H
#define LOOM_COSTMODEL_SCHEMAS_MOEDISPATCH_H

#include "loom/CostModel/FeatureSchema.h"

namespace mlir::loom::cost::moe_dispatch {

enum Feature : unsigned {
  // Problem.
  Tokens,
  Experts,
  TopK,
  DModel,
  DFf,
  SharedDFf,
  Gated,
  CapacityFactor,
  Decode,
  // The expected load of a uniform router (moe.md §3.2): active experts,
  // rows each computes, and the rows a padded buffer holds per expert.
  ActiveExperts,
  RowsPerExpert,
  PaddedRowsPerExpert,
  // Candidate: the strategy (one-hot) and the register tile.
  Grouped,
  Padded,
  Dense,
  TileRows,
  TileWeightRows,
  // Derived: rows of the last row tile over the tile's rows (1: no
  // remainder), and the expert GEMMs' share of the analytical time.
  RowTileFill,
  ExpertShare,
  // Analytical prior.
  RooflineLog2Seconds,
  MemoryBound,
  NumFeatures
};

const FeatureSchema &schema();

} // namespace mlir::loom::cost::moe_dispatch

#endif // LOOM_COSTMODEL_SCHEMAS_MOEDISPATCH_H

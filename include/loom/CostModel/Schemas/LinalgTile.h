//===- LinalgTile.h - Features of the linalg.tile decision ------*- C++ -*-===//
//
// One row per (linalg contraction, candidate register tile). The enum is the
// schema's order; the linalg ops' external model fills rows by these names.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_SCHEMAS_LINALGTILE_H
#define LOOM_COSTMODEL_SCHEMAS_LINALGTILE_H

#include "loom/CostModel/FeatureSchema.h"

namespace mlir::loom::cost::linalg_tile {

enum Feature : unsigned {
  // Problem: the tiled m, n and k dims, the product of every other loop
  // (batch dims and the outer m/n/k dims, run at tile 1) and whether each
  // operand is contiguous along the dim its vectors run on.
  M,
  N,
  K,
  OuterIterations,
  LhsContiguousK,
  RhsContiguousN,
  RhsContiguousK,
  OutContiguousN,
  // The bytes of the result's element type, and whether the tile keeps its
  // sums in f32 (bf16; f16 without AVX512-FP16: ContractionTiling::
  // sumsInF32).
  ElementBytes,
  PromotedArithmetic,
  // Candidate: the register tile and the dim its vectors run along (n:
  // outer products; k: partial sums, added up after the loops).
  TileM,
  TileN,
  TileK,
  VectorAlongK,
  // Derived: vector registers of the accumulators, the share of vector
  // lanes the tile's vector extent fills, loads and element shuffles
  // (transposed reads) per FMA, the vector FMAs in one iteration of the k
  // loop (its unrolled body), the trip count of that loop, and the bytes
  // of rhs each row tile streams.
  AccumulatorRegisters,
  LaneFill,
  LoadsPerFma,
  ShufflesPerFma,
  BodyFmas,
  KTrips,
  RhsBytes,
  // Where the tile does not divide a loop: the remainder parts the lowering
  // splits off and their share of the multiply-adds.
  RemainderParts,
  RemainderShare,
  // Analytical prior.
  RooflineLog2Seconds,
  MemoryBound,
  NumFeatures
};

const FeatureSchema &schema();

} // namespace mlir::loom::cost::linalg_tile

#endif // LOOM_COSTMODEL_SCHEMAS_LINALGTILE_H

//===- LinalgTile.cpp - Features of the linalg.tile decision --------------===//

#include "loom/CostModel/Schemas/LinalgTile.h"

using namespace mlir::loom::cost;

const FeatureSchema &linalg_tile::schema() {
  static const llvm::StringRef names[] = {"m",
                                          "n",
                                          "k",
                                          "outer_iterations",
                                          "lhs_contiguous_k",
                                          "rhs_contiguous_n",
                                          "rhs_contiguous_k",
                                          "out_contiguous_n",
                                          "element_bytes",
                                          "promoted_arithmetic",
                                          "tile_m",
                                          "tile_n",
                                          "tile_k",
                                          "vector_along_k",
                                          "accumulator_registers",
                                          "lane_fill",
                                          "loads_per_fma",
                                          "shuffles_per_fma",
                                          "body_fmas",
                                          "k_trips",
                                          "rhs_bytes",
                                          "remainder_parts",
                                          "remainder_share",
                                          "roofline_log2_s",
                                          "memory_bound"};
  static_assert(std::size(names) == NumFeatures,
                "one name per linalg_tile::Feature, in its order");
  static const FeatureSchema schema{"linalg.tile", 4, names};
  return schema;
}

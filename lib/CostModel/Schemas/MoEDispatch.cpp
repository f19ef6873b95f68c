//===- MoEDispatch.cpp - Features of the moe.dispatch decision ------------===//

#include "loom/CostModel/Schemas/MoEDispatch.h"

using namespace mlir::loom::cost;

const FeatureSchema &moe_dispatch::schema() {
  static const llvm::StringRef names[] = {"tokens",
                                          "experts",
                                          "top_k",
                                          "d_model",
                                          "d_ff",
                                          "shared_d_ff",
                                          "gated",
                                          "capacity_factor",
                                          "decode",
                                          "active_experts",
                                          "rows_per_expert",
                                          "padded_rows_per_expert",
                                          "grouped",
                                          "padded",
                                          "dense",
                                          "tile_rows",
                                          "tile_weight_rows",
                                          "row_tile_fill",
                                          "expert_share",
                                          "roofline_log2_s",
                                          "memory_bound"};
  static_assert(std::size(names) == NumFeatures,
                "one name per moe_dispatch::Feature, in its order");
  static const FeatureSchema schema{"moe.dispatch", 1, names};
  return schema;
}

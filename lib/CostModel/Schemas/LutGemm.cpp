//===- LutGemm.cpp - Features of the lut.gemm decision --------------------===//

#include "loom/CostModel/Schemas/LutGemm.h"

using namespace mlir::loom::cost;

const FeatureSchema &lut_gemm::schema() {
  static const llvm::StringRef names[] = {"m",
                                          "k",
                                          "n",
                                          "weight_bits",
                                          "planes",
                                          "group_size",
                                          "int_activations",
                                          "trit3",
                                          "column_tile",
                                          "prefetch_bytes",
                                          "dot_path",
                                          "dot_index_bits",
                                          "quad_tables",
                                          "weight_streams",
                                          "weight_bytes",
                                          "table_bytes",
                                          "weights_from_dram",
                                          "roofline_log2_s",
                                          "memory_bound"};
  static_assert(std::size(names) == NumFeatures,
                "one name per lut_gemm::Feature, in its order");
  // v2: weights_from_dram; v3: dot_path, dot_index_bits (and
  // weight_bytes is the bytes of the path's stream); v4: quad_tables.
  static const FeatureSchema schema{"lut.gemm", 4, names};
  return schema;
}

//===- WfLatency.cpp - Features of the wf.latency estimate ----------------===//

#include "loom/CostModel/Schemas/WfLatency.h"

using namespace mlir::loom::cost;

const FeatureSchema &wf_latency::schema() {
  static const llvm::StringRef names[] = {"f32_ops",
                                          "byte_lookups",
                                          "int8_dot_ops",
                                          "l1_bytes",
                                          "l2_bytes",
                                          "dram_bytes",
                                          "bytes_in",
                                          "bytes_out",
                                          "ops",
                                          "lut_ops",
                                          "moe_ops",
                                          "linalg_ops",
                                          "other_ops",
                                          "calls",
                                          "compute_bound_log2_s",
                                          "memory_bound_log2_s",
                                          "largest_op_share",
                                          "roofline_log2_s"};
  static_assert(std::size(names) == NumFeatures,
                "one name per wf_latency::Feature, in its order");
  static const FeatureSchema schema{"wf.latency", 1, names,
                                    FeatureSchema::Objective::Regression};
  return schema;
}

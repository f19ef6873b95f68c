//===- FeatureSchema.h - Ordered feature names of one decision --*- C++ -*-===//
//
// A model is only as good as the agreement between the features it was
// trained on and the ones the compiler computes. Each decision declares its
// feature names once, with a version; the hash over the version and the
// names in order is what models and dataset rows are checked against.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_FEATURESCHEMA_H
#define LOOM_COSTMODEL_FEATURESCHEMA_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir::loom::cost {

/// Features in schema order; NaN marks an absent value (trees take their
/// default branch).
using FeatureVector = llvm::SmallVector<float, 32>;

struct FeatureSchema {
  /// What a model of the schema predicts: an order of one op's candidates
  /// (rank:pairwise), or log2 seconds comparable across ops
  /// (reg:squarederror; wf.latency's node times). A regression model
  /// predicts the roofline's error: log2 seconds are roofline_log2_s plus
  /// its output, so beyond the sizes it was trained on (where trees go
  /// flat) the estimate still scales like the roofline.
  enum class Objective { Rank, Regression };

  /// The decision id, e.g. "lut.gemm".
  llvm::StringRef decision;
  unsigned version;
  llvm::ArrayRef<llvm::StringRef> names;
  Objective objective = Objective::Rank;

  /// XXH3 over the decision, the version and the names in order: stable
  /// across builds and hosts, unlike llvm::hash_value.
  uint64_t hash() const;
  /// The hash as 16 lowercase hex digits, as model metadata stores it.
  std::string hashString() const;
  std::optional<unsigned> indexOf(llvm::StringRef name) const;
  size_t size() const { return names.size(); }
};

/// The schema of decision `kind` ("lut.gemm"), or null for a kind no op
/// decides yet.
const FeatureSchema *schemaFor(llvm::StringRef kind);

/// Counts, sizes and bytes enter features as log2(1 + x): trees split on
/// orders of magnitude, and a model extrapolates more gently in log space.
float encodeCount(double value);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_FEATURESCHEMA_H

//===- CostModel.h - Ranks the candidates of a decision ---------*- C++ -*-===//
//
// Passes ask a CostModel which candidate of a knob space to lower: a trained
// tree ensemble where one fits the decision and target, the roofline
// otherwise. Both read the same feature vectors, which the compiler and
// loom-tune compute with the same code.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_COSTMODEL_H
#define LOOM_COSTMODEL_COSTMODEL_H

#include "loom/CostModel/FeatureSchema.h"

#include <string>

namespace mlir::loom::cost {

struct CostModelInfo {
  enum class Source { Learned, Roofline };
  Source source;
  /// "<target>/<decision>@<content hash>" for a learned model, "roofline"
  /// for the analytical one.
  std::string modelId;
  unsigned schemaVersion;
  /// Whether costs are log2 seconds, comparable across calls (regression
  /// and roofline), or only an order within one call (ranking).
  bool absolute;
};

/// Single-threaded and re-entrant; holds no mutable state once built.
class CostModel {
public:
  virtual ~CostModel();

  /// One cost per row; lower is faster.
  virtual llvm::SmallVector<double>
  predict(llvm::ArrayRef<FeatureVector> rows) const = 0;
  virtual CostModelInfo info() const = 0;
  /// The features of `row` outside the range the model was trained on
  /// (trees predict flat beyond it); none for an analytical model.
  virtual llvm::SmallVector<unsigned>
  outOfRange(const FeatureVector &row) const {
    return {};
  }

  /// Row indices by ascending cost; ties keep the rows' (canonical) order.
  llvm::SmallVector<unsigned> rank(llvm::ArrayRef<FeatureVector> rows) const;
};

/// Costs each row by its roofline time, which every schema carries as a
/// feature (log2 seconds), so no separate estimate is needed.
class RooflineCostModel : public CostModel {
public:
  RooflineCostModel(const FeatureSchema &schema, unsigned rooflineFeature)
      : schemaVersion(schema.version), rooflineFeature(rooflineFeature) {}

  llvm::SmallVector<double>
  predict(llvm::ArrayRef<FeatureVector> rows) const override;
  CostModelInfo info() const override;

private:
  unsigned schemaVersion;
  unsigned rooflineFeature;
};

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_COSTMODEL_H

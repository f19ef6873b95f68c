//===- TreeEnsemble.h - Evaluates shipped XGBoost models --------*- C++ -*-===//
//
// loom-tune trains with XGBoost; the compiler evaluates the saved JSON
// model itself (no ML runtime in loom-opt or loom-compile). The trees are
// flattened into one node array at load time and summed in file order in
// double, so a prediction is the same on every build.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_TREEENSEMBLE_H
#define LOOM_COSTMODEL_TREEENSEMBLE_H

#include "loom/CostModel/CostModel.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <vector>

namespace mlir::loom::cost {

class TreeEnsembleCostModel : public CostModel {
public:
  /// Parses XGBoost 1.x's JSON model (`Booster.save_model("m.json")`) for
  /// a decision of `schema`. `source` names the file in errors, `modelId`
  /// is reported by info(). Rejects malformed JSON, other major versions,
  /// objectives other than rank:pairwise and reg:squarederror, a feature
  /// count other than the schema's, and trees that are not trees.
  static llvm::Expected<std::unique_ptr<TreeEnsembleCostModel>>
  parse(llvm::StringRef json, llvm::StringRef source,
        const FeatureSchema &schema, llvm::StringRef modelId);

  /// XGBoost's margin for one row: base score plus one leaf per tree.
  double evaluate(llvm::ArrayRef<float> features) const;

  llvm::SmallVector<double>
  predict(llvm::ArrayRef<FeatureVector> rows) const override;
  CostModelInfo info() const override;

  size_t getNumTrees() const { return roots.size(); }

  /// The [min, max] of every feature over the training rows (from the
  /// model's metadata).
  void setTrainingRanges(std::vector<std::pair<float, float>> ranges) {
    trainingRanges = std::move(ranges);
  }
  llvm::SmallVector<unsigned>
  outOfRange(const FeatureVector &row) const override;
  bool isRanking() const { return ranking; }

private:
  TreeEnsembleCostModel() = default;

  struct Node {
    /// -1 at a leaf, whose value is then `threshold`.
    int32_t left, right;
    uint32_t feature;
    float threshold;
    bool defaultLeft;
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> roots;
  double baseScore = 0;
  bool ranking = false;
  unsigned numFeatures = 0;
  unsigned schemaVersion = 0;
  std::string modelId;
  std::vector<std::pair<float, float>> trainingRanges;
};

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_TREEENSEMBLE_H

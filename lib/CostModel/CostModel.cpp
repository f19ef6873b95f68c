//===- CostModel.cpp - Ranks the candidates of a decision -----------------===//

#include "loom/CostModel/CostModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVectorExtras.h"

#include <numeric>

using namespace mlir::loom::cost;

CostModel::~CostModel() = default;

llvm::SmallVector<unsigned>
CostModel::rank(llvm::ArrayRef<FeatureVector> rows) const {
  llvm::SmallVector<double> costs = predict(rows);
  llvm::SmallVector<unsigned> order(rows.size());
  std::iota(order.begin(), order.end(), 0u);
  llvm::stable_sort(
      order, [&](unsigned a, unsigned b) { return costs[a] < costs[b]; });
  return order;
}

llvm::SmallVector<double>
RooflineCostModel::predict(llvm::ArrayRef<FeatureVector> rows) const {
  return llvm::map_to_vector(rows, [&](const FeatureVector &row) {
    return static_cast<double>(row[rooflineFeature]);
  });
}

CostModelInfo RooflineCostModel::info() const {
  return {CostModelInfo::Source::Roofline, "roofline", schemaVersion,
          /*absolute=*/true};
}

//===- Decide.cpp - Ranks a tunable op's candidates -----------------------===//

#include "loom/CostModel/Decide.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <numeric>
#include <utility>

using namespace mlir::loom::cost;

#include "loom/CostModel/TunableOpInterface.cpp.inc"

llvm::SmallVector<RankedCandidate>
mlir::loom::cost::rankCandidates(TunableOpInterface op, const KnobSpace &space,
                                 const TargetInfo &target,
                                 const CostModel &model, size_t maxCandidates) {
  return rankCandidates(
      space,
      [&](const Candidate &candidate) {
        return op.getFeatures(space, candidate, target);
      },
      model, maxCandidates);
}

llvm::SmallVector<RankedCandidate> mlir::loom::cost::rankCandidates(
    const KnobSpace &space,
    llvm::function_ref<llvm::SmallVector<FeatureVector>(const Candidate &)>
        featuresOf,
    const CostModel &model, size_t maxCandidates) {
  llvm::SmallVector<Candidate> candidates = space.enumerate(maxCandidates);
  // All rows in one predict call; rowsOf[i] is candidate i's first row.
  llvm::SmallVector<FeatureVector> rows;
  llvm::SmallVector<size_t> rowsOf;
  for (const Candidate &candidate : candidates) {
    rowsOf.push_back(rows.size());
    llvm::append_range(rows, featuresOf(candidate));
  }
  rowsOf.push_back(rows.size());
  llvm::SmallVector<double> costs = model.predict(rows);
  bool absolute = model.info().absolute;

  llvm::SmallVector<RankedCandidate> ranked;
  for (auto [i, candidate] : llvm::enumerate(candidates)) {
    double sum = 0;
    for (size_t r = rowsOf[i]; r < rowsOf[i + 1]; ++r)
      sum += absolute ? std::exp2(costs[r]) : costs[r];
    ranked.push_back({candidate, absolute ? std::log2(sum) : sum});
  }
  llvm::stable_sort(ranked,
                    [](const RankedCandidate &a, const RankedCandidate &b) {
                      return a.cost < b.cost;
                    });
  return ranked;
}

llvm::SmallVector<size_t> mlir::loom::cost::chooseWithChangeCost(
    llvm::ArrayRef<llvm::SmallVector<double>> cost, double changeCost) {
  if (cost.empty())
    return {};
  // Viterbi: total[i], the least (cost, changes) of positions 0..p that
  // ends in candidate i; from[p][i], its choice at position p - 1.
  using Path = std::pair<double, size_t>;
  size_t n = cost.front().size();
  llvm::SmallVector<Path> total;
  for (double c : cost.front())
    total.push_back({c, 0});
  llvm::SmallVector<llvm::SmallVector<size_t>> from(
      cost.size(), llvm::SmallVector<size_t>(n));
  for (size_t p = 1; p < cost.size(); ++p) {
    size_t cheapest = llvm::min_element(total) - total.begin();
    Path viaChange = {total[cheapest].first + changeCost,
                      total[cheapest].second + 1};
    llvm::SmallVector<Path> next(n);
    for (size_t i = 0; i < n; ++i) {
      bool change = viaChange < total[i];
      from[p][i] = change ? cheapest : i;
      next[i] = change ? viaChange : total[i];
      next[i].first += cost[p][i];
    }
    total = std::move(next);
  }
  llvm::SmallVector<size_t> chosen(cost.size());
  chosen.back() = llvm::min_element(total) - total.begin();
  for (size_t p = cost.size() - 1; p > 0; --p)
    chosen[p - 1] = from[p][chosen[p]];
  return chosen;
}

void mlir::loom::cost::remarkRanking(Operation *op, const FeatureSchema &schema,
                                     const KnobSpace &space,
                                     llvm::ArrayRef<RankedCandidate> ranked,
                                     const CostModel &model,
                                     llvm::ArrayRef<FeatureVector> bestRows) {
  InFlightDiagnostic remark = op->emitRemark() << schema.decision << " by "
                                               << model.info().modelId << ":";
  for (const RankedCandidate &c : ranked.take_front(3))
    remark << " [" << space.describe(c.candidate) << "] "
           << llvm::formatv("{0:F3}", c.cost).str() << ";";
  llvm::SmallSetVector<unsigned, 4> outside;
  for (const FeatureVector &row : bestRows)
    for (unsigned f : model.outOfRange(row))
      outside.insert(f);
  if (outside.empty())
    return;
  remark << " outside the model's training range:";
  for (unsigned f : outside)
    remark << " " << schema.names[f];
}

//===- Decide.h - Ranks a tunable op's candidates ---------------*- C++ -*-===//
#ifndef LOOM_COSTMODEL_DECIDE_H
#define LOOM_COSTMODEL_DECIDE_H

#include "loom/CostModel/CostModel.h"
#include "loom/CostModel/TunableOpInterface.h"

namespace mlir::loom::cost {

struct RankedCandidate {
  Candidate candidate;
  /// The sum of the model's costs over the candidate's rows (for absolute
  /// costs, the log2 of the summed seconds).
  double cost;
};

/// The legal candidates of `op` on `target`, best first: enumerated in
/// canonical order (thinned to `maxCandidates`), featurized by the op and
/// ranked by `model`; ties keep the canonical order. Empty when no
/// candidate is legal.
llvm::SmallVector<RankedCandidate> rankCandidates(TunableOpInterface op,
                                                  const KnobSpace &space,
                                                  const TargetInfo &target,
                                                  const CostModel &model,
                                                  size_t maxCandidates);

/// The same over the rows `featuresOf` gives each candidate: for a pass
/// that judges an op at a problem instance of its own (a bucket of T).
llvm::SmallVector<RankedCandidate> rankCandidates(
    const KnobSpace &space,
    llvm::function_ref<llvm::SmallVector<FeatureVector>(const Candidate &)>
        featuresOf,
    const CostModel &model, size_t maxCandidates);

/// One candidate per position of a sequence of decisions over the same
/// candidates (`cost[p][i]`: candidate i at position p, lower better),
/// chosen together: the choices minimize the summed cost plus
/// `changeCost` for every change between neighbouring positions (each
/// change may cost something of its own, such as another copy of the code
/// to compile). Ties keep the previous position's candidate, then the
/// earlier one. Empty for no positions; every row holds the same
/// candidates.
llvm::SmallVector<size_t>
chooseWithChangeCost(llvm::ArrayRef<llvm::SmallVector<double>> cost,
                     double changeCost);

/// The cost-model remark at `op` (costmodel.md's `--cost-model-remarks`):
/// the decision of `schema`, the model, the three best of `ranked` with
/// their costs, and the features of `bestRows` (the first candidate's rows)
/// outside the model's training range, where trees predict flat.
void remarkRanking(Operation *op, const FeatureSchema &schema,
                   const KnobSpace &space,
                   llvm::ArrayRef<RankedCandidate> ranked,
                   const CostModel &model,
                   llvm::ArrayRef<FeatureVector> bestRows);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_DECIDE_H

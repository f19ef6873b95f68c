//===- Search.cpp - loom-tune train --search ------------------------------===//
//
// The hyperparameters by cross-validation on the training tasks alone, so
// that the held-out evaluation stays a fair test of the chosen model.
//
//===----------------------------------------------------------------------===//

#include "EvaluateSupport.h"
#include "Protocol.h"
#include "Train.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

constexpr unsigned kFolds = 4;
constexpr int kDepths[] = {3, 4, 5, 6, 8};
constexpr double kEtas[] = {0.05, 0.1, 0.2};
constexpr int kRounds[] = {50, 100, 200, 400, 800};
/// rounds x 2^depth of the default (200 rounds of depth 6): no candidate
/// configuration grows the model file beyond the default's size.
constexpr int kMaxLeaves = 200 << 6;

unsigned foldOf(const TaskTimes &task) {
  return llvm::xxh3_64bits("fold " + task.task.id()) % kFolds;
}

/// A configuration's validation score: higher is better.
double score(llvm::ArrayRef<const TaskTimes *> tasks, const TrainingRows &rows,
             llvm::ArrayRef<float> margins, bool ranking) {
  if (!ranking) {
    std::vector<double> errors;
    for (auto [margin, label] : llvm::zip_equal(margins, rows.labels))
      errors.push_back(std::abs(double(margin) - label));
    return -median(std::move(errors));
  }
  double sum = 0;
  size_t row = 0;
  for (const TaskTimes *task : tasks) {
    std::vector<double> costs, times;
    for (auto [candidate, time] : task->time) {
      costs.push_back(-margins[row++]);
      times.push_back(time);
    }
    sum += kendallTauB(costs, times);
  }
  return sum / tasks.size();
}

} // namespace

FailureOr<HyperparameterSearch>
tune::searchHyperparameters(llvm::ArrayRef<const TaskTimes *> training,
                            const cost::FeatureSchema &schema) {
  bool ranking = schema.objective == cost::FeatureSchema::Objective::Rank;
  const char *objective = objectiveOf(schema);
  std::vector<TrainingRows> fits(kFolds), checks(kFolds);
  std::vector<std::vector<const TaskTimes *>> validation(kFolds);
  for (unsigned fold = 0; fold < kFolds; ++fold) {
    std::vector<const TaskTimes *> fit;
    for (const TaskTimes *task : training)
      (foldOf(*task) == fold ? validation[fold] : fit).push_back(task);
    if (validation[fold].empty() || fit.empty()) {
      llvm::errs() << "loom-tune: --search needs training tasks in each of "
                   << "its " << kFolds << " folds; fold " << fold << " has "
                   << validation[fold].size() << " of " << training.size()
                   << "\n";
      return failure();
    }
    fits[fold] = trainingRows(fit, schema);
    checks[fold] = trainingRows(validation[fold], schema);
  }

  struct Scored {
    int depth, rounds;
    double eta, score, standardError;
    int leaves() const { return rounds << depth; }
  };
  std::vector<Scored> table;
  size_t fitsDone = 0,
         fitsTotal = std::size(kDepths) * std::size(kEtas) * kFolds;
  for (int depth : kDepths) {
    int maxRounds = 0;
    for (int rounds : kRounds)
      if (rounds << depth <= kMaxLeaves)
        maxRounds = rounds;
    for (double eta : kEtas) {
      TrainOptions options;
      options.depth = depth;
      options.eta = eta;
      options.rounds = maxRounds;
      // One fit per fold at the most rounds; fewer rounds are its prefix.
      std::map<int, std::vector<double>> foldScores;
      for (unsigned fold = 0; fold < kFolds; ++fold) {
        // One status line on a terminal, a line per configuration in a log.
        ++fitsDone;
        if (llvm::errs().is_displayed() || fold + 1 == kFolds)
          llvm::errs() << llvm::formatv(
              "{0}loom-tune train --search: fit {1}/{2} (depth {3}, eta "
              "{4}){5}",
              llvm::errs().is_displayed() ? "\r" : "", fitsDone, fitsTotal,
              depth, eta, llvm::errs().is_displayed() ? "" : "\n");
        const TrainingRows &fit = fits[fold];
        FailureOr<Booster> booster =
            fitBooster(fit.features, fit.labels,
                       ranking ? fit.groups : std::vector<unsigned>(),
                       schema.size(), objective, options);
        if (failed(booster))
          return failure();
        for (int rounds : kRounds) {
          if (rounds > maxRounds)
            break;
          FailureOr<std::vector<float>> margins = boosterMargins(
              *booster, checks[fold].features, schema.size(), rounds);
          if (failed(margins))
            return failure();
          foldScores[rounds].push_back(
              score(validation[fold], checks[fold], *margins, ranking));
        }
      }
      for (auto &[rounds, scores] : foldScores) {
        double mean = 0, variance = 0;
        for (double s : scores)
          mean += s / kFolds;
        for (double s : scores)
          variance += (s - mean) * (s - mean) / (kFolds - 1);
        table.push_back(
            {depth, rounds, eta, mean, std::sqrt(variance / kFolds)});
      }
    }
  }
  if (llvm::errs().is_displayed())
    llvm::errs() << "\n";

  // The one-standard-error rule (Breiman et al.): the smallest model whose
  // score is within a standard error of the best one's. Differences below
  // that are the folds' noise, and a smaller ensemble costs less at every
  // candidate the compiler ranks.
  const Scored *best = &table.front();
  for (const Scored &s : table)
    if (s.score > best->score)
      best = &s;
  const Scored *chosen = best;
  for (const Scored &s : table)
    if (s.score >= best->score - best->standardError &&
        (s.leaves() < chosen->leaves() ||
         (s.leaves() == chosen->leaves() && s.score > chosen->score)))
      chosen = &s;
  const char *metric = ranking ? "mean tau" : "-median |log2 error|";
  llvm::outs() << llvm::formatv("loom-tune train --search: {0}-fold {1} over "
                                "{2} training tasks\n",
                                kFolds, metric, training.size());
  llvm::json::Array rows;
  for (const Scored &s : table) {
    llvm::outs() << llvm::formatv(
        "  depth {0} eta {1,-4} rounds {2,3}: {3:F4} +- {4:F4}{5}{6}\n",
        s.depth, s.eta, s.rounds, s.score, s.standardError,
        &s == best ? "  best" : "", &s == chosen ? "  <- chosen" : "");
    rows.push_back(llvm::json::Object{{"max_depth", s.depth},
                                      {"eta", s.eta},
                                      {"rounds", s.rounds},
                                      {"score", s.score},
                                      {"standard_error", s.standardError}});
  }
  llvm::json::Object record{{"folds", kFolds},
                            {"metric", metric},
                            {"rule", "one standard error"},
                            {"configurations", std::move(rows)}};
  return HyperparameterSearch{chosen->depth, chosen->rounds, chosen->eta,
                              std::move(record)};
}

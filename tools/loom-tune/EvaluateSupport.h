//===- EvaluateSupport.h - What loom-tune's evaluations share ---*- C++ -*-===//
//
// The ranking evaluation (Evaluate.cpp) and wf.latency's (EvaluateLatency
// .cpp) load the model alike, correlate orders alike and report alike.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_EVALUATESUPPORT_H
#define LOOM_TOOLS_LOOMTUNE_EVALUATESUPPORT_H

#include "Train.h"

#include "loom/CostModel/CostModel.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::loom::tune {

/// Kendall's τ-b between `a` and `b`.
double kendallTauB(const std::vector<double> &a, const std::vector<double> &b);

/// The mean of `values`; 0 when empty.
double mean(const std::vector<double> &values);

/// The `q` quantile of `values` (the element at rank q·n); 0 when empty.
double quantile(std::vector<double> values, double q);

/// A trained model under evaluation and its files.
struct EvaluatedModel {
  std::unique_ptr<cost::CostModel> model;
  std::unique_ptr<llvm::MemoryBuffer> json, meta;
  /// <model dir>/<decision>, the files' common prefix.
  std::string base;
};

/// Loads <modelDir>/<decision>.json and .meta.json; reports a failure.
FailureOr<EvaluatedModel> loadEvaluatedModel(const cost::FeatureSchema &schema,
                                             const std::string &modelDir);

/// A goal of costmodel.md §5 and what this run measured.
struct Goal {
  std::string what;
  bool pass;
  std::string figure;
};
/// The budget goals of every decision: < 50 µs per evaluation of one
/// `unit` (candidate, node), a model file < 2 MB.
std::vector<Goal> budgetGoals(double usPerEvaluation, const char *unit,
                              uint64_t modelBytes);
/// The goals as a markdown table.
void writeGoals(llvm::raw_ostream &os, llvm::ArrayRef<Goal> goals);

/// Stores `metrics` in the model's metadata: they travel with the model.
void recordMetrics(const EvaluatedModel &evaluated, llvm::json::Value metrics);

/// PNG copies of the report's SVG `plots` where rsvg-convert is installed.
void convertPlots(const std::string &reportDir,
                  llvm::ArrayRef<const char *> plots);

/// wf.latency's evaluation (EvaluateLatency.cpp).
LogicalResult evaluateLatency(const cost::FeatureSchema &schema,
                              const EvaluateOptions &options);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_EVALUATESUPPORT_H

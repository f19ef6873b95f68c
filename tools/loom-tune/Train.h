//===- Train.h - loom-tune train and evaluate -------------------*- C++ -*-===//
#ifndef LOOM_TOOLS_LOOMTUNE_TRAIN_H
#define LOOM_TOOLS_LOOMTUNE_TRAIN_H

#include "Dataset.h"

#include "loom/CostModel/FeatureSchema.h"

#include "mlir/Support/LogicalResult.h"

#include "llvm/Support/JSON.h"

#include <map>
#include <memory>
#include <xgboost/c_api.h>

namespace mlir::loom::tune {

/// Whether `task` is held out of training: a fixed fraction by a hash of
/// its id (a different hash from the test-retest one).
bool isHeldOut(const Task &task, double fraction);

/// One task's measured candidates, pass 1 with the re-timed top five.
struct TaskTimes {
  Task task;
  /// candidate -> features and time (µs) of the `ok` rows.
  std::map<unsigned, std::vector<float>> features;
  std::map<unsigned, double> time;
  /// The test-retest pass, when the task has one.
  std::map<unsigned, double> retest;
  /// Candidates the compiler enumerated (ok or not).
  size_t candidates = 0;
};

/// The tasks of the dataset at `path` for `schema`; rows of another
/// version of the schema are refused with an error.
FailureOr<std::vector<TaskTimes>> loadTasks(const std::string &path,
                                            const cost::FeatureSchema &schema);

struct TrainOptions {
  std::string datasetPath;
  /// models/<target class>: <decision>.json and <decision>.meta.json.
  std::string modelDir;
  double heldOutFraction = 0.5;
  int rounds = 200, depth = 6;
  double eta = 0.1;
  /// Choose rounds, depth and eta by cross-validation on the training
  /// tasks (searchHyperparameters) instead.
  bool search = false;
  /// The throughputs the dataset's roofline features were computed with
  /// (TargetInfo::calibration).
  std::string calibration = "built-in";
};

/// An owned XGBoost booster, freed with its owner on every path.
using Booster = std::unique_ptr<void, int (*)(BoosterHandle)>;

/// An XGBoost booster fitted with `options`' depth, eta and rounds, a fixed
/// seed and one thread, on `labels` over `features` (row-major, `width`
/// per row; one ranking group per entry of `groups`, none for a
/// regression).
FailureOr<Booster> fitBooster(llvm::ArrayRef<float> features,
                              llvm::ArrayRef<float> labels,
                              llvm::ArrayRef<unsigned> groups, size_t width,
                              const char *objective,
                              const TrainOptions &options);

/// XGBoost's own outputs for `rows` (row-major, `width` per row), from the
/// first `rounds` trees (0: all of them).
FailureOr<std::vector<float>> boosterMargins(const Booster &booster,
                                             llvm::ArrayRef<float> rows,
                                             size_t width, int rounds = 0);

/// The XGBoost objective of `schema`'s models.
const char *objectiveOf(const cost::FeatureSchema &schema);

/// The training rows of `tasks`: their candidates' features, labelled
/// log2(best / time) for a ranking schema (the best scores 0) and log2
/// seconds over the roofline's for a regression one, with one ranking group
/// per task.
struct TrainingRows {
  std::vector<float> features, labels;
  std::vector<unsigned> groups;
};
TrainingRows trainingRows(llvm::ArrayRef<const TaskTimes *> tasks,
                          const cost::FeatureSchema &schema);

/// The hyperparameters cross-validation chose, and what it measured.
struct HyperparameterSearch {
  int depth, rounds;
  double eta;
  /// The folds, the metric and every configuration's score, for the
  /// model's metadata.
  llvm::json::Value record;
};

/// Task-grouped k-fold cross-validation over `training` (the held-out
/// tasks stay unseen): every depth, eta and round count of a fixed grid
/// whose trees are no larger than the default's (rounds x 2^depth), scored
/// by the mean Kendall τ of each validation task's ranking, or for a
/// regression schema by the median |log2 error|; the smallest within one
/// standard error of the best is chosen. Progress goes to stderr, the table
/// to stdout.
FailureOr<HyperparameterSearch>
searchHyperparameters(llvm::ArrayRef<const TaskTimes *> training,
                      const cost::FeatureSchema &schema);

/// Trains an XGBoost model on the training tasks with fixed seed and
/// thread count: rank:pairwise for a ranking schema (one group per task,
/// label log2(best / time)), reg:squarederror on log2 seconds for a
/// regression one (wf.latency).
LogicalResult train(const cost::FeatureSchema &schema,
                    const TrainOptions &options);

struct EvaluateOptions {
  std::string datasetPath, modelDir;
  /// report.md, report.json and the SVG plots.
  std::string reportDir;
  double heldOutFraction = 0.5;
};

/// costmodel.md §5's metrics on the held-out tasks, for the model, the
/// roofline and random order, next to the test-retest ceiling; PASS/FAIL
/// per goal on stdout and in the report.
LogicalResult evaluate(const cost::FeatureSchema &schema,
                       const EvaluateOptions &options);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_TRAIN_H

//===- Train.cpp - loom-tune train ----------------------------------------===//

#include "Train.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cmath>
#include <xgboost/c_api.h>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

bool tune::isHeldOut(const Task &task, double fraction) {
  uint64_t bucket = llvm::xxh3_64bits("held-out " + task.id()) % 1000;
  return bucket < static_cast<uint64_t>(fraction * 1000);
}

FailureOr<std::vector<TaskTimes>>
tune::loadTasks(const std::string &path, const cost::FeatureSchema &schema) {
  llvm::Expected<std::vector<Row>> rows = readDataset(path);
  if (!rows) {
    llvm::errs() << "loom-tune: " << llvm::toString(rows.takeError()) << "\n";
    return failure();
  }
  std::map<std::string, TaskTimes> byId;
  std::map<std::string, std::map<unsigned, double>> retimed;
  for (const Row &row : *rows) {
    if (row.schema != schema.decision)
      continue;
    if (row.version != schema.version ||
        row.schemaHash != schema.hashString()) {
      llvm::errs() << "loom-tune: the dataset holds " << row.schema << " v"
                   << row.version << " rows (hash " << row.schemaHash
                   << "), the compiler's schema is v" << schema.version
                   << " (hash " << schema.hashString()
                   << "): re-featurize or collect again\n";
      return failure();
    }
    TaskTimes &t = byId[row.task.id()];
    t.task = row.task;
    if (row.pass == "1")
      t.candidates = std::max<size_t>(t.candidates, row.candidate + 1);
    if (row.status != "ok")
      continue;
    if (row.pass == "1") {
      t.features[row.candidate] = row.features;
      t.time[row.candidate] = row.medianUs;
    } else if (row.pass == "2") {
      t.retest[row.candidate] = row.medianUs;
    } else if (row.pass == "retime") {
      retimed[row.task.id()][row.candidate] = row.medianUs;
    }
  }
  std::vector<TaskTimes> tasks;
  for (auto &[id, t] : byId) {
    for (auto [candidate, time] : retimed[id])
      if (t.time.count(candidate))
        t.time[candidate] = time;
    if (t.time.size() >= 2)
      tasks.push_back(std::move(t));
  }
  return tasks;
}

namespace {

#define XGB_OR_FAIL(call)                                                      \
  if ((call) != 0) {                                                           \
    llvm::errs() << "loom-tune: XGBoost: " << XGBGetLastError() << "\n";       \
    return failure();                                                          \
  }

/// An owned XGBoost data matrix.
using DMatrix = std::unique_ptr<void, int (*)(DMatrixHandle)>;

/// `rows` (row-major, `width` per row) as an XGBoost matrix.
FailureOr<DMatrix> makeMatrix(llvm::ArrayRef<float> rows, size_t width) {
  DMatrixHandle handle;
  XGB_OR_FAIL(XGDMatrixCreateFromMat(rows.data(), rows.size() / width, width,
                                     NAN, &handle));
  return DMatrix(handle, XGDMatrixFree);
}

} // namespace

FailureOr<tune::Booster> tune::fitBooster(llvm::ArrayRef<float> features,
                                          llvm::ArrayRef<float> labels,
                                          llvm::ArrayRef<unsigned> groups,
                                          size_t width, const char *objective,
                                          const TrainOptions &options) {
  FailureOr<DMatrix> data = makeMatrix(features, width);
  if (failed(data))
    return failure();
  XGB_OR_FAIL(XGDMatrixSetFloatInfo(data->get(), "label", labels.data(),
                                    labels.size()));
  if (!groups.empty())
    XGB_OR_FAIL(XGDMatrixSetUIntInfo(data->get(), "group", groups.data(),
                                     groups.size()));
  BoosterHandle handle;
  DMatrixHandle trainOn = data->get();
  XGB_OR_FAIL(XGBoosterCreate(&trainOn, 1, &handle));
  Booster booster(handle, XGBoosterFree);
  // One thread and a fixed seed: the same data gives the same bytes
  // (XGBoost's histogram sums depend on the thread count).
  std::string depth = std::to_string(options.depth),
              eta = llvm::formatv("{0}", options.eta).str();
  std::pair<const char *, std::string> params[] = {{"objective", objective},
                                                   {"tree_method", "hist"},
                                                   {"max_depth", depth},
                                                   {"eta", eta},
                                                   {"seed", "0"},
                                                   {"nthread", "1"}};
  for (auto &[key, value] : params)
    XGB_OR_FAIL(XGBoosterSetParam(booster.get(), key, value.c_str()));
  for (int round = 0; round < options.rounds; ++round)
    XGB_OR_FAIL(XGBoosterUpdateOneIter(booster.get(), round, data->get()));
  return booster;
}

FailureOr<std::vector<float>> tune::boosterMargins(const Booster &booster,
                                                   llvm::ArrayRef<float> rows,
                                                   size_t width, int rounds) {
  if (rows.size() < width)
    return std::vector<float>();
  FailureOr<DMatrix> data = makeMatrix(rows, width);
  if (failed(data))
    return failure();
  // type 1: the margin; iteration_end 0: every round.
  std::string config =
      llvm::formatv(R"({{"type": 1, "training": false, "iteration_begin": 0, )"
                    R"("iteration_end": {0}, "strict_shape": false})",
                    rounds)
          .str();
  const bst_ulong *shape;
  bst_ulong dims;
  const float *margins;
  XGB_OR_FAIL(XGBoosterPredictFromDMatrix(
      booster.get(), data->get(), config.c_str(), &shape, &dims, &margins));
  size_t count = 1;
  for (bst_ulong d = 0; d < dims; ++d)
    count *= shape[d];
  return std::vector<float>(margins, margins + count);
}

const char *tune::objectiveOf(const cost::FeatureSchema &schema) {
  return schema.objective == cost::FeatureSchema::Objective::Rank
             ? "rank:pairwise"
             : "reg:squarederror";
}

TrainingRows tune::trainingRows(llvm::ArrayRef<const TaskTimes *> tasks,
                                const cost::FeatureSchema &schema) {
  bool ranking = schema.objective == cost::FeatureSchema::Objective::Rank;
  unsigned roofline = *schema.indexOf("roofline_log2_s");
  TrainingRows rows;
  for (const TaskTimes *task : tasks) {
    double best = INFINITY;
    for (auto [c, time] : task->time)
      best = std::min(best, time);
    for (auto [c, time] : task->time) {
      const std::vector<float> &f = task->features.at(c);
      llvm::append_range(rows.features, f);
      rows.labels.push_back(
          static_cast<float>(ranking ? std::log2(best / time)
                                     : std::log2(time * 1e-6) - f[roofline]));
    }
    rows.groups.push_back(task->time.size());
  }
  return rows;
}

LogicalResult tune::train(const cost::FeatureSchema &schema,
                          const TrainOptions &options) {
  FailureOr<std::vector<TaskTimes>> tasks =
      loadTasks(options.datasetPath, schema);
  if (failed(tasks))
    return failure();

  bool ranking = schema.objective == cost::FeatureSchema::Objective::Rank;
  const char *objective = objectiveOf(schema);
  std::vector<const TaskTimes *> training;
  for (const TaskTimes &t : *tasks)
    if (!isHeldOut(t.task, options.heldOutFraction))
      training.push_back(&t);
  size_t trainTasks = training.size();
  if (trainTasks == 0) {
    llvm::errs() << "loom-tune: no training tasks in " << options.datasetPath
                 << "\n";
    return failure();
  }

  TrainOptions chosen = options;
  std::optional<llvm::json::Value> search;
  if (options.search) {
    FailureOr<HyperparameterSearch> result =
        searchHyperparameters(training, schema);
    if (failed(result))
      return failure();
    chosen.depth = result->depth;
    chosen.eta = result->eta;
    chosen.rounds = result->rounds;
    search = std::move(result->record);
  }
  TrainingRows rows = trainingRows(training, schema);
  FailureOr<Booster> booster =
      fitBooster(rows.features, rows.labels,
                 ranking ? rows.groups : std::vector<unsigned>(), schema.size(),
                 objective, chosen);
  if (failed(booster))
    return failure();

  llvm::sys::fs::create_directories(options.modelDir);
  llvm::SmallString<128> modelPath(options.modelDir),
      metaPath(options.modelDir);
  llvm::sys::path::append(modelPath, schema.decision + ".json");
  llvm::sys::path::append(metaPath, schema.decision + ".meta.json");
  XGB_OR_FAIL(XGBoosterSaveModel(booster->get(), modelPath.c_str()));

  // Probe rows: held-out feature vectors with XGBoost's own outputs, which
  // the in-tree evaluator must reproduce (test/unit/CostModelTest.cpp).
  std::vector<float> probes;
  for (const TaskTimes &t : *tasks) {
    if (!isHeldOut(t.task, options.heldOutFraction))
      continue;
    for (auto &[c, f] : t.features)
      if (probes.size() < 32 * schema.size())
        llvm::append_range(probes, f);
  }
  size_t probeCount = probes.size() / schema.size();
  FailureOr<std::vector<float>> margins =
      boosterMargins(*booster, probes, schema.size());
  if (failed(margins))
    return failure();
  llvm::json::Array probeRows;
  for (size_t r = 0; r < probeCount; ++r) {
    llvm::json::Array row;
    for (size_t f = 0; f < schema.size(); ++f) {
      float v = probes[r * schema.size() + f];
      row.push_back(std::isnan(v) ? llvm::json::Value(nullptr)
                                  : llvm::json::Value(double(v)));
    }
    probeRows.push_back(llvm::json::Object{{"features", std::move(row)},
                                           {"margin", double((*margins)[r])}});
  }

  // The training range of every feature: beyond it trees predict flat,
  // which loom-decide's remarks point out.
  llvm::json::Array ranges;
  for (size_t f = 0; f < schema.size(); ++f) {
    float lo = INFINITY, hi = -INFINITY;
    for (size_t r = 0; r < rows.labels.size(); ++r) {
      float v = rows.features[r * schema.size() + f];
      if (!std::isnan(v))
        lo = std::min(lo, v), hi = std::max(hi, v);
    }
    ranges.push_back(llvm::json::Array{lo, hi});
  }
  int major, minor, patch;
  XGBoostVersion(&major, &minor, &patch);
  llvm::json::Array names;
  for (llvm::StringRef name : schema.names)
    names.push_back(name);
  llvm::json::Object meta{
      {"schema", schema.decision},
      {"version", schema.version},
      {"schema_hash", schema.hashString()},
      {"calibration", options.calibration},
      {"features", std::move(names)},
      {"objective", objective},
      {"xgboost", llvm::formatv("{0}.{1}.{2}", major, minor, patch).str()},
      {"params", llvm::json::Object{{"tree_method", "hist"},
                                    {"max_depth", chosen.depth},
                                    {"eta", chosen.eta},
                                    {"rounds", chosen.rounds},
                                    {"seed", 0},
                                    {"nthread", 1}}},
      {"train_tasks", trainTasks},
      {"train_rows", rows.labels.size()},
      {"held_out_fraction", options.heldOutFraction},
      {"feature_ranges", std::move(ranges)},
      {"probe_rows", std::move(probeRows)}};
  if (search)
    meta["hyperparameter_search"] = std::move(*search);
  std::error_code error;
  llvm::raw_fd_ostream os(metaPath, error);
  if (error) {
    llvm::errs() << "loom-tune: writing " << metaPath << ": " << error.message()
                 << "\n";
    return failure();
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(meta))) << "\n";
  llvm::outs() << "loom-tune train: " << trainTasks << " tasks, "
               << rows.labels.size() << " rows -> " << modelPath << "\n";
  return success();
}

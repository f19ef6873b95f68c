//===- Evaluate.cpp - loom-tune evaluate ----------------------------------===//
//
// costmodel.md §5 on the held-out tasks: the learned model's order against
// the roofline's and a random one, and the ceiling the measurements
// themselves allow (pass 1 ranking pass 2 of the same run).
//
//===----------------------------------------------------------------------===//

#include "EvaluateSupport.h"
#include "Svg.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

/// The metrics of one order over one task.
struct TaskScore {
  double top1, top5, tau, pairwise;
  /// Candidates measured in this order until one is within 1/0.95 of the
  /// best.
  int to95;
  /// Best-so-far after j candidates (fraction of the best), j = 1...
  std::vector<double> bestSoFar;
};

/// The candidates by `costs`, lower first, ties in candidate order.
std::vector<size_t> orderByCost(const std::vector<double> &costs) {
  std::vector<size_t> order(costs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return costs[a] < costs[b]; });
  return order;
}

/// Scores the order of `costs` against `times`, both indexed alike.
TaskScore score(const std::vector<double> &costs,
                const std::vector<double> &times) {
  std::vector<size_t> order = orderByCost(costs);
  double best = *std::min_element(times.begin(), times.end());
  TaskScore s;
  s.top1 = best / times[order[0]];
  double bestSeen = INFINITY;
  s.to95 = 0;
  for (size_t j = 0; j < order.size(); ++j) {
    bestSeen = std::min(bestSeen, times[order[j]]);
    s.bestSoFar.push_back(best / bestSeen);
    if (j == std::min<size_t>(4, order.size() - 1))
      s.top5 = best / bestSeen;
    if (!s.to95 && times[order[j]] <= best / 0.95)
      s.to95 = j + 1;
  }
  s.tau = kendallTauB(costs, times);
  double right = 0, pairs = 0;
  for (size_t i = 0; i < costs.size(); ++i)
    for (size_t j = i + 1; j < costs.size(); ++j) {
      if (times[i] == times[j])
        continue;
      ++pairs; // a tie in cost counts as wrong
      if (costs[i] != costs[j] &&
          (costs[i] < costs[j]) == (times[i] < times[j]))
        ++right;
    }
  s.pairwise = pairs ? right / pairs : 1;
  return s;
}

struct Summary {
  explicit Summary(std::string name) : name(std::move(name)) {}

  std::string name;
  double top1 = 0, top1p10 = 0, top5 = 0, tau = 0, pairwise = 0;
  double measured = 0, candidates = 0;
  std::vector<double> bestSoFar, top1s;
  int tasks = 0;

  void add(const TaskScore &s, size_t candidateCount) {
    top1 += s.top1, top5 += s.top5, tau += s.tau, pairwise += s.pairwise;
    measured += s.to95, candidates += candidateCount;
    top1s.push_back(s.top1);
    // A task with fewer candidates has found its best by then: each task
    // added so far counts 1 at the new positions.
    if (bestSoFar.size() < s.bestSoFar.size())
      bestSoFar.resize(s.bestSoFar.size(), tasks);
    for (size_t j = 0; j < bestSoFar.size(); ++j)
      bestSoFar[j] += j < s.bestSoFar.size() ? s.bestSoFar[j] : 1;
    ++tasks;
  }
  void finish() {
    if (!tasks)
      return;
    top1 /= tasks, top5 /= tasks, tau /= tasks, pairwise /= tasks;
    for (double &b : bestSoFar)
      b /= tasks;
    top1p10 = quantile(top1s, 0.1);
  }
  /// Σ|C_t| / Σ k_t.
  double saving() const { return measured ? candidates / measured : 0; }
};

/// How the candidates next to the model's pick time against it: where the
/// ratios stay near 1, the model's costs are too close to order them. A
/// pass that trades a little time for something else (moe-select-strategy
/// keeps one tile over several T buckets, saving a copy of the layer to
/// compile) takes its margin from this table.
struct NearPick {
  struct Group {
    std::string name;
    double maxGap;  // model cost above the pick's
    size_t maxRank; // 1 for the pick itself
    std::vector<double> ratios;
  };
  std::vector<Group> groups = {
      {"cost within 0.1 of the pick", 0.1, SIZE_MAX, {}},
      {"cost within 0.3 of the pick", 0.3, SIZE_MAX, {}},
      {"cost within 0.5 of the pick", 0.5, SIZE_MAX, {}},
      {"ranked second", INFINITY, 2, {}},
      {"ranked second to fifth", INFINITY, 5, {}}};

  void add(const std::vector<double> &costs, const std::vector<double> &times) {
    std::vector<size_t> order = orderByCost(costs);
    size_t pick = order.front();
    for (size_t rank = 2; rank <= order.size(); ++rank) {
      size_t c = order[rank - 1];
      for (Group &g : groups)
        if (rank <= g.maxRank && costs[c] - costs[pick] <= g.maxGap)
          g.ratios.push_back(times[c] / times[pick]);
    }
  }

  void write(llvm::raw_ostream &os) const {
    os << "\nCandidates next to the model's pick, their time over the pick's "
          "(held out):\n\n| candidates | count | mean | p90 | max |\n"
          "|---|---|---|---|---|\n";
    for (const Group &g : groups)
      os << llvm::formatv(
          "| {0} | {1} | {2:F3} | {3:F3} | {4:F3} |\n", g.name, g.ratios.size(),
          mean(g.ratios), quantile(g.ratios, 0.9),
          g.ratios.empty() ? 0.0 : *llvm::max_element(g.ratios));
  }

  llvm::json::Array toJson() const {
    llvm::json::Array rows;
    for (const Group &g : groups)
      rows.push_back(llvm::json::Object{{"candidates", g.name},
                                        {"count", int64_t(g.ratios.size())},
                                        {"mean", mean(g.ratios)},
                                        {"p90", quantile(g.ratios, 0.9)}});
    return rows;
  }
};

} // namespace

LogicalResult tune::evaluate(const cost::FeatureSchema &schema,
                             const EvaluateOptions &options) {
  if (schema.objective == cost::FeatureSchema::Objective::Regression)
    return evaluateLatency(schema, options);
  FailureOr<std::vector<TaskTimes>> tasks =
      loadTasks(options.datasetPath, schema);
  if (failed(tasks))
    return failure();
  FailureOr<EvaluatedModel> loaded =
      loadEvaluatedModel(schema, options.modelDir);
  if (failed(loaded))
    return failure();
  const cost::CostModel &model = *loaded->model;
  unsigned rooflineFeature = *schema.indexOf("roofline_log2_s");

  // The ceiling: pass 1's times ranking pass 2's, on the tasks measured
  // twice; next to it the model's order ranking the same pass 2 times.
  Summary learned("model"), roofline("roofline"), random("random"),
      ceiling("test-retest"), learnedOnRetest("model, retest tasks");
  NearPick nearPick;
  std::mt19937 rng(0);
  std::vector<std::pair<double, double>>
      scatter; // (cost vs task min, log2 time/best)
  double evaluationSeconds = 0;
  size_t evaluated = 0;
  for (const TaskTimes &t : *tasks) {
    if (!isHeldOut(t.task, options.heldOutFraction))
      continue;
    std::vector<double> times, modelCosts, rooflineCosts, randomCosts;
    std::vector<cost::FeatureVector> features;
    for (auto [c, time] : t.time) {
      times.push_back(time);
      const std::vector<float> &f = t.features.at(c);
      features.emplace_back(f.begin(), f.end());
      rooflineCosts.push_back(f[rooflineFeature]);
    }
    auto start = std::chrono::steady_clock::now();
    llvm::SmallVector<double> costs = model.predict(features);
    evaluationSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    evaluated += features.size();
    modelCosts.assign(costs.begin(), costs.end());
    randomCosts.resize(times.size());
    std::iota(randomCosts.begin(), randomCosts.end(), 0.0);
    std::shuffle(randomCosts.begin(), randomCosts.end(), rng);
    learned.add(score(modelCosts, times), times.size());
    nearPick.add(modelCosts, times);
    roofline.add(score(rooflineCosts, times), times.size());
    random.add(score(randomCosts, times), times.size());
    double best = *std::min_element(times.begin(), times.end());
    double minCost = *std::min_element(modelCosts.begin(), modelCosts.end());
    for (size_t i = 0; i < times.size(); ++i)
      scatter.push_back({modelCosts[i] - minCost, std::log2(times[i] / best)});
    std::vector<double> first, second, predicted;
    size_t index = 0;
    for (auto [c, time] : t.time) {
      auto retest = t.retest.find(c);
      if (retest != t.retest.end()) {
        first.push_back(time);
        second.push_back(retest->second);
        predicted.push_back(modelCosts[index]);
      }
      ++index;
    }
    if (first.size() >= 2) {
      ceiling.add(score(first, second), first.size());
      learnedOnRetest.add(score(predicted, second), first.size());
    }
  }
  for (Summary *s : {&learned, &roofline, &random, &ceiling, &learnedOnRetest})
    s->finish();
  if (!learned.tasks) {
    llvm::errs() << "loom-tune: no held-out tasks in " << options.datasetPath
                 << "\n";
    return failure();
  }
  double usPerCandidate = evaluationSeconds / evaluated * 1e6;
  uint64_t modelBytes = loaded->json->getBufferSize();

  // Goals of costmodel.md §5 (CPU).
  std::vector<Goal> goals = {
      {"top-1 >= 0.90", learned.top1 >= 0.90,
       llvm::formatv("{0:F3}", learned.top1)},
      {"top-5 >= 0.95", learned.top5 >= 0.95,
       llvm::formatv("{0:F3}", learned.top5)},
      {"tau >= 0.6", learned.tau >= 0.6, llvm::formatv("{0:F3}", learned.tau)},
      {"tau >= ceiling - 0.1 (same tasks)",
       learnedOnRetest.tau >= ceiling.tau - 0.1,
       llvm::formatv("{0:F3} vs ceiling {1:F3} ({2} tasks)",
                     learnedOnRetest.tau, ceiling.tau, ceiling.tasks)},
      {"tau >= roofline + 0.3", learned.tau >= roofline.tau + 0.3,
       llvm::formatv("{0:F3} vs {1:F3}", learned.tau, roofline.tau)},
      {"top-1 >= roofline + 0.15", learned.top1 >= roofline.top1 + 0.15,
       llvm::formatv("{0:F3} vs {1:F3}", learned.top1, roofline.top1)},
      {">= 10x fewer measurements than exhaustive", learned.saving() >= 10,
       llvm::formatv("{0:F1}x", learned.saving())},
  };
  llvm::append_range(goals,
                     budgetGoals(usPerCandidate, "candidate", modelBytes));

  llvm::sys::fs::create_directories(options.reportDir);
  std::string md;
  llvm::raw_string_ostream os(md);
  os << "# loom-tune evaluate: " << schema.decision << " v" << schema.version
     << "\n\nHeld-out tasks: " << learned.tasks << " (of " << tasks->size()
     << "), " << llvm::formatv("{0:F1}", learned.candidates / learned.tasks)
     << " candidates per task on average; test-retest tasks: " << ceiling.tasks
     << ".\n\n"
     << "| order | tau | pairwise | top-1 | top-1 p10 | top-5 | measured to "
        "95 % | saving vs exhaustive |\n|---|---|---|---|---|---|---|---|\n";
  for (const Summary *s :
       {&learned, &roofline, &random, &ceiling, &learnedOnRetest})
    os << llvm::formatv("| {0} | {1:F3} | {2:F3} | {3:F3} | {4:F3} | {5:F3} | "
                        "{6:F2} | {7:F1}x |\n",
                        s->name, s->tau, s->pairwise, s->top1, s->top1p10,
                        s->top5, s->tasks ? s->measured / s->tasks : 0,
                        s->saving());
  writeGoals(os, goals);
  nearPick.write(os);
  os << "\nPlots: `predicted_vs_measured.svg`, `top1_histogram.svg`, "
        "`best_so_far.svg` (and .png where rsvg-convert is installed).\n";
  std::error_code error;
  llvm::raw_fd_ostream file(options.reportDir + "/report.md", error);
  file << md;
  llvm::outs() << md;

  llvm::json::Object metrics;
  for (const Summary *s :
       {&learned, &roofline, &random, &ceiling, &learnedOnRetest})
    metrics[s->name] =
        llvm::json::Object{{"tasks", s->tasks},       {"tau", s->tau},
                           {"pairwise", s->pairwise}, {"top1", s->top1},
                           {"top1_p10", s->top1p10},  {"top5", s->top5},
                           {"saving", s->saving()}};
  metrics["us_per_candidate"] = usPerCandidate;
  metrics["model_bytes"] = modelBytes;
  metrics["near_pick"] = nearPick.toJson();
  llvm::json::Value metricsValue(std::move(metrics));
  llvm::raw_fd_ostream json(options.reportDir + "/report.json", error);
  json << llvm::formatv("{0:2}", metricsValue) << "\n";
  recordMetrics(*loaded, std::move(metricsValue));
  writeScatter(options.reportDir + "/predicted_vs_measured.svg",
               "Held-out candidates: model cost above the task's lowest vs "
               "log2(time / best)",
               {"model cost above the task's lowest", "log2(time / best time)"},
               scatter);
  writeHistograms(options.reportDir + "/top1_histogram.svg",
                  "Top-1 score per held-out task",
                  {"top-1 score (best time / time of the pick)", "tasks"},
                  {{"model", learned.top1s}, {"roofline", roofline.top1s}});
  writeCurves(options.reportDir + "/best_so_far.svg",
              "Fraction of the best time after j candidates measured",
              {{"model", learned.bestSoFar},
               {"roofline", roofline.bestSoFar},
               {"random", random.bestSoFar}});
  convertPlots(options.reportDir,
               {"predicted_vs_measured", "top1_histogram", "best_so_far"});
  return success();
}

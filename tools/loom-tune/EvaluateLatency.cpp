//===- EvaluateLatency.cpp - loom-tune evaluate --decision wf.latency -----===//
//
// costmodel.md §5 for a regression: on the held-out graphs, how well the
// predicted node latencies order each graph's nodes (Kendall τ, next to
// the test-retest ceiling), how far they are from the measured times, and
// what they are for: the schedule the wf scheduler builds from them. Each
// graph is list-scheduled on two workers by upward rank (wf-schedule's
// rule), once per set of estimates, and every schedule's makespan is
// simulated with the measured node times; a set's top-1 score is the best
// such makespan over its own.
//
//===----------------------------------------------------------------------===//

#include "EvaluateSupport.h"
#include "Svg.h"

#include "loom/CostModel/Schemas/WfLatency.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

/// Workers the simulated schedules run on: this machine's cores.
constexpr unsigned kWorkers = 2;

/// The makespan of `graph` list-scheduled on kWorkers by the upward ranks
/// of `estimates`, its nodes taking `durations`; `durations` may be the
/// estimates themselves (the scheduler's own makespan estimate).
double makespan(const GraphProblem &graph, const std::vector<double> &estimates,
                const std::vector<double> &durations) {
  size_t n = graph.nodes.size();
  std::vector<std::vector<unsigned>> successors(n);
  std::vector<unsigned> waiting(n, 0);
  for (auto [from, to] : graph.edges) {
    successors[from].push_back(to);
    ++waiting[to];
  }
  // Edges go forward, so ranks fill in from the last node back.
  std::vector<double> rank(n);
  for (size_t i = n; i-- > 0;) {
    double after = 0;
    for (unsigned s : successors[i])
      after = std::max(after, rank[s]);
    rank[i] = estimates[i] + after;
  }
  std::vector<unsigned> ready;
  for (unsigned i = 0; i < n; ++i)
    if (!waiting[i])
      ready.push_back(i);
  std::vector<std::pair<double, unsigned>> running; // (finish, node)
  double now = 0, end = 0;
  size_t started = 0;
  while (started < n || !running.empty()) {
    llvm::stable_sort(
        ready, [&](unsigned a, unsigned b) { return rank[a] > rank[b]; });
    while (!ready.empty() && running.size() < kWorkers) {
      unsigned node = ready.front();
      ready.erase(ready.begin());
      running.push_back({now + durations[node], node});
      ++started;
    }
    // The next node to finish frees a worker and maybe its successors.
    auto next = std::min_element(running.begin(), running.end());
    now = next->first;
    end = std::max(end, now);
    unsigned done = next->second;
    running.erase(next);
    for (unsigned s : successors[done])
      if (--waiting[s] == 0)
        ready.push_back(s);
  }
  return end;
}

/// One set of estimates over the held-out graphs.
struct Estimator {
  explicit Estimator(std::string name) : name(std::move(name)) {}

  std::string name;
  std::vector<double> taus, top1s, errors, makespanErrors;
  /// Node family (lut, moe, ...) -> its nodes' errors.
  std::map<std::string, std::vector<double>> familyErrors;
  std::vector<std::pair<double, double>> points; // (log2 predicted, measured)

  double within2x() const {
    return errors.empty() ? 0
                          : double(llvm::count_if(
                                errors, [](double e) { return e <= 1; })) /
                                errors.size();
  }
};

/// A measured node: its family, features and log2 seconds.
struct NodeRow {
  std::string family;
  std::vector<float> features;
  double measuredLog2;
};

/// costmodel.md §5's leave-one-family-out figure: per node family, the
/// median abs log2 error on its held-out nodes of a model trained like the
/// shipped one on the training graphs' other families — how the estimate
/// fares on a kind of node it never saw.
FailureOr<std::map<std::string, std::vector<double>>>
leaveOneFamilyOut(llvm::ArrayRef<TaskTimes> tasks, double heldOutFraction,
                  llvm::ArrayRef<NodeRow> heldOut, size_t width) {
  std::vector<NodeRow> training;
  std::set<std::string> families;
  for (const TaskTimes &t : tasks) {
    if (isHeldOut(t.task, heldOutFraction))
      continue;
    const auto &graph = std::get<GraphProblem>(t.task.problem);
    for (auto [node, us] : t.time)
      training.push_back({familyOf(graph.nodes[node]), t.features.at(node),
                          std::log2(us * 1e-6)});
  }
  for (const NodeRow &row : heldOut)
    families.insert(row.family);
  constexpr unsigned kRoofline = cost::wf_latency::RooflineLog2Seconds;
  std::map<std::string, std::vector<double>> errors;
  for (const std::string &family : families) {
    std::vector<float> features, labels, rows;
    for (const NodeRow &row : training)
      if (row.family != family) {
        llvm::append_range(features, row.features);
        labels.push_back(row.measuredLog2 - row.features[kRoofline]);
      }
    // No other family to learn from (a dataset of held-out graphs only).
    if (labels.empty())
      continue;
    std::vector<const NodeRow *> tested;
    for (const NodeRow &row : heldOut)
      if (row.family == family) {
        llvm::append_range(rows, row.features);
        tested.push_back(&row);
      }
    FailureOr<Booster> booster = fitBooster(features, labels, {}, width,
                                            "reg:squarederror", TrainOptions());
    if (failed(booster))
      return failure();
    FailureOr<std::vector<float>> margins =
        boosterMargins(*booster, rows, width);
    if (failed(margins))
      return failure();
    for (auto [row, margin] : llvm::zip_equal(tested, *margins))
      errors[family].push_back(
          std::fabs(margin + row->features[kRoofline] - row->measuredLog2));
  }
  return errors;
}

} // namespace

LogicalResult tune::evaluateLatency(const cost::FeatureSchema &schema,
                                    const EvaluateOptions &options) {
  FailureOr<std::vector<TaskTimes>> tasks =
      loadTasks(options.datasetPath, schema);
  if (failed(tasks))
    return failure();
  FailureOr<EvaluatedModel> evaluated =
      loadEvaluatedModel(schema, options.modelDir);
  if (failed(evaluated))
    return failure();
  const cost::CostModel &model = *evaluated->model;

  Estimator learned("model"), roofline("roofline"), ceiling("test-retest"),
      learnedOnRetest("model, retest graphs");
  double predictSeconds = 0;
  size_t graphs = 0, scheduled = 0, nodes = 0;
  std::vector<NodeRow> heldOutRows;
  for (const TaskTimes &t : *tasks) {
    if (!isHeldOut(t.task, options.heldOutFraction))
      continue;
    const auto &graph = std::get<GraphProblem>(t.task.problem);
    ++graphs;
    std::vector<cost::FeatureVector> features;
    std::vector<double> measured, rooflineLog2;
    for (auto [node, us] : t.time) {
      const std::vector<float> &f = t.features.at(node);
      features.emplace_back(f.begin(), f.end());
      measured.push_back(std::log2(us * 1e-6));
      rooflineLog2.push_back(f[cost::wf_latency::RooflineLog2Seconds]);
    }
    auto start = std::chrono::steady_clock::now();
    llvm::SmallVector<double> costs = model.predict(features);
    predictSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    nodes += features.size();
    for (auto [i, node] : llvm::enumerate(llvm::make_first_range(t.time)))
      heldOutRows.push_back(
          {familyOf(graph.nodes[node]), t.features.at(node), measured[i]});
    // The model predicts the roofline's error.
    std::vector<double> modelLog2;
    for (auto [cost, roof] : llvm::zip_equal(costs, rooflineLog2))
      modelLog2.push_back(cost + roof);

    std::vector<double> measuredSeconds, modelSeconds, rooflineSeconds;
    for (size_t i = 0; i < measured.size(); ++i) {
      measuredSeconds.push_back(std::exp2(measured[i]));
      modelSeconds.push_back(std::exp2(modelLog2[i]));
      rooflineSeconds.push_back(std::exp2(rooflineLog2[i]));
    }
    // The schedules need every node's time.
    bool complete = t.time.size() == graph.nodes.size();
    double best = 0, modelSpan = 0, rooflineSpan = 0;
    if (complete) {
      ++scheduled;
      modelSpan = makespan(graph, modelSeconds, measuredSeconds);
      rooflineSpan = makespan(graph, rooflineSeconds, measuredSeconds);
      best = std::min({makespan(graph, measuredSeconds, measuredSeconds),
                       modelSpan, rooflineSpan});
    }
    for (auto [estimator, log2s, seconds, span] :
         {std::tuple{&learned, &modelLog2, &modelSeconds, modelSpan},
          std::tuple{&roofline, &rooflineLog2, &rooflineSeconds,
                     rooflineSpan}}) {
      estimator->taus.push_back(kendallTauB(*log2s, measured));
      for (auto [i, node] : llvm::enumerate(llvm::make_first_range(t.time))) {
        double error = std::fabs((*log2s)[i] - measured[i]);
        estimator->errors.push_back(error);
        estimator->points.push_back({(*log2s)[i], measured[i]});
        estimator->familyErrors[familyOf(graph.nodes[node])].push_back(error);
      }
      if (complete) {
        estimator->top1s.push_back(best / span);
        estimator->makespanErrors.push_back(
            std::fabs(std::log2(makespan(graph, *seconds, *seconds) / span)));
      }
    }
    std::vector<double> first, second, modelRetest;
    for (auto [i, node] : llvm::enumerate(llvm::make_first_range(t.time)))
      if (auto it = t.retest.find(node); it != t.retest.end()) {
        first.push_back(measured[i]);
        second.push_back(std::log2(it->second * 1e-6));
        modelRetest.push_back(modelLog2[i]);
      }
    if (first.size() >= 2) {
      ceiling.taus.push_back(kendallTauB(first, second));
      learnedOnRetest.taus.push_back(kendallTauB(modelRetest, second));
      for (size_t i = 0; i < first.size(); ++i)
        ceiling.errors.push_back(std::fabs(first[i] - second[i]));
    }
  }
  if (!graphs) {
    llvm::errs() << "loom-tune: no held-out graphs in " << options.datasetPath
                 << "\n";
    return failure();
  }
  double usPerNode = predictSeconds / nodes * 1e6;
  uint64_t modelBytes = evaluated->json->getBufferSize();
  double tau = mean(learned.taus), top1 = mean(learned.top1s);
  double rooflineTau = mean(roofline.taus), rooflineTop1 = mean(roofline.top1s);
  std::vector<Goal> goals = {
      {"schedule top-1 >= 0.90", top1 >= 0.90, llvm::formatv("{0:F3}", top1)},
      {"tau >= 0.6", tau >= 0.6, llvm::formatv("{0:F3}", tau)},
      {"tau >= ceiling - 0.1 (same graphs)",
       mean(learnedOnRetest.taus) >= mean(ceiling.taus) - 0.1,
       llvm::formatv("{0:F3} vs ceiling {1:F3} ({2} graphs)",
                     mean(learnedOnRetest.taus), mean(ceiling.taus),
                     ceiling.taus.size())},
      {"tau >= roofline + 0.3", tau >= rooflineTau + 0.3,
       llvm::formatv("{0:F3} vs {1:F3}", tau, rooflineTau)},
      {"schedule top-1 >= roofline + 0.15", top1 >= rooflineTop1 + 0.15,
       llvm::formatv("{0:F3} vs {1:F3}", top1, rooflineTop1)},
  };
  llvm::append_range(goals, budgetGoals(usPerNode, "node", modelBytes));

  llvm::sys::fs::create_directories(options.reportDir);
  std::string md;
  llvm::raw_string_ostream os(md);
  os << "# loom-tune evaluate: " << schema.decision << " v" << schema.version
     << "\n\nHeld-out graphs: " << graphs << " (of " << tasks->size() << "), "
     << nodes << " nodes; " << scheduled
     << " with every node timed are scheduled on " << kWorkers
     << " workers; test-retest graphs: " << ceiling.taus.size() << ".\n\n"
     << "| estimate | tau in graph | median abs log2 error | within 2x | "
        "p90 abs log2 error | schedule top-1 | top-1 p10 | makespan estimate "
        "abs log2 error |\n|---|---|---|---|---|---|---|---|\n";
  // "-" where an estimate has no such figure.
  auto figure = [](bool has, double value) {
    return has ? llvm::formatv("{0:F3}", value).str() : std::string("-");
  };
  for (const Estimator *e : {&learned, &roofline, &ceiling, &learnedOnRetest})
    os << "| " << e->name << " | " << figure(true, mean(e->taus)) << " | "
       << figure(!e->errors.empty(), quantile(e->errors, 0.5)) << " | "
       << figure(!e->errors.empty(), e->within2x()) << " | "
       << figure(!e->errors.empty(), quantile(e->errors, 0.9)) << " | "
       << figure(!e->top1s.empty(), mean(e->top1s)) << " | "
       << figure(!e->top1s.empty(), quantile(e->top1s, 0.1)) << " | "
       << figure(!e->makespanErrors.empty(), quantile(e->makespanErrors, 0.5))
       << " |\n";
  FailureOr<std::map<std::string, std::vector<double>>> leftOut =
      leaveOneFamilyOut(*tasks, options.heldOutFraction, heldOutRows,
                        schema.size());
  if (failed(leftOut))
    return failure();
  os << "\nMedian abs log2 error per node family: the model, a model trained "
        "without the family (leave one family out), the roofline:\n\n"
     << "| family | nodes | model | without the family | roofline |\n"
        "|---|---|---|---|---|\n";
  llvm::json::Object leftOutMetrics;
  for (auto &[family, errors] : learned.familyErrors) {
    auto without = leftOut->find(family);
    std::string figure = "-";
    if (without != leftOut->end()) {
      double median = quantile(without->second, 0.5);
      leftOutMetrics[family] = median;
      figure = llvm::formatv("{0:F3}", median).str();
    }
    os << llvm::formatv("| {0} | {1} | {2:F3} | {3} | {4:F3} |\n", family,
                        errors.size(), quantile(errors, 0.5), figure,
                        quantile(roofline.familyErrors[family], 0.5));
  }
  writeGoals(os, goals);
  os << "\nPlots: `predicted_vs_measured.svg`, `roofline_vs_measured.svg`, "
        "`top1_histogram.svg` (and .png where rsvg-convert is installed).\n";
  std::error_code error;
  llvm::raw_fd_ostream file(options.reportDir + "/report.md", error);
  file << md;
  llvm::outs() << md;

  llvm::json::Object metrics;
  for (const Estimator *e : {&learned, &roofline, &ceiling, &learnedOnRetest})
    metrics[e->name] =
        llvm::json::Object{{"graphs", int64_t(e->taus.size())},
                           {"tau", mean(e->taus)},
                           {"median_abs_log2_error", quantile(e->errors, 0.5)},
                           {"within_2x", e->within2x()},
                           {"top1", mean(e->top1s)}};
  metrics["leave_one_family_out_median_abs_log2_error"] =
      std::move(leftOutMetrics);
  metrics["us_per_node"] = usPerNode;
  metrics["model_bytes"] = modelBytes;
  llvm::json::Value metricsValue(std::move(metrics));
  llvm::raw_fd_ostream json(options.reportDir + "/report.json", error);
  json << llvm::formatv("{0:2}", metricsValue) << "\n";
  recordMetrics(*evaluated, std::move(metricsValue));

  Axes seconds{"estimated log2 seconds", "measured log2 seconds"};
  writeScatter(options.reportDir + "/predicted_vs_measured.svg",
               "Held-out nodes: the learned model's estimate vs the measured "
               "time",
               seconds, learned.points);
  writeScatter(options.reportDir + "/roofline_vs_measured.svg",
               "Held-out nodes: the roofline's estimate vs the measured time",
               seconds, roofline.points);
  writeHistograms(
      options.reportDir + "/top1_histogram.svg",
      "Schedule top-1 score per held-out graph",
      {"best makespan / makespan of the estimate's schedule", "graphs"},
      {{"model", learned.top1s}, {"roofline", roofline.top1s}});
  convertPlots(options.reportDir, {"predicted_vs_measured",
                                   "roofline_vs_measured", "top1_histogram"});
  return success();
}

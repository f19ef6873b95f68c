//===- LatencyCollect.cpp - loom-tune collect --decision wf.latency -------===//
//
// Node times for the wf.latency regression. A task is a graph; its nodes
// compile into two libraries side by side (one function per node, every
// decision the compiler's own), and are timed in interleaved rounds like
// candidates, each call after flushing the node's weights and inputs from
// the caches: a compute node between LLM calls finds them cold, and the
// analytical estimate charges DRAM for the same reason. A node whose call
// fails or returns non-finite values is recorded `invalid`.
//
//===----------------------------------------------------------------------===//

#include "CollectSupport.h"
#include "Dataset.h"

#include "loom/CostModel/Latency.h"
#include "loom/CostModel/Schemas/WfLatency.h"
#include "loom/Support/CacheFlush.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

FailureOr<std::vector<cost::FeatureVector>>
tune::latencyNodeFeatures(MLIRContext &context, const Task &task,
                          const cost::TargetInfo &target) {
  const auto &graph = std::get<GraphProblem>(task.problem);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(latencyTaskModule(graph), &context);
  if (!module)
    return failure();
  std::vector<cost::FeatureVector> rows;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    auto function = module->lookupSymbol<func::FuncOp>("n" + std::to_string(i));
    std::optional<cost::FeatureVector> row =
        function ? cost::latencyFeatures(function.getBody(), target)
                 : std::nullopt;
    if (!row) {
      llvm::errs() << "loom-tune: node " << i << " of " << task.describe()
                   << " has no static latency features\n";
      return failure();
    }
    rows.push_back(std::move(*row));
  }
  return rows;
}

LogicalResult tune::collectLatency(MLIRContext &context,
                                   llvm::ArrayRef<Task> tasks,
                                   const CollectOptions &options) {
  FailureOr<CollectionStart> start = startCollection(options);
  if (failed(start))
    return failure();
  auto &have = start->have;
  const cost::FeatureSchema &schema = cost::wf_latency::schema();

  Progress progress(tasks.size());
  size_t measured = 0;
  for (size_t index = 0; index < tasks.size(); ++index) {
    const Task &task = tasks[index];
    const auto &graph = std::get<GraphProblem>(task.problem);
    size_t nodes = graph.nodes.size();
    bool retest = isRetestTask(task, options.retestFraction);
    if (have[{task.id(), "1"}] == nodes &&
        (!retest || have[{task.id(), "2"}] == nodes))
      continue;
    FailureOr<std::vector<cost::FeatureVector>> features =
        latencyNodeFeatures(context, task, start->target);
    if (failed(features))
      return failure();

    auto show = [&](const std::string &phase, int done, int total) {
      progress.show(index, measured, "wf.latency " + graph.name, phase, done,
                    total);
    };
    show("compiling", 0, nodes);
    TaskLibraries libraries{options.workdir + "/" + task.id(), {}, nullptr};
    unsigned shards = std::min<size_t>(kCompileShards, nodes);
    std::vector<std::string> sources, paths;
    for (unsigned shard = 0; shard < shards; ++shard) {
      sources.push_back(latencyTaskModule(graph, shard, shards));
      paths.push_back(libraries.shardPath(shard));
    }
    if (std::optional<std::string> error =
            compileAll(options, sources, paths, /*reference=*/std::nullopt)) {
      progress.finish("loom-tune: " + *error);
      return failure();
    }
    std::string openError;
    for (unsigned shard = 0; shard < shards; ++shard) {
      libraries.shards.push_back(
          ModelLibrary::open(libraries.shardPath(shard), openError));
      if (!libraries.shards.back()) {
        progress.finish("loom-tune: " + openError);
        return failure();
      }
      libraries.shards.back()->api().set_num_threads(1);
    }

    std::mt19937 rng(options.seed ^ static_cast<unsigned>(
                                        std::stoull(task.id(), nullptr, 16)));
    // Each node's inputs, which its caller's tensors point into.
    std::vector<std::vector<std::vector<float>>> data;
    data.reserve(nodes);
    std::vector<std::unique_ptr<EntryCaller>> callers;
    for (size_t i = 0; i < nodes; ++i) {
      std::vector<TaskInput> inputs = latencyNodeInputs(graph.nodes[i]);
      data.push_back(randomInputs(inputs, rng));
      callers.push_back(std::make_unique<EntryCaller>(
          *libraries.shards[i % shards], inputs, data.back()));
    }
    std::vector<std::function<void()>> calls;
    std::vector<size_t> timed;
    std::vector<float> y;
    for (size_t i = 0; i < nodes; ++i) {
      std::string entry = "n" + std::to_string(i);
      if (callers[i]->run(entry.c_str(), &y) &&
          llvm::all_of(y, [](float v) { return std::isfinite(v); })) {
        timed.push_back(i);
        calls.push_back(
            [&caller = *callers[i], entry] { caller.run(entry.c_str()); });
      }
    }
    // Cold: the node's library (its constant weights) and its inputs out
    // of every cache level.
    auto flush = [&](size_t call) {
      size_t node = timed[call];
      flushMappedFile(libraries.shardPath(node % shards));
      for (const std::vector<float> &input : data[node])
        flushRange(input.data(), input.data() + input.size());
    };

    auto writeRows = [&](const std::vector<Measurement> &times,
                         const std::string &pass) -> LogicalResult {
      for (size_t i = 0; i < nodes; ++i) {
        auto it = llvm::find(timed, i);
        if (it == timed.end() && pass != "1")
          continue;
        Row row = measuredRow(schema, *start, options, task, i, pass,
                              it == timed.end() ? nullptr
                                                : &times[it - timed.begin()]);
        row.knobs["node"] = familyOf(graph.nodes[i]);
        row.features.assign((*features)[i].begin(), (*features)[i].end());
        if (llvm::Error error = appendRow(options.datasetPath, row)) {
          progress.finish("loom-tune: " + llvm::toString(std::move(error)));
          return failure();
        }
      }
      return success();
    };
    auto measure = [&](const std::string &phase) {
      return measureInRounds(
          calls, flush, options.protocol, rng,
          [&](int done, int total) { show(phase, done, total); });
    };
    if (have[{task.id(), "1"}] != nodes &&
        failed(writeRows(measure("pass 1"), "1")))
      return failure();
    if (retest && have[{task.id(), "2"}] != nodes &&
        failed(writeRows(measure("pass 2"), "2")))
      return failure();
    ++measured;
  }
  progress.finish(llvm::formatv("loom-tune collect: {0} graphs measured, "
                                "dataset {1}",
                                measured, options.datasetPath)
                      .str());
  return success();
}

//===- Collect.cpp - loom-tune collect ------------------------------------===//

#include "Collect.h"

#include "CollectSupport.h"
#include "Dataset.h"

#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Support/CacheFlush.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

bool tune::isRetestTask(const Task &task, double fraction) {
  uint64_t bucket = std::stoull(task.id(), nullptr, 16) % 1000;
  return bucket < static_cast<uint64_t>(fraction * 1000);
}

namespace {

/// The "#loom.decision<...>" pinning `candidate`, as text.
std::string decisionAttribute(MLIRContext *context, const Task &task,
                              const cost::KnobSpace &space,
                              const cost::Candidate &candidate) {
  std::string text;
  llvm::raw_string_ostream(text) << DecisionAttr::getForCandidate(
      context, task.decision, space, candidate, "user", "loom-tune");
  return text;
}

/// A task's tunable op, parsed once, and its knob space.
struct ProbedTask {
  OwningOpRef<ModuleOp> module;
  cost::TunableOpInterface op;
  cost::TargetInfo target;
  std::optional<cost::KnobSpace> space;
};

/// Parses `task`'s module without decisions and finds its tunable op.
FailureOr<ProbedTask> probe(MLIRContext &context, const Task &task,
                            const cost::TargetInfo &target) {
  ProbedTask probed;
  probed.module =
      parseSourceString<ModuleOp>(taskModule(task, {{"probe", ""}}), &context);
  if (!probed.module)
    return failure();
  probed.module->walk(
      [&](cost::TunableOpInterface found) { probed.op = found; });
  if (!probed.op || probed.op.getDecisionKind() != task.decision) {
    llvm::errs() << "loom-tune: task " << task.describe()
                 << " has no tunable op of its decision\n";
    return failure();
  }
  // Hot tasks find their weights cached; cold ones stream them (the
  // features say which: it is the compile's stated assumption).
  probed.target = target;
  probed.target.weightsFromDram = task.cold;
  probed.space = probed.op.getKnobSpace(probed.target);
  return probed;
}

/// The current features of a candidate row, its task probed once.
FailureOr<cost::FeatureVector>
candidateFeaturesOf(MLIRContext &context, const Row &row,
                    const cost::TargetInfo &target,
                    std::map<std::string, ProbedTask> &probes) {
  auto it = probes.find(row.task.id());
  if (it == probes.end()) {
    FailureOr<ProbedTask> probed = probe(context, row.task, target);
    if (failed(probed))
      return failure();
    it = probes.emplace(row.task.id(), std::move(*probed)).first;
  }
  ProbedTask &p = it->second;
  cost::Candidate candidate;
  for (const cost::Knob &knob : p.space->getKnobs()) {
    const llvm::json::Value *value = row.knobs.get(knob.name);
    std::optional<unsigned> option;
    if (value && value->getAsInteger())
      option = knob.indexOf(*value->getAsInteger());
    else if (value && value->getAsString())
      option = knob.indexOf(value->getAsString()->str());
    if (!option) {
      llvm::errs() << "loom-tune: a row of task " << row.task.describe()
                   << " has no valid value for knob " << knob.name << "\n";
      return failure();
    }
    candidate.push_back(*option);
  }
  return p.op.getFeatures(*p.space, candidate, p.target).front();
}

/// The current features of a wf.latency node row, its graph walked once.
FailureOr<cost::FeatureVector> nodeFeaturesOf(
    MLIRContext &context, const Row &row, const cost::TargetInfo &target,
    std::map<std::string, std::vector<cost::FeatureVector>> &graphs) {
  auto it = graphs.find(row.task.id());
  if (it == graphs.end()) {
    FailureOr<std::vector<cost::FeatureVector>> nodes =
        latencyNodeFeatures(context, row.task, target);
    if (failed(nodes))
      return failure();
    it = graphs.emplace(row.task.id(), std::move(*nodes)).first;
  }
  if (row.candidate >= it->second.size()) {
    llvm::errs() << "loom-tune: a row of " << row.task.describe()
                 << " names node " << row.candidate << ", which it lacks\n";
    return failure();
  }
  return it->second[row.candidate];
}

} // namespace

LogicalResult tune::refeaturize(MLIRContext &context,
                                const std::string &datasetPath,
                                const cost::TargetInfo &target) {
  llvm::Expected<std::vector<Row>> rows = readDataset(datasetPath);
  if (!rows) {
    llvm::errs() << "loom-tune: " << llvm::toString(rows.takeError()) << "\n";
    return failure();
  }
  std::map<std::string, ProbedTask> probes;
  std::map<std::string, std::vector<cost::FeatureVector>> graphs;
  std::string temporary = datasetPath + ".refeaturize";
  std::remove(temporary.c_str());
  for (Row &row : *rows) {
    FailureOr<cost::FeatureVector> features =
        std::holds_alternative<GraphProblem>(row.task.problem)
            ? nodeFeaturesOf(context, row, target, graphs)
            : candidateFeaturesOf(context, row, target, probes);
    if (failed(features))
      return failure();
    const cost::FeatureSchema *schema = cost::schemaFor(row.schema);
    if (!schema) {
      llvm::errs() << "loom-tune: a row names the unknown decision '"
                   << row.schema << "'\n";
      return failure();
    }
    row.features.assign(features->begin(), features->end());
    row.version = schema->version;
    row.schemaHash = schema->hashString();
    if (llvm::Error error = appendRow(temporary, row)) {
      llvm::errs() << "loom-tune: " << llvm::toString(std::move(error)) << "\n";
      return failure();
    }
  }
  if (std::rename(temporary.c_str(), datasetPath.c_str()) != 0) {
    llvm::errs() << "loom-tune: replacing " << datasetPath << "\n";
    return failure();
  }
  llvm::outs() << "loom-tune refeaturize: " << rows->size() << " rows of "
               << probes.size() + graphs.size() << " tasks\n";
  return success();
}

LogicalResult tune::collect(MLIRContext &context, llvm::ArrayRef<Task> tasks,
                            const CollectOptions &options) {
  FailureOr<CollectionStart> start = startCollection(options);
  if (failed(start))
    return failure();
  auto &have = start->have;
  Progress progress(tasks.size());
  size_t measured = 0;
  for (size_t index = 0; index < tasks.size(); ++index) {
    const Task &task = tasks[index];
    // Candidates and features from the compiler's own code.
    FailureOr<ProbedTask> probed = probe(context, task, start->target);
    if (failed(probed))
      return failure();
    cost::TunableOpInterface op = probed->op;
    const cost::TargetInfo &taskTarget = probed->target;
    const cost::KnobSpace &space = *probed->space;
    SmallVector<cost::Candidate> candidates =
        space.enumerate(options.maxCandidates);
    bool retest = isRetestTask(task, options.retestFraction);
    if (have[{task.id(), "1"}] == candidates.size() &&
        (!retest || have[{task.id(), "2"}] == candidates.size()))
      continue;

    auto show = [&](const std::string &phase, int done, int total) {
      progress.show(index, measured, task.describe(), phase, done, total);
    };
    show("compiling", 0, candidates.size());
    std::vector<TaskEntry> entries;
    for (auto [i, candidate] : llvm::enumerate(candidates))
      entries.push_back({"c" + std::to_string(i),
                         decisionAttribute(&context, task, space, candidate)});
    TaskLibraries libraries{options.workdir + "/" + task.id(), {}, nullptr};
    // The shards and the reference, each by its own loom-compile.
    std::vector<std::string> sources, paths;
    unsigned shards = std::min<size_t>(kCompileShards, entries.size());
    for (unsigned shard = 0; shard < shards; ++shard) {
      std::vector<TaskEntry> shardEntries;
      for (size_t i = shard; i < entries.size(); i += shards)
        shardEntries.push_back(entries[i]);
      sources.push_back(taskModule(task, shardEntries));
      paths.push_back(libraries.shardPath(shard));
    }
    sources.push_back(taskModule(task, {{"reference", ""}}));
    paths.push_back(libraries.referencePath());
    if (std::optional<std::string> error =
            compileAll(options, sources, paths, /*reference=*/shards)) {
      progress.finish("loom-tune: " + *error);
      return failure();
    }
    std::string openError;
    for (const std::string &path : ArrayRef(paths).drop_back()) {
      libraries.shards.push_back(ModelLibrary::open(path, openError));
      if (!libraries.shards.back()) {
        progress.finish("loom-tune: " + openError);
        return failure();
      }
      // One thread: the timing thread is the kernel's, pinned by the OS to
      // one core at a time, and its CPU share is the sample's check.
      libraries.shards.back()->api().set_num_threads(1);
    }
    libraries.reference = ModelLibrary::open(paths.back(), openError);
    if (!libraries.reference) {
      progress.finish("loom-tune: " + openError);
      return failure();
    }

    std::mt19937 rng(options.seed ^ static_cast<unsigned>(
                                        std::stoull(task.id(), nullptr, 16)));
    std::vector<TaskInput> inputs = taskInputs(task);
    std::vector<std::vector<float>> data = randomInputs(inputs, rng);
    std::vector<std::unique_ptr<EntryCaller>> callers;
    for (const std::unique_ptr<ModelLibrary> &shard : libraries.shards)
      callers.push_back(std::make_unique<EntryCaller>(*shard, inputs, data));
    EntryCaller callReference(*libraries.reference, inputs, data);
    std::vector<float> expected, got;
    if (!callReference.run("reference", &expected)) {
      progress.finish("loom-tune: task " + task.describe() +
                      ": the reference failed: " + callReference.lastError());
      return failure();
    }
    float scale = 0;
    for (float v : expected)
      scale = std::max(scale, std::fabs(v));
    float tolerance = outputTolerance(task) * scale;

    // Outputs checked before timing; a wrong candidate is never a label.
    std::vector<bool> valid(candidates.size());
    std::vector<std::function<void()>> calls;
    std::vector<size_t> timed;
    for (size_t i = 0; i < candidates.size(); ++i) {
      std::string entry = "c" + std::to_string(i);
      const EntryCaller &call = *callers[i % shards];
      bool ok = call.run(entry.c_str(), &got) && got.size() == expected.size();
      for (size_t j = 0; ok && j < got.size(); ++j)
        ok = std::fabs(got[j] - expected[j]) <= tolerance;
      valid[i] = ok;
      if (ok) {
        timed.push_back(i);
        calls.push_back([&call, entry] { call.run(entry.c_str()); });
      }
    }

    auto rowsOf = [&](const std::vector<Measurement> &measured,
                      const std::vector<size_t> &which,
                      const std::string &pass) -> LogicalResult {
      std::map<size_t, const Measurement *> byCandidate;
      for (auto [m, i] : llvm::zip_equal(measured, which))
        byCandidate[i] = &m;
      for (auto [i, candidate] : llvm::enumerate(candidates)) {
        auto it = byCandidate.find(i);
        if (it == byCandidate.end() && (pass == "retime" || valid[i]))
          continue;
        Row row =
            measuredRow(op.getFeatureSchema(), *start, options, task, i, pass,
                        it == byCandidate.end() ? nullptr : it->second);
        for (auto [k, knob] : llvm::enumerate(space.getKnobs())) {
          const cost::KnobValue &v = knob.options[candidate[k]];
          row.knobs[knob.name] =
              std::holds_alternative<int64_t>(v)
                  ? llvm::json::Value(std::get<int64_t>(v))
                  : llvm::json::Value(std::get<std::string>(v));
        }
        // A dynamic N would give several rows; tasks fix N, so one.
        SmallVector<cost::FeatureVector> features =
            op.getFeatures(space, candidate, taskTarget);
        row.features.assign(features.front().begin(), features.front().end());
        if (llvm::Error error = appendRow(options.datasetPath, row)) {
          progress.finish("loom-tune: " + llvm::toString(std::move(error)));
          return failure();
        }
      }
      return success();
    };

    auto measure = [&](const std::string &phase, ArrayRef<size_t> which,
                       const ProtocolOptions &protocol) {
      std::vector<std::function<void()>> subset;
      for (size_t i : which)
        subset.push_back(calls[llvm::find(timed, i) - timed.begin()]);
      std::function<void(size_t)> flush;
      if (task.cold)
        flush = [&](size_t) {
          for (unsigned shard = 0; shard < shards; ++shard)
            flushMappedFile(libraries.shardPath(shard));
        };
      return measureInRounds(
          subset, flush, protocol, rng,
          [&](int done, int total) { show(phase, done, total); });
    };

    if (have[{task.id(), "1"}] != candidates.size()) {
      std::vector<Measurement> first =
          measure("pass 1", timed, options.protocol);
      if (failed(rowsOf(first, timed, "1")))
        return failure();
      // The five fastest again, interleaved, twice the rounds: they define
      // the task's best time.
      std::vector<size_t> order(timed.size());
      std::iota(order.begin(), order.end(), 0);
      llvm::stable_sort(order, [&](size_t a, size_t b) {
        return first[a].medianUs < first[b].medianUs;
      });
      std::vector<size_t> top;
      for (size_t j = 0; j < std::min<size_t>(5, order.size()); ++j)
        top.push_back(timed[order[j]]);
      ProtocolOptions twice = options.protocol;
      twice.rounds *= 2;
      if (failed(rowsOf(measure("retime", top, twice), top, "retime")))
        return failure();
    }
    if (retest && have[{task.id(), "2"}] != candidates.size() &&
        failed(rowsOf(measure("pass 2", timed, options.protocol), timed, "2")))
      return failure();
    ++measured;
  }
  progress.finish(llvm::formatv("loom-tune collect: {0} tasks measured, "
                                "dataset {1}",
                                measured, options.datasetPath)
                      .str());
  return success();
}

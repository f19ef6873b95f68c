//===- Collect.cpp - loom-tune collect ------------------------------------===//

#include "Collect.h"

#include "Dataset.h"

#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Runtime/ModelLibrary.h"
#include "loom/Support/CacheFlush.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>
#include <unistd.h>

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

/// Writes `source` next to `library` and compiles it; the error text on
/// failure.
std::optional<std::string> compile(const CollectOptions &options,
                                   const std::string &source,
                                   const std::string &library, bool reference) {
  std::string mlirPath = library + ".mlir", logPath = library + ".log";
  std::ofstream(mlirPath) << source;
  std::string command = options.compiler + " " + mlirPath + " -o " + library +
                        (reference ? " --pipeline=reference" : "") + " > " +
                        logPath + " 2>&1";
  int status = std::system(command.c_str());
  std::remove(mlirPath.c_str());
  if (status == 0) {
    std::remove(logPath.c_str());
    return std::nullopt;
  }
  return "failed: " + command + " (see " + logPath + ")";
}

/// Calls of one model's entries on one set of inputs.
class EntryCaller {
public:
  EntryCaller(const ModelLibrary &library, const std::vector<TaskInput> &shapes,
              std::vector<std::vector<float>> &data)
      : api(library.api()), shapes(shapes) {
    for (auto [input, values] : llvm::zip_equal(this->shapes, data))
      tensors.push_back(api.tensor_create(values.data(), input.shape.data(),
                                          input.shape.size(), LOOM_F32, 0));
    inputs = api.tensor_list_create(tensors.data(), tensors.size());
  }
  ~EntryCaller() { api.tensor_list_destroy(inputs); }
  const char *lastError() const { return api.last_error(); }

  /// Runs `entry`; its output into `y` when given. False on a runtime
  /// error.
  bool run(const char *entry, std::vector<float> *y = nullptr) const {
    LoomTensorList *outputs = nullptr;
    if (api.run(entry, inputs, &outputs) != LOOM_OK)
      return false;
    if (y) {
      const LoomTensor *out = api.tensor_list_get(outputs, 0);
      const float *data = static_cast<const float *>(api.tensor_data(out));
      y->assign(data, data + api.tensor_num_elements(out));
    }
    api.tensor_list_destroy(outputs);
    return true;
  }

private:
  const RuntimeApi &api;
  std::vector<TaskInput> shapes;
  std::vector<LoomTensor *> tensors;
  LoomTensorList *inputs;
};

/// The one status line of costmodel.md §4.1 (plain lines when stderr is
/// not a terminal).
class StatusLine {
public:
  StatusLine() : terminal(llvm::sys::Process::StandardErrIsDisplayed()) {}

  void show(const std::string &text) {
    auto now = std::chrono::steady_clock::now();
    if (terminal) {
      llvm::errs() << "\r\x1b[K" << text;
      llvm::errs().flush();
    } else if (now - last > std::chrono::seconds(10)) {
      llvm::errs() << text << "\n";
      last = now;
    }
  }
  void finish(const std::string &text) {
    llvm::errs() << (terminal ? "\r\x1b[K" : "") << text << "\n";
  }

private:
  bool terminal;
  std::chrono::steady_clock::time_point last{};
};

/// Libraries a task's candidates are compiled into, concurrently:
/// loom-compile runs on one core, and compiling a task's candidates takes
/// longer than timing them. Candidate i goes to shard i % (the shard count:
/// kCompileShards, or fewer for fewer candidates).
constexpr unsigned kCompileShards = 2;

/// A task's libraries, removed from disk when done with.
struct TaskLibraries {
  std::string base;
  std::vector<std::unique_ptr<ModelLibrary>> shards;
  std::unique_ptr<ModelLibrary> reference;

  std::string shardPath(unsigned shard) const {
    return base + "_s" + std::to_string(shard) + ".so";
  }
  std::string referencePath() const { return base + "_ref.so"; }

  ~TaskLibraries() {
    shards.clear();
    reference.reset();
    for (unsigned shard = 0; shard < kCompileShards; ++shard)
      removeLibrary(shardPath(shard));
    removeLibrary(referencePath());
  }

private:
  static void removeLibrary(const std::string &path) {
    std::remove(path.c_str());
    std::remove((path.substr(0, path.size() - 3) + ".h").c_str());
  }
};

} // namespace

namespace {

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

} // namespace

LogicalResult tune::refeaturize(MLIRContext &context,
                                const std::string &datasetPath,
                                const std::string &isa) {
  std::optional<cost::TargetInfo> target = cost::TargetInfo::forIsa(isa);
  llvm::Expected<std::vector<Row>> rows = readDataset(datasetPath);
  if (!rows || !target) {
    llvm::errs() << "loom-tune: "
                 << (rows ? "unknown isa " + isa
                          : llvm::toString(rows.takeError()))
                 << "\n";
    return failure();
  }
  std::map<std::string, ProbedTask> probes;
  std::string temporary = datasetPath + ".refeaturize";
  std::remove(temporary.c_str());
  for (Row &row : *rows) {
    auto it = probes.find(row.task.id());
    if (it == probes.end()) {
      FailureOr<ProbedTask> probed = probe(context, row.task, *target);
      if (failed(probed))
        return failure();
      it = probes.emplace(row.task.id(), std::move(*probed)).first;
    }
    ProbedTask &p = it->second;
    cost::Candidate candidate;
    for (const cost::Knob &knob : p.space->getKnobs()) {
      const llvm::json::Value *value = row.knobs.get(knob.name);
      auto option = llvm::find_if(knob.options, [&](const cost::KnobValue &o) {
        return value && (std::holds_alternative<int64_t>(o)
                             ? value->getAsInteger() == std::get<int64_t>(o)
                             : value->getAsString() ==
                                   llvm::StringRef(std::get<std::string>(o)));
      });
      if (option == knob.options.end()) {
        llvm::errs() << "loom-tune: a row of task " << row.task.describe()
                     << " has no valid value for knob " << knob.name << "\n";
        return failure();
      }
      candidate.push_back(option - knob.options.begin());
    }
    const cost::FeatureSchema &schema = p.op.getFeatureSchema();
    cost::FeatureVector features =
        p.op.getFeatures(*p.space, candidate, p.target).front();
    row.features.assign(features.begin(), features.end());
    row.version = schema.version;
    row.schemaHash = schema.hashString();
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
               << probes.size() << " tasks\n";
  return success();
}

LogicalResult tune::collect(MLIRContext &context, llvm::ArrayRef<Task> tasks,
                            const CollectOptions &options) {
  std::optional<cost::TargetInfo> target =
      cost::TargetInfo::forIsa(options.isa);
  if (!target) {
    llvm::errs() << "loom-tune: unknown isa '" << options.isa << "'\n";
    return failure();
  }
  if (llvm::Error error = dropTruncatedLine(options.datasetPath)) {
    llvm::errs() << "loom-tune: " << llvm::toString(std::move(error)) << "\n";
    return failure();
  }
  llvm::Expected<std::vector<Row>> existing = readDataset(options.datasetPath);
  if (!existing) {
    llvm::errs() << "loom-tune: " << llvm::toString(existing.takeError())
                 << "\n";
    return failure();
  }
  // (task, pass) -> rows already there: a task whose passes are complete
  // is skipped.
  std::map<std::pair<std::string, std::string>, size_t> have;
  for (const Row &row : *existing)
    ++have[{row.task.id(), row.pass}];
  llvm::sys::fs::create_directories(options.workdir);

  StatusLine status;
  auto begin = std::chrono::steady_clock::now();
  size_t measured = 0;
  for (size_t index = 0; index < tasks.size(); ++index) {
    const Task &task = tasks[index];
    // Candidates and features from the compiler's own code.
    FailureOr<ProbedTask> probed = probe(context, task, *target);
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
      double elapsed = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - begin)
                           .count();
      double eta = measured ? elapsed / measured * (tasks.size() - index) : 0;
      status.show(llvm::formatv("task {0}/{1} {2}: {3} {4}/{5}  ETA {6:F0} s",
                                index + 1, tasks.size(), task.describe(), phase,
                                done, total, eta)
                      .str());
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
    std::vector<std::optional<std::string>> errors(sources.size());
    {
      std::vector<std::thread> compiles;
      for (size_t i = 0; i < sources.size(); ++i)
        compiles.emplace_back([&, i] {
          errors[i] = compile(options, sources[i], paths[i],
                              /*reference=*/i == shards);
        });
      for (std::thread &compile : compiles)
        compile.join();
    }
    for (const std::optional<std::string> &error : errors)
      if (error) {
        status.finish("loom-tune: " + *error);
        return failure();
      }
    std::string openError;
    for (const std::string &path : ArrayRef(paths).drop_back()) {
      libraries.shards.push_back(ModelLibrary::open(path, openError));
      if (!libraries.shards.back()) {
        status.finish("loom-tune: " + openError);
        return failure();
      }
      // One thread: the timing thread is the kernel's, pinned by the OS to
      // one core at a time, and its CPU share is the sample's check.
      libraries.shards.back()->api().set_num_threads(1);
    }
    libraries.reference = ModelLibrary::open(paths.back(), openError);
    if (!libraries.reference) {
      status.finish("loom-tune: " + openError);
      return failure();
    }

    std::mt19937 rng(options.seed ^ static_cast<unsigned>(
                                        std::stoull(task.id(), nullptr, 16)));
    std::vector<TaskInput> inputs = taskInputs(task);
    std::vector<std::vector<float>> data;
    for (const TaskInput &input : inputs) {
      std::uniform_real_distribution<float> value(-input.scale, input.scale);
      data.emplace_back(std::accumulate(input.shape.begin(), input.shape.end(),
                                        int64_t(1), std::multiplies<>()));
      for (float &v : data.back())
        v = value(rng);
    }
    std::vector<std::unique_ptr<EntryCaller>> callers;
    for (const std::unique_ptr<ModelLibrary> &shard : libraries.shards)
      callers.push_back(std::make_unique<EntryCaller>(*shard, inputs, data));
    EntryCaller callReference(*libraries.reference, inputs, data);
    std::vector<float> expected, got;
    if (!callReference.run("reference", &expected)) {
      status.finish("loom-tune: task " + task.describe() +
                    ": the reference failed: " + callReference.lastError());
      return failure();
    }
    float scale = 0;
    for (float v : expected)
      scale = std::max(scale, std::fabs(v));

    // Outputs checked before timing; a wrong candidate is never a label.
    std::vector<bool> valid(candidates.size());
    std::vector<std::function<void()>> calls;
    std::vector<size_t> timed;
    for (size_t i = 0; i < candidates.size(); ++i) {
      std::string entry = "c" + std::to_string(i);
      const EntryCaller &call = *callers[i % shards];
      bool ok = call.run(entry.c_str(), &got) && got.size() == expected.size();
      for (size_t j = 0; ok && j < got.size(); ++j)
        ok = std::fabs(got[j] - expected[j]) <= 0.02f * scale;
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
        Row row;
        const cost::FeatureSchema &schema = op.getFeatureSchema();
        row.schema = schema.decision.str();
        row.version = schema.version;
        row.schemaHash = schema.hashString();
        row.target = target->targetClass;
        row.machine = options.machine;
        row.task = task;
        row.candidate = i;
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
        row.pass = pass;
        if (it == byCandidate.end()) {
          row.status = "invalid";
        } else {
          const Measurement &m = *it->second;
          row.medianUs = m.medianUs;
          row.madUs = m.madUs;
          row.samples = m.samples;
          row.cpuShare = m.cpuShare;
          row.status = m.contended ? "contended" : "ok";
        }
        if (llvm::Error error = appendRow(options.datasetPath, row)) {
          status.finish("loom-tune: " + llvm::toString(std::move(error)));
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
      std::function<void()> flush;
      if (task.cold)
        flush = [&] {
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
  status.finish(llvm::formatv("loom-tune collect: {0} tasks measured, "
                              "dataset {1}",
                              measured, options.datasetPath)
                    .str());
  return success();
}

//===- CollectSupport.h - What loom-tune's collections share ----*- C++ -*-===//
//
// Compiling a task's modules with loom-compile, calling their entries and
// showing progress: the candidate collection (Collect.cpp) and the node
// latency collection (LatencyCollect.cpp) both do it.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_COLLECTSUPPORT_H
#define LOOM_TOOLS_LOOMTUNE_COLLECTSUPPORT_H

#include "Collect.h"
#include "Dataset.h"

#include "loom/CostModel/FeatureSchema.h"
#include "loom/CostModel/TargetInfo.h"

#include "loom/Runtime/ModelLibrary.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace mlir::loom::tune {

/// Compiles sources[i] into paths[i], all at once (loom-compile runs on
/// one core); source `reference` through the reference pipeline. The
/// first error, if any.
std::optional<std::string> compileAll(const CollectOptions &options,
                                      llvm::ArrayRef<std::string> sources,
                                      llvm::ArrayRef<std::string> paths,
                                      std::optional<size_t> reference);

/// Calls of one model's entries on one set of inputs (`data`, rounded to
/// each input's element type).
class EntryCaller {
public:
  EntryCaller(const ModelLibrary &library, const std::vector<TaskInput> &shapes,
              std::vector<std::vector<float>> &data);
  ~EntryCaller() { api.tensor_list_destroy(inputs); }
  const char *lastError() const { return api.last_error(); }

  /// Runs `entry`; its output, as floats, into `y` when given. False on a
  /// runtime error.
  bool run(const char *entry, std::vector<float> *y = nullptr) const;

private:
  const RuntimeApi &api;
  std::vector<TaskInput> shapes;
  /// The 16-bit inputs' bits, which their tensors point into.
  std::vector<std::vector<uint16_t>> narrowed;
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

/// The target whose throughputs features are computed with: `isa` on
/// `cpu`, with the class and calibration of the model directory
/// `calibrationDir` (cost::useCalibrationOf) when one is given, else the
/// build's shipped ones. Reports an error.
FailureOr<cost::TargetInfo> featureTarget(llvm::StringRef isa,
                                          llvm::StringRef cpu,
                                          llvm::StringRef calibrationDir);

/// Where a collection starts: the target of `options.isa`, and the rows
/// already in the dataset per (task id, pass), so that complete tasks are
/// skipped (a truncated last line, from a killed run, is dropped first).
struct CollectionStart {
  cost::TargetInfo target;
  std::map<std::pair<std::string, std::string>, size_t> have;
};
FailureOr<CollectionStart> startCollection(const CollectOptions &options);

/// The progress line of task `index` (of `tasks`), with an ETA from the
/// `measured` tasks so far.
class Progress {
public:
  explicit Progress(size_t tasks)
      : tasks(tasks), begin(std::chrono::steady_clock::now()) {}
  void show(size_t index, size_t measured, const std::string &what,
            const std::string &phase, int done, int total);
  void finish(const std::string &text) { status.finish(text); }

private:
  size_t tasks;
  std::chrono::steady_clock::time_point begin;
  StatusLine status;
};

/// A dataset row of `schema` for candidate (or node) `candidate` of
/// `task` in `pass`, measured as `m` (null: `invalid`); the caller adds
/// knobs and features.
Row measuredRow(const cost::FeatureSchema &schema, const CollectionStart &start,
                const CollectOptions &options, const Task &task,
                unsigned candidate, const std::string &pass,
                const Measurement *m);

/// Fills one vector per input with uniform values in [-scale, scale].
std::vector<std::vector<float>>
randomInputs(const std::vector<TaskInput> &inputs, std::mt19937 &rng);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_COLLECTSUPPORT_H

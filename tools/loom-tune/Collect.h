//===- Collect.h - loom-tune collect ----------------------------*- C++ -*-===//
#ifndef LOOM_TOOLS_LOOMTUNE_COLLECT_H
#define LOOM_TOOLS_LOOMTUNE_COLLECT_H

#include "Protocol.h"
#include "Tasks.h"

#include "loom/CostModel/FeatureSchema.h"
#include "loom/CostModel/TargetInfo.h"

#include "mlir/IR/MLIRContext.h"

namespace mlir::loom::tune {

struct CollectOptions {
  std::string datasetPath;
  /// loom-compile, and a directory for the task libraries.
  std::string compiler, workdir;
  /// The kernels' ISA and CPU on this host (loom-compile's choice), and a
  /// model directory whose calibration the features use (empty: the
  /// build's).
  std::string isa, cpu, calibrationDir;
  /// Whether `cpu` was asked for (`--cpu`) rather than the host's: the
  /// kernels are then compiled for it (loom-compile --mcpu).
  bool cpuAskedFor = false;
  /// A machine fingerprint recorded with every row.
  std::string machine;
  ProtocolOptions protocol;
  /// Tasks whose id falls in this fraction are measured twice (pass 2):
  /// the test-retest ceiling.
  double retestFraction = 0.2;
  size_t maxCandidates = 300;
  unsigned seed = 0;
};

/// Measures every candidate of every task not yet in the dataset, with a
/// status line on stderr. Returns failure after reporting an error.
LogicalResult collect(MLIRContext &context, llvm::ArrayRef<Task> tasks,
                      const CollectOptions &options);

/// The same for wf.latency: every node of every graph task, timed cold
/// (LatencyCollect.cpp).
LogicalResult collectLatency(MLIRContext &context, llvm::ArrayRef<Task> tasks,
                             const CollectOptions &options);

/// The wf.latency features of every node of graph task `task`, from its
/// functions as the compiler parses them.
FailureOr<std::vector<cost::FeatureVector>>
latencyNodeFeatures(MLIRContext &context, const Task &task,
                    const cost::TargetInfo &target);

/// Recomputes the features of every row of the dataset with the
/// compiler's current schema and `target`'s throughputs (rows keep their
/// task and knobs, so a schema or calibration change needs no new
/// measurements) and rewrites the file.
LogicalResult refeaturize(MLIRContext &context, const std::string &datasetPath,
                          const cost::TargetInfo &target);

/// Whether `task` belongs to the test-retest fraction.
bool isRetestTask(const Task &task, double fraction);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_COLLECT_H

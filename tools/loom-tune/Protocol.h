//===- Protocol.h - How loom-tune times candidates --------------*- C++ -*-===//
//
// costmodel.md §4.1 on a small shared machine: candidates are timed in
// rounds, each round every candidate once in a freshly permuted order, so
// that drift in background load hits all alike; a sample whose CPU share
// shows another process took the core is repeated.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_PROTOCOL_H
#define LOOM_TOOLS_LOOMTUNE_PROTOCOL_H

#include "llvm/ADT/ArrayRef.h"

#include <functional>
#include <random>
#include <vector>

namespace mlir::loom::tune {

/// The median of `values` (the mean of the middle two for an even count; 0
/// for none).
double median(std::vector<double> values);

struct ProtocolOptions {
  int rounds = 5;
  /// Each sample repeats the call for at least this long.
  double sampleSeconds = 4e-3;
  /// ... and this long when every call is prepared (cold runs, whose
  /// flushes are slow and untimed).
  double preparedSampleSeconds = 1e-3;
  /// A sample below this CPU share is taken again, up to `retries` times.
  double minCpuShare = 0.9;
  int retries = 3;
};

struct Measurement {
  /// Per call, over the samples.
  double medianUs = 0, madUs = 0;
  int samples = 0;
  /// The lowest CPU share among the samples kept.
  double cpuShare = 1;
  /// Some sample never reached minCpuShare.
  bool contended = false;
};

/// Times `calls` in `options.rounds` rounds after one warm-up call each;
/// `rng` permutes every round. `prepare(i)`, when given, runs untimed
/// before every call of calls[i] (a cache flush). `progress(done, total)`
/// after each sample.
std::vector<Measurement>
measureInRounds(llvm::ArrayRef<std::function<void()>> calls,
                const std::function<void(size_t)> &prepare,
                const ProtocolOptions &options, std::mt19937 &rng,
                const std::function<void(int, int)> &progress);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_PROTOCOL_H

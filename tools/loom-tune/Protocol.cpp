//===- Protocol.cpp - How loom-tune times candidates ----------------------===//

#include "Protocol.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <numeric>

using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

double seconds(clockid_t clock) {
  timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

struct Sample {
  double perCallSeconds, cpuShare;
};

/// `iterations` calls; the kernels run single-threaded on this thread, so
/// its CPU time over the wall time is the share of the core it got. With
/// `prepare`, each call is timed alone, after it.
Sample timeSample(const std::function<void()> &call,
                  const std::function<void()> &prepare, int64_t iterations) {
  double wall = 0, cpu = 0;
  auto timed = [&](int64_t count) {
    double cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    double wall0 = seconds(CLOCK_MONOTONIC);
    for (int64_t i = 0; i < count; ++i)
      call();
    wall += seconds(CLOCK_MONOTONIC) - wall0;
    cpu += seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  };
  if (prepare) {
    for (int64_t i = 0; i < iterations; ++i) {
      prepare();
      timed(1);
    }
  } else {
    timed(iterations);
  }
  return {wall / iterations, wall > 0 ? cpu / wall : 1};
}

} // namespace

double tune::median(std::vector<double> values) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::vector<Measurement> mlir::loom::tune::measureInRounds(
    llvm::ArrayRef<std::function<void()>> calls,
    const std::function<void(size_t)> &prepareCall,
    const ProtocolOptions &options, std::mt19937 &rng,
    const std::function<void(int, int)> &progress) {
  size_t count = calls.size();
  auto prepare = [&](size_t i) -> std::function<void()> {
    if (!prepareCall)
      return nullptr;
    return [&prepareCall, i] { prepareCall(i); };
  };
  // The warm-up call also sizes each candidate's samples.
  std::vector<int64_t> iterations(count);
  double sampleSeconds =
      prepareCall ? options.preparedSampleSeconds : options.sampleSeconds;
  for (size_t i = 0; i < count; ++i) {
    double once = timeSample(calls[i], prepare(i), 1).perCallSeconds;
    iterations[i] = std::max<int64_t>(
        1,
        static_cast<int64_t>(std::ceil(sampleSeconds / std::max(once, 1e-9))));
  }
  std::vector<std::vector<double>> samples(count);
  std::vector<Measurement> result(count);
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  int done = 0, total = static_cast<int>(count) * options.rounds;
  for (int round = 0; round < options.rounds; ++round) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      Sample sample = timeSample(calls[i], prepare(i), iterations[i]);
      for (int retry = 0;
           sample.cpuShare < options.minCpuShare && retry < options.retries;
           ++retry)
        sample = timeSample(calls[i], prepare(i), iterations[i]);
      result[i].contended |= sample.cpuShare < options.minCpuShare;
      result[i].cpuShare = std::min(result[i].cpuShare, sample.cpuShare);
      samples[i].push_back(sample.perCallSeconds * 1e6);
      if (progress)
        progress(++done, total);
    }
  }
  for (size_t i = 0; i < count; ++i) {
    Measurement &m = result[i];
    m.samples = static_cast<int>(samples[i].size());
    m.medianUs = median(samples[i]);
    std::vector<double> deviations;
    for (double s : samples[i])
      deviations.push_back(std::fabs(s - m.medianUs));
    m.madUs = median(deviations);
  }
  return result;
}

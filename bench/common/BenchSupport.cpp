//===- BenchSupport.cpp - What every bench/run benchmark shares -----------===//

#include "BenchSupport.h"

#include <immintrin.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

using mlir::loom::ModelLibrary;
using namespace loom::bench;

namespace {

/// The calls of one variant: wall and process-CPU time of each.
struct CallTimes {
  std::vector<double> wall;
  double total = 0, cpu = 0;

  void time(const std::function<void()> &call) {
    double c0 = nowUs(CLOCK_PROCESS_CPUTIME_ID), w0 = nowUs(CLOCK_MONOTONIC);
    call();
    double w1 = nowUs(CLOCK_MONOTONIC), c1 = nowUs(CLOCK_PROCESS_CPUTIME_ID);
    wall.push_back(w1 - w0);
    total += w1 - w0;
    cpu += c1 - c0;
  }
  bool enough(int minCalls, double minSeconds) const {
    return (int)wall.size() >= minCalls && total >= minSeconds * 1e6;
  }
  Timing summary(int threads) {
    std::sort(wall.begin(), wall.end());
    Timing t;
    t.calls = wall.size();
    t.p10 = wall[wall.size() / 10];
    t.median = wall[wall.size() / 2];
    t.cpuShare = cpu / (total * threads);
    return t;
  }
};

} // namespace

Timing loom::bench::measure(const std::function<void()> &call,
                            const std::function<void()> &prepare, int threads,
                            int minCalls, double minSeconds) {
  double start = nowUs(CLOCK_MONOTONIC);
  call(); // warm-up: page faults, lazy binding, thread pools
  if (nowUs(CLOCK_MONOTONIC) - start > 1e5) {
    minCalls = 3;
    minSeconds = 0;
  }
  CallTimes times;
  while (!times.enough(minCalls, minSeconds) && times.wall.size() < 1000) {
    if (prepare)
      prepare();
    times.time(call);
  }
  return times.summary(threads);
}

std::vector<Timing> loom::bench::measureInterleaved(
    const std::vector<std::function<void()>> &calls, int threads, int minCalls,
    double minSeconds, const std::vector<std::function<void()>> &prepares) {
  for (int warm = 0; warm < 2; ++warm)
    for (const auto &call : calls)
      call();
  std::vector<CallTimes> times(calls.size());
  auto done = [&] {
    for (const CallTimes &t : times)
      if (!t.enough(minCalls, minSeconds))
        return false;
    return true;
  };
  while (!done())
    for (size_t i = 0; i < calls.size(); ++i) {
      if (i < prepares.size() && prepares[i])
        prepares[i]();
      times[i].time(calls[i]);
    }
  std::vector<Timing> timings;
  for (CallTimes &t : times)
    timings.push_back(t.summary(threads));
  return timings;
}

// The read probe: sums `bytes` of `data` with 8 independent accumulators.
// Four streams of two lines per step: a single sequential stream leaves
// DRAM idle between the hardware prefetcher's requests, while the kernels
// it is compared with read several weight rows at once (and would beat a
// one-stream "roofline").
__attribute__((target("avx512f"))) int64_t readProbe512(const char *data,
                                                        size_t bytes) {
  __m512i acc[8];
  for (auto &a : acc)
    a = _mm512_setzero_si512();
  size_t quarter = (bytes / 4) & ~size_t(127);
  for (size_t i = 0; i + 128 <= quarter; i += 128)
    for (int j = 0; j < 8; ++j)
      acc[j] = _mm512_add_epi64(
          acc[j], _mm512_load_si512(reinterpret_cast<const __m512i *>(
                      data + (j / 2) * quarter + i + 64 * (j % 2))));
  for (int j = 1; j < 8; ++j)
    acc[0] = _mm512_add_epi64(acc[0], acc[j]);
  return _mm512_reduce_add_epi64(acc[0]);
}

__attribute__((target("avx2"))) int64_t readProbe256(const char *data,
                                                     size_t bytes) {
  __m256i acc[8];
  for (auto &a : acc)
    a = _mm256_setzero_si256();
  size_t quarter = (bytes / 4) & ~size_t(63);
  for (size_t i = 0; i + 64 <= quarter; i += 64)
    for (int j = 0; j < 8; ++j)
      acc[j] = _mm256_add_epi64(
          acc[j], _mm256_load_si256(reinterpret_cast<const __m256i *>(
                      data + (j / 2) * quarter + i + 32 * (j % 2))));
  for (int j = 1; j < 8; ++j)
    acc[0] = _mm256_add_epi64(acc[0], acc[j]);
  int64_t out[4];
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), acc[0]);
  return out[0] + out[1] + out[2] + out[3];
}

int64_t loom::bench::readProbe(const char *data, size_t bytes, int threads,
                               bool avx512) {
  int64_t sum = 0;
  size_t share = (bytes / threads) & ~size_t(511);
#pragma omp parallel for num_threads(threads) reduction(+ : sum)
  for (int t = 0; t < threads; ++t) {
    const char *begin = data + t * share;
    size_t size = t + 1 == threads ? bytes - t * share : share;
    sum += avx512 ? readProbe512(begin, size) : readProbe256(begin, size);
  }
  return sum;
}

void Model::run(const char *entry, const std::vector<Input> &inputs,
                std::vector<float> *out, float **keep) const {
  std::vector<LoomTensor *> tensors;
  for (const Input &input : inputs)
    tensors.push_back(api().tensor_create(const_cast<void *>(input.data),
                                          input.shape.data(),
                                          input.shape.size(), input.dtype, 0));
  LoomTensorList *in = api().tensor_list_create(tensors.data(), tensors.size());
  LoomTensorList *outputs = nullptr;
  if (api().run(entry, in, &outputs) != LOOM_OK)
    die(std::string("running ") + entry + ": " + api().last_error());
  const LoomTensor *y = api().tensor_list_get(outputs, 0);
  const float *data = static_cast<const float *>(api().tensor_data(y));
  if (out)
    out->assign(data, data + api().tensor_num_elements(y));
  if (keep) // the caller takes a copy of the result
    std::memcpy(*keep, data, api().tensor_num_elements(y) * sizeof(float));
  api().tensor_list_destroy(outputs);
  api().tensor_list_destroy(in);
}

Model loom::bench::compileModel(const std::string &compiler,
                                const std::string &source,
                                const std::string &path, bool reference,
                                const std::string &schedule,
                                const std::string &diagnostics) {
  std::string mlir = path + ".mlir";
  std::ofstream(mlir) << source;
  std::string command = compiler + " " + mlir + " -o " + path +
                        (reference ? " --pipeline=reference" : "");
  if (!schedule.empty())
    command += " --pipeline-options='" + schedule + "'";
  if (!diagnostics.empty())
    command += " 2> " + diagnostics;
  double t0 = nowUs(CLOCK_MONOTONIC);
  if (std::system(command.c_str()) != 0)
    die("failed: " + command);
  std::fprintf(stderr, "  compiled %s (%s) in %.1f s\n", path.c_str(),
               reference ? "reference" : "cpu pipeline",
               (nowUs(CLOCK_MONOTONIC) - t0) / 1e6);
  std::remove(mlir.c_str());
  Model model{path, nullptr};
  std::string error;
  model.library = ModelLibrary::open(path, error);
  if (!model.library)
    die(error);
  return model;
}

void loom::bench::parseArguments(
    int argc, char **argv, const std::map<std::string, std::string *> &values,
    const std::map<std::string, bool *> &flags, const std::string &usage) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (auto flag = flags.find(a); flag != flags.end())
      *flag->second = true;
    else if (auto value = values.find(a); value != values.end() && i + 1 < argc)
      *value->second = argv[++i];
    else
      die("usage: " + usage);
  }
}

std::vector<std::string> loom::bench::splitList(const std::string &list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');)
    out.push_back(item);
  return out;
}

//===- BenchSupport.h - What every bench/run benchmark shares ---*- C++ -*-===//
//
// Timing with process-CPU shares, the read-bandwidth probe, and models
// compiled by loom-compile and called through the runtime ABI.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_BENCH_COMMON_BENCHSUPPORT_H
#define LOOM_BENCH_COMMON_BENCHSUPPORT_H

#include "Environment.h"

#include "loom/Runtime/ModelLibrary.h"

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

extern "C" char *openblas_get_corename(void);
extern "C" void openblas_set_num_threads(int);

namespace loom::bench {

/// A std::allocator whose blocks start on a 64-byte line, like the buffers
/// of the frameworks a model runs in: vector loads then never straddle two
/// lines.
template <typename T> struct LineAllocator {
  using value_type = T;
  LineAllocator() = default;
  template <typename U> LineAllocator(const LineAllocator<U> &) {}
  T *allocate(size_t n) {
    size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    if (void *p = std::aligned_alloc(64, bytes))
      return static_cast<T *>(p);
    throw std::bad_alloc();
  }
  void deallocate(T *p, size_t) { std::free(p); }
  bool operator==(const LineAllocator &) const { return true; }
  bool operator!=(const LineAllocator &) const { return false; }
};
template <typename T> using LineVector = std::vector<T, LineAllocator<T>>;

struct Timing {
  double p10 = 0, median = 0, cpuShare = 0;
  int calls = 0;
};

/// One warm-up call, then at least `minCalls` calls and `minSeconds` of
/// timed calls — 3 calls for a variant whose warm-up call takes over 0.1 s
/// (the slow baselines); `prepare` (untimed) runs before each call.
/// cpuShare = process CPU time / (wall time * threads).
Timing measure(const std::function<void()> &call,
               const std::function<void()> &prepare, int threads,
               int minCalls = 10, double minSeconds = 0.3);

/// `calls` timed round-robin (A, B, C, A, B, C, ...) after two warm-ups
/// each, until every one has `minCalls` calls and `minSeconds` of calls,
/// so that drift in background load hits all alike; `prepares[i]`
/// (untimed, where given and set) runs before each call of `calls[i]`.
std::vector<Timing>
measureInterleaved(const std::vector<std::function<void()>> &calls, int threads,
                   int minCalls, double minSeconds,
                   const std::vector<std::function<void()>> &prepares = {});

/// Sums `bytes` of `data` split evenly across `threads` threads with 512- or
/// 256-bit loads (the read probe behind the bandwidth rooflines).
int64_t readProbe(const char *data, size_t bytes, int threads, bool avx512);

/// One input of a model call: borrowed data of `dtype`.
struct Input {
  const void *data;
  std::vector<int64_t> shape;
  LoomDType dtype = LOOM_F32;
};

/// A compiled model and calls of its entries.
struct Model {
  std::string path;
  std::unique_ptr<mlir::loom::ModelLibrary> library;
  const mlir::loom::RuntimeApi &api() const { return library->api(); }

  /// Runs `entry` on `inputs`; copies the first (f32) output into `out`
  /// and/or the buffer `*keep` when given. Dies on a runtime error.
  void run(const char *entry, const std::vector<Input> &inputs,
           std::vector<float> *out = nullptr, float **keep = nullptr) const;
};

/// Compiles `source` with `compiler` (loom-compile) into the library
/// `path` — the reference pipeline or the CPU pipeline with `schedule`'s
/// pipeline options — and opens it. The compiler's diagnostics go to the
/// file `diagnostics` where given, else to stderr.
Model compileModel(const std::string &compiler, const std::string &source,
                   const std::string &path, bool reference,
                   const std::string &schedule = "",
                   const std::string &diagnostics = "");

/// Parses `--name value` options into `values` and `--name` flags into
/// `flags`; dies with `usage` on anything else.
void parseArguments(int argc, char **argv,
                    const std::map<std::string, std::string *> &values,
                    const std::map<std::string, bool *> &flags,
                    const std::string &usage);

/// The comma-separated items of `list`.
std::vector<std::string> splitList(const std::string &list);

} // namespace loom::bench

#endif // LOOM_BENCH_COMMON_BENCHSUPPORT_H

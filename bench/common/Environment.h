//===- Environment.h - Clocks, load and exits for benchmarks ----*- C++ -*-===//
//
// What every benchmark needs to say how trustworthy a time is
// (measuring.md §3): process CPU time beside wall time, and the load
// average it ran under.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_BENCH_COMMON_ENVIRONMENT_H
#define LOOM_BENCH_COMMON_ENVIRONMENT_H

#include <ctime>
#include <string>

namespace loom::bench {

/// Prints "<program>: message" and exits with status 1.
[[noreturn]] void die(const std::string &message);

/// Microseconds on `clock`.
double nowUs(clockid_t clock);

/// The first line of /proc/loadavg.
std::string loadAverage();

} // namespace loom::bench

#endif // LOOM_BENCH_COMMON_ENVIRONMENT_H

//===- Environment.cpp - Clocks, load and exits for benchmarks -----------===//

#include "Environment.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>

void loom::bench::die(const std::string &message) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name,
               message.c_str());
  std::exit(1);
}

double loom::bench::nowUs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

std::string loom::bench::loadAverage() {
  std::ifstream load("/proc/loadavg");
  std::string line;
  std::getline(load, line);
  return line;
}

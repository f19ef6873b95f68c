//===- StrategyModel.cpp - Analytical cost of the mpgemm paths ------------===//

#include "loom/Dialect/Lut/Transforms/StrategyModel.h"

#include <algorithm>

using namespace mlir::loom::lut;

double PathCost::nanoseconds(const HostThroughput &host) const {
  return std::max(weightBytes / host.bytesPerNs, steps * stepNs);
}

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

PathCost mlir::loom::lut::lookupPathCost(int64_t m, int64_t k, unsigned planes,
                                         int64_t n,
                                         const HostThroughput &host) {
  bool pairs = planes % 2 == 0;
  int64_t perRow = pairs ? 2 : 1;
  double loads = double(ceilDiv(m, 128 / perRow)) * (k / 4) * (planes / perRow);
  return {loads * 64, loads * n,
          pairs ? host.pairLookupStepNs : host.singleLookupStepNs};
}

PathCost mlir::loom::lut::dotPathCost(int64_t m, int64_t k, int64_t n,
                                      int64_t indexBits,
                                      const HostThroughput &host) {
  int64_t kPerLoad = 32 / indexBits;
  double loads = double(ceilDiv(m, 16)) * (k / kPerLoad);
  return {loads * 64, loads * n, host.dotStepNs * kPerLoad / 8};
}

std::optional<int64_t> mlir::loom::lut::dotCrossover(int64_t m, int64_t k,
                                                     unsigned planes,
                                                     int64_t indexBits,
                                                     const HostThroughput &host,
                                                     int64_t maxN) {
  std::optional<int64_t> from;
  for (int64_t n = 1; n <= maxN; ++n) {
    bool dotWins = dotPathCost(m, k, n, indexBits, host).nanoseconds(host) <
                   lookupPathCost(m, k, planes, n, host).nanoseconds(host);
    if (dotWins && !from)
      from = n;
    else if (!dotWins)
      from.reset();
  }
  return from;
}

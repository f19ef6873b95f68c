//===- StrategyModel.h - Analytical cost of the mpgemm paths ----*- C++ -*-===//
//
// The roofline model of lut.md §4.1 for the choice between the
// table-lookup kernel and the int8-dot kernel of a lut.mpgemm with int8
// activations. A call of either kernel streams its weight bytes and issues
// one inner step per 64-byte weight load and column:
//
//   lookup step: one index load of 4 K of P planes for 128 / P rows, its
//                lookups in both int16 byte tables, widened and added
//                (P = 2 for an even plane count, else 1);
//   dot step:    one load of 8 K for 16 rows (16 K with 2-bit value
//                indices), unpacked, two (four) vpdpbusd.
//
// Its time is max(bytes / bandwidth, steps x step time). The step times
// are measurements of the kernels on the host (the learned cost model
// replaces them with its own); the counts follow from the loop nests of
// convert-lut-to-vector.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_LUT_TRANSFORMS_STRATEGYMODEL_H
#define LOOM_DIALECT_LUT_TRANSFORMS_STRATEGYMODEL_H

#include <cstdint>
#include <optional>

namespace mlir::loom::lut {

/// What one core of the host sustains.
struct HostThroughput {
  /// Weight stream read bandwidth, bytes per ns (= GB/s).
  double bytesPerNs;
  /// ns per lookup step with two planes per byte pair, and with one.
  double pairLookupStepNs, singleLookupStepNs;
  /// ns per dot step of 8 K (with VNNI's vpdpbusd, or emulated).
  double dotStepNs;
};

/// One call of a path at one N.
struct PathCost {
  double weightBytes = 0, steps = 0, stepNs = 0;
  /// max(streaming, issuing), in ns.
  double nanoseconds(const HostThroughput &host) const;
};

/// The table-lookup kernel (exact int16 tables) over an M x K bitplane
/// weight with `planes` planes, at N columns.
PathCost lookupPathCost(int64_t m, int64_t k, unsigned planes, int64_t n,
                        const HostThroughput &host);

/// The int8-dot kernel over an M x K weight with `indexBits`-bit value
/// indices (PackedType::getDotIndexBits) at N columns.
PathCost dotPathCost(int64_t m, int64_t k, int64_t n, int64_t indexBits,
                     const HostThroughput &host);

/// The smallest N <= `maxN` from which the int8-dot path is modeled faster
/// than the table lookups for every larger N up to `maxN`; none when the
/// table lookups win at `maxN`.
std::optional<int64_t> dotCrossover(int64_t m, int64_t k, unsigned planes,
                                    int64_t indexBits,
                                    const HostThroughput &host,
                                    int64_t maxN = 4096);

} // namespace mlir::loom::lut

#endif // LOOM_DIALECT_LUT_TRANSFORMS_STRATEGYMODEL_H

//===- Roofline.h - The analytical time of a candidate ----------*- C++ -*-===//
//
// The fallback where no trained model fits, and a feature of every trained
// one (trees then learn the residual and extrapolate more gently): time is
// the slowest of the compute and memory-level bounds, plus fixed overheads.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_ROOFLINE_H
#define LOOM_COSTMODEL_ROOFLINE_H

#include "llvm/ADT/SmallVector.h"

namespace mlir::loom::cost {

/// What a candidate does, independent of the machine.
struct WorkEstimate {
  /// Operations per compute class (e.g. f32 FMAs, byte lookups, int8 dot
  /// steps), indexed like MachineThroughput::opsPerSecond.
  llvm::SmallVector<double, 4> ops;
  /// Bytes moved per memory level (L1, L2, DRAM, ...), indexed like
  /// MachineThroughput::bytesPerSecond.
  llvm::SmallVector<double, 4> bytes;
  /// Fixed costs: thread-team starts, table precompute, kernel launches.
  double overheadSeconds = 0;
};

/// Adds `work` into `total` (same classes and levels): work done one after
/// the other.
void accumulate(WorkEstimate &total, const WorkEstimate &work);

/// What the machine sustains, per compute class and memory level.
struct MachineThroughput {
  llvm::SmallVector<double, 4> opsPerSecond;
  llvm::SmallVector<double, 4> bytesPerSecond;
};

struct RooflineTime {
  double seconds;
  /// Whether a memory level, not compute, sets the time.
  bool memoryBound;
};

/// max(ops / peak, bytes / bandwidth per level) + overheads. Classes or
/// levels the machine gives no throughput for are ignored.
RooflineTime rooflineTime(const WorkEstimate &work,
                          const MachineThroughput &machine);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_ROOFLINE_H

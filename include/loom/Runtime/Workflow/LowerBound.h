//===- LowerBound.h - A makespan bound any policy must respect --*- C++ -*-===//
//
// wf.md §9.3 on the instance graph of one run: the critical path (CP), the
// work the model must do with shared prefixes counted once (WORK), and
// STAGE, the work before a join plus the path after it. Every simulated
// run must take at least max(CP, WORK, STAGE); a run that does not exposes
// a simulator or bound bug.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_LOWERBOUND_H
#define LOOM_RUNTIME_WORKFLOW_LOWERBOUND_H

#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/SimService.h"

namespace mlir::loom::wfrt {

struct LowerBound {
  double criticalPath = 0, work = 0, stage = 0;
  double value() const { return std::max(criticalPath, std::max(work, stage)); }
};

/// `instances` from a run with RunOptions::recordInstances; `rttMs` is
/// paid once; `batchLimit` is the throughput limit in force. STAGE looks
/// at up to `stageCandidates` join instances (any subset is valid).
LowerBound computeLowerBound(const Program &program,
                             const std::vector<InstanceRecord> &instances,
                             const SimConfig &config, double rttMs,
                             int64_t batchLimit, size_t stageCandidates = 256);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_LOWERBOUND_H

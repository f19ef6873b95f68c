//===- TraceValues.h - The trace of one run ---------------------*- C++ -*-===//
//
// wf.md §7.5: a compiled library embeds its graphs' trace snapshots
// (wf-extract-trace's `attach`); after a run, the trace is taken on the
// instances the run executed, with the values it produced — what Trace
// shows after executing the graph.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_TRACEVALUES_H
#define LOOM_RUNTIME_WORKFLOW_TRACEVALUES_H

#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/TraceProblem.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mlir::loom::wfrt {

/// Trace's `py_name` of a node id: the id without ':', with '/', '[' and
/// ']' as '_'.
std::string pyName(std::string_view id);

/// The trace of a run of `graph` on `args` in `mode`, from `snapshots`
/// (the JSON a library embeds, keyed by graph, then mode): `{graph: {mode,
/// influence, graphs, problem}}` over the run's instance graph, values as
/// the run produced them (parameters as it read them, `overrides` first);
/// feedback from its text's instance, or `feedbackText` for a
/// `wf.feedback` without one (the environment's verdict). False with
/// `error` if `snapshots` is not such JSON or lacks `graph`.
bool runTrace(std::string_view snapshots, const std::string &graph,
              TraceMode mode, const std::vector<Value> &args,
              const Program &program,
              const std::map<std::string, Value> &overrides,
              const RunResult &run, const std::string &feedbackText,
              std::string &out, std::string &error);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_TRACEVALUES_H

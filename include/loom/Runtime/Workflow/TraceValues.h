//===- TraceValues.h - A run's values in the trace's problem ----*- C++ -*-===//
//
// wf.md §7.3: wf-extract-trace prints the values it cannot know at compile
// time as `?`; a run's value log (RunResult::values) knows them. This
// fills them, as Trace shows a problem after executing the graph.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_TRACEVALUES_H
#define LOOM_RUNTIME_WORKFLOW_TRACEVALUES_H

#include "loom/Runtime/Workflow/Executor.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mlir::loom::wfrt {

/// Trace's `py_name` of a node id: the id without ':', with '/', '[' and
/// ']' as '_'.
std::string pyName(std::string_view id);

/// `trace` (wf-extract-trace's JSON, keyed by graph) reduced to `graph`,
/// its problem's values taken from a run of `graph` on `args`: parameters
/// as the run read them (`overrides` first), arguments, and every node
/// that ran (a node inside a map, replicate or while: the list of its
/// instances' values, in iteration order); feedback from its text's node,
/// or `feedbackText` for a `wf.feedback` without one (the environment's
/// verdict). Values the run did not produce (a node that never ran, no
/// feedback given) stay `?`. False with `error` if `trace` is not such
/// JSON or lacks `graph`.
bool fillTraceValues(std::string_view trace, const std::string &graph,
                     const std::vector<Value> &args, const Program &program,
                     const std::map<std::string, Value> &overrides,
                     const RunResult &run, const std::string &feedbackText,
                     std::string &out, std::string &error);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_TRACEVALUES_H

//===- BuildTraceSnapshot.h - A wf.graph's trace snapshot -------*- C++ -*-===//
//
// wf.md §7.5: the source graph as the runtime's trace snapshot, taken on
// the instance graph of wf.md §7.1 with region arguments and results kept
// as references.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_WORKFLOW_TRANSFORMS_BUILDTRACESNAPSHOT_H
#define LOOM_DIALECT_WORKFLOW_TRANSFORMS_BUILDTRACESNAPSHOT_H

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"
#include "loom/Runtime/Workflow/TraceSnapshot.h"

namespace mlir::loom::wf {

/// The snapshot of `graph` in `mode`, its problem's P the parameters named
/// in `params` (symbols; empty: every trainable one). Ids must be
/// assigned (wf-assign-ids); full mode expects calls inlined.
wfrt::TraceSnapshot buildTraceSnapshot(GraphOp graph, wfrt::TraceMode mode,
                                       ArrayRef<std::string> params);

/// One instance per op (wf.md §7.5, static): exact without region ops, the
/// may-influence of every run with them — a region argument stands for the
/// operand it iterates over, a structured node's parents are all its
/// bodies' yields (and, in full mode, the conditions).
wfrt::TraceGraph buildTemplateTraceGraph(GraphOp graph, wfrt::TraceMode mode,
                                         ArrayRef<std::string> params);

} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_TRANSFORMS_BUILDTRACESNAPSHOT_H

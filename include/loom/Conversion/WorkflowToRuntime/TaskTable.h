//===- TaskTable.h - wf graphs to the runtime's task tables -----*- C++ -*-===//
//
// wf.md §8.1: each wf.graph becomes a task table, each region a sub-table.
// loom-run executes the tables of a .mlir module directly; loom-compile
// embeds their encoding in the library it builds.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_WORKFLOWTORUNTIME_TASKTABLE_H
#define LOOM_CONVERSION_WORKFLOWTORUNTIME_TASKTABLE_H

#include "loom/Runtime/Workflow/Program.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::loom::wf {

/// Builds the task tables of every wf.graph in `module`; an op the runtime
/// cannot run yet gets a located error.
FailureOr<wfrt::Program> buildTaskTables(ModuleOp module);

/// Whether `module` holds graphs that need the workflow runtime (LLM, tool,
/// code or text nodes) rather than only tensor computations.
bool needsWorkflowRuntime(ModuleOp module);

} // namespace mlir::loom::wf

#endif // LOOM_CONVERSION_WORKFLOWTORUNTIME_TASKTABLE_H

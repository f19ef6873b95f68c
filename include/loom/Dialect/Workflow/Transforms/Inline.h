//===- Inline.h - wf-inline as a function -----------------------*- C++ -*-===//
//
// wf-extract-trace's full mode sees through calls exactly as the graph
// looks after wf-inline (wf.md C6), on a copy of the module.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_WORKFLOW_TRANSFORMS_INLINE_H
#define LOOM_DIALECT_WORKFLOW_TRANSFORMS_INLINE_H

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::loom::wf {

/// Inlines every non-recursive, non-`noinline` `wf.call` of the graphs of
/// `module`, transitively, ids scoped by the call (`wf-inline`).
void inlineCalls(ModuleOp module);

} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_TRANSFORMS_INLINE_H

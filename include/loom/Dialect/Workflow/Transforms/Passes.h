//===- Passes.h - wf dialect passes -----------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_WORKFLOW_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_WORKFLOW_TRANSFORMS_PASSES_H

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::loom::wf {

#define GEN_PASS_DECL
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"

} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_TRANSFORMS_PASSES_H

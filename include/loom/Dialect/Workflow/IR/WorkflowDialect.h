//===- WorkflowDialect.h - wf dialect, attributes and types -----*- C++ -*-===//
#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWDIALECT_H
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "loom/Dialect/Workflow/IR/WorkflowDialect.h.inc"
#include "loom/Dialect/Workflow/IR/WorkflowEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowTypes.h.inc"

namespace mlir::loom::wf {
/// The resource every workflow node reads and writes (see WorkflowOps.td).
struct NodeResource : public SideEffects::Resource::Base<NodeResource> {
  StringRef getName() final { return "wf.node"; }
};
} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWDIALECT_H

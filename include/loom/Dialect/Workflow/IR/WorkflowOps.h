//===- WorkflowOps.h - wf dialect operations --------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_H
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_H

#include "loom/Dialect/Workflow/IR/WorkflowDialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include "loom/Dialect/Workflow/IR/WorkflowInterfaces.h.inc"

#define GET_OP_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowOps.h.inc"

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_H

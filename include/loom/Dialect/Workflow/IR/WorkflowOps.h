//===- WorkflowOps.h - wf dialect operations --------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_H
#define LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_H

#include "loom/Dialect/Workflow/IR/WorkflowDialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <tuple>

namespace mlir::loom::wf {
/// What an LLM request carries beside its prompt: max_tokens, temperature,
/// stop strings and seed (CompletionOpInterface::getSamplingKey).
using SamplingKey = std::tuple<uint64_t, Attribute, Attribute, Attribute>;
} // namespace mlir::loom::wf

#include "loom/Dialect/Workflow/IR/WorkflowInterfaces.h.inc"

#define GET_OP_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowOps.h.inc"

namespace mlir::loom::wf {

/// The text a template segment contributes before run time: a text
/// segment's own, a parameter's initial text (an optimizer may change it);
/// empty for an operand or a parameter that holds no text.
StringRef staticSegmentText(SegAttr seg, SymbolTable &symbols);

} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_IR_WORKFLOWOPS_H

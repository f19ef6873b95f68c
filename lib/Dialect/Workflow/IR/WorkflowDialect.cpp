//===- WorkflowDialect.cpp - wf dialect, attributes and types -------------===//

#include "loom/Dialect/Workflow/IR/WorkflowDialect.h"
#include "loom/Dialect/Workflow/IR/WorkflowOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom::wf;

#include "loom/Dialect/Workflow/IR/WorkflowDialect.cpp.inc"
#include "loom/Dialect/Workflow/IR/WorkflowEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "loom/Dialect/Workflow/IR/WorkflowTypes.cpp.inc"

void WfDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "loom/Dialect/Workflow/IR/WorkflowAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "loom/Dialect/Workflow/IR/WorkflowTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "loom/Dialect/Workflow/IR/WorkflowOps.cpp.inc"
      >();
}

LogicalResult ListType::verify(function_ref<InFlightDiagnostic()> emitError,
                               Type element) {
  if (isa<TextType, ListType>(element) || element.isInteger(1) ||
      element.isInteger(64) || element.isF64())
    return success();
  return emitError() << "!wf.list elements must be !wf.text, i1, i64, f64 or "
                        "a list, got "
                     << element;
}

LogicalResult RetryAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t maxAttempts, int64_t backoffMs) {
  if (maxAttempts < 1)
    return emitError() << "max_attempts must be >= 1, got " << maxAttempts;
  if (backoffMs < 0)
    return emitError() << "backoff_ms must be >= 0, got " << backoffMs;
  return success();
}

Attribute SegAttr::parse(AsmParser &parser, Type) {
  MLIRContext *ctx = parser.getContext();
  StringRef keyword;
  if (parser.parseLess() || parser.parseKeyword(&keyword))
    return {};
  SegAttr seg;
  if (keyword == "text") {
    std::string text;
    if (parser.parseString(&text))
      return {};
    seg = SegAttr::get(ctx, SegKind::Text, text, 0, nullptr);
  } else if (keyword == "operand") {
    int64_t index;
    if (parser.parseInteger(index))
      return {};
    seg = SegAttr::get(ctx, SegKind::Operand, "", index, nullptr);
  } else if (keyword == "param") {
    FlatSymbolRefAttr param;
    if (parser.parseAttribute(param))
      return {};
    seg = SegAttr::get(ctx, SegKind::Param, "", 0, param);
  } else {
    parser.emitError(parser.getNameLoc())
        << "expected 'text', 'operand' or 'param' segment, got '" << keyword
        << "'";
    return {};
  }
  if (parser.parseGreater())
    return {};
  return seg;
}

void SegAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifySegKind(getKind()) << " ";
  switch (getKind()) {
  case SegKind::Text:
    printer.printString(getText());
    break;
  case SegKind::Operand:
    printer << getIndex();
    break;
  case SegKind::Param:
    printer.printAttribute(getParam());
    break;
  }
  printer << ">";
}

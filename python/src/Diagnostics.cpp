//===- Diagnostics.cpp - MLIR diagnostics as Python exceptions ------------===//

#include "Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom::python;

namespace {

/// The Python (or MLIR source) position inside `loc`: ops built from Python
/// carry a file:line:col, possibly under a name or a call site.
std::optional<FileLineColLoc> sourcePosition(Location loc) {
  return llvm::TypeSwitch<LocationAttr, std::optional<FileLineColLoc>>(loc)
      .Case([](FileLineColLoc l) { return l; })
      .Case([](NameLoc l) { return sourcePosition(l.getChildLoc()); })
      .Case([](CallSiteLoc l) { return sourcePosition(l.getCallee()); })
      .Case([](FusedLoc l) -> std::optional<FileLineColLoc> {
        for (Location inner : l.getLocations())
          if (auto position = sourcePosition(inner))
            return position;
        return std::nullopt;
      })
      .Default([](LocationAttr) { return std::nullopt; });
}

const char *severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}

void print(const Diagnostic &diag, llvm::raw_ostream &os) {
  if (auto position = sourcePosition(diag.getLocation()))
    os << position->getFilename().getValue() << ":" << position->getLine()
       << ":" << position->getColumn() << ": ";
  os << severityName(diag.getSeverity()) << ": " << diag.str() << "\n";
  for (const Diagnostic &note : diag.getNotes())
    print(note, os);
}

} // namespace

DiagnosticCollector::DiagnosticCollector(MLIRContext *context)
    : handler(context, [this](Diagnostic &diag) {
        llvm::raw_string_ostream os(text);
        print(diag, os);
        return success();
      }) {}

void DiagnosticCollector::raise(const std::string &fallback) const {
  std::string message = text;
  if (!fallback.empty())
    message += fallback + "\n";
  if (message.empty())
    message = "failed without a diagnostic\n";
  message.pop_back();
  throw CompileError(message);
}

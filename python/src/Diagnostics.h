//===- Diagnostics.h - MLIR diagnostics as Python exceptions ----*- C++ -*-===//
#ifndef LOOM_PYTHON_DIAGNOSTICS_H
#define LOOM_PYTHON_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

#include <stdexcept>
#include <string>

namespace mlir::loom::python {

/// What Python sees as loom.CompileError: every diagnostic of the failed
/// step, each as "file:line:col: error: message" with its notes.
struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Collects the diagnostics emitted while it lives, instead of printing
/// them, and turns them into a CompileError.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(mlir::MLIRContext *context);

  /// Throws a CompileError with the collected diagnostics and `fallback`
  /// (for failures that emitted none, or a message from outside the IR).
  [[noreturn]] void raise(const std::string &fallback = "") const;

private:
  std::string text;
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace mlir::loom::python

#endif // LOOM_PYTHON_DIAGNOSTICS_H

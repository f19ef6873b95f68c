//===- Python.h - Code parameters run by embedded CPython -------*- C++ -*-===//
//
// wf.md §8.2: a trainable `code` parameter holds Python source, so an
// optimizer can rewrite it between runs (Trace's code parameters). A
// runtime built with LOOM_ENABLE_PYTHON runs it in one embedded CPython
// interpreter per process: each distinct source is executed once in a
// namespace of its own, and a node calls the function named as its def.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_PYTHON_H
#define LOOM_RUNTIME_WORKFLOW_PYTHON_H

#include "loom/Runtime/Workflow/Executor.h"

namespace mlir::loom::wfrt {

/// The hook for Bindings::python. Values map to str, int, float, bool and
/// list and back; the result must have the def's kind. A syntax error, a
/// missing function, an exception or a result of another kind is an error
/// value (`TypeName: message`), as Trace reports a failing code node.
PythonHook embeddedPython();

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_PYTHON_H

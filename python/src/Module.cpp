//===- Module.cpp - The _loom extension module ----------------------------===//

#include "Bindings.h"

PYBIND11_MODULE(_loom, m) {
  m.doc() = "Loom's compiler and runtime; use the `loom` package.";
  mlir::loom::python::bindIR(m);
  mlir::loom::python::bindCompiler(m);
  mlir::loom::python::bindRuntime(m);
}

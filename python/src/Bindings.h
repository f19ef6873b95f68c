//===- Bindings.h - The parts of the _loom extension ------------*- C++ -*-===//
//
// _loom is Loom's compiler and runtime for Python, in the style of Triton's
// own bindings: Python builds Loom IR through a builder that stamps every op
// with the Python file and line that created it, runs pass pipelines,
// compiles modules to model libraries, and runs those on numpy arrays.
// The pure-Python package `loom` is the API users see.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PYTHON_BINDINGS_H
#define LOOM_PYTHON_BINDINGS_H

#include <pybind11/pybind11.h>

namespace mlir::loom::python {

/// Context, Module, Builder, Block, Operation, Value, Type, Attribute.
void bindIR(pybind11::module_ &m);
/// Pass pipelines and compilation to a model library.
void bindCompiler(pybind11::module_ &m);
/// Model libraries run on numpy arrays.
void bindRuntime(pybind11::module_ &m);

} // namespace mlir::loom::python

#endif // LOOM_PYTHON_BINDINGS_H

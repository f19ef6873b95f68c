//===- IR.h - Handles on Loom IR for Python ---------------------*- C++ -*-===//
#ifndef LOOM_PYTHON_IR_H
#define LOOM_PYTHON_IR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>

namespace mlir::loom::python {

/// An MLIRContext with Loom's dialects and the upstream ones its pipelines
/// use, loaded. Every handle below keeps its context alive.
using ContextRef = std::shared_ptr<mlir::MLIRContext>;

struct PyContext {
  ContextRef context;
};

/// A module Python owns. Blocks, operations and values inside it are plain
/// pointers, valid while it lives (as in Triton's bindings): the Python
/// wrappers keep the module referenced.
struct PyModule {
  ContextRef context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace mlir::loom::python

#endif // LOOM_PYTHON_IR_H

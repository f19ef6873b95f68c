//===- OutlineCompute.h - wf.compute bodies as entry points -----*- C++ -*-===//
//
// wf.md §8.1: a wf.compute is outlined to a func.func that Loom's tensor
// pipeline compiles into the same library, where the runtime calls it
// through the model ABI (loom_run) like any entry point.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_WORKFLOWTORUNTIME_OUTLINECOMPUTE_H
#define LOOM_CONVERSION_WORKFLOWTORUNTIME_OUTLINECOMPUTE_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::loom::wf {

/// The attribute naming the entry point a wf.compute was outlined to.
constexpr const char kComputeEntryAttr[] = "wf.entry";

/// Moves each wf.compute body of `module`'s graphs into a public func.func
/// `__loom_wf_compute_<n>` whose arguments and results are the node's
/// tensors (static shape, rank >= 1) and its i1, i64 and f64 values boxed
/// in rank-0 tensors (the model ABI's unit), and names it on the op. Other
/// types (a rank-0 tensor, which would read as a scalar; a dynamic shape)
/// get a located error.
LogicalResult outlineComputeBodies(ModuleOp module);

} // namespace mlir::loom::wf

#endif // LOOM_CONVERSION_WORKFLOWTORUNTIME_OUTLINECOMPUTE_H

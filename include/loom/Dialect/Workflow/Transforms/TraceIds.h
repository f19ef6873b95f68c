//===- TraceIds.h - The Trace ids of a workflow graph -----------*- C++ -*-===//
//
// wf.md §7.1's node ids, computed from a graph (or read back from the
// attributes wf-assign-ids wrote), for the passes that name nodes.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_WORKFLOW_TRANSFORMS_TRACEIDS_H
#define LOOM_DIALECT_WORKFLOW_TRANSFORMS_TRACEIDS_H

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"

#include "llvm/ADT/MapVector.h"

namespace mlir::loom::wf {

/// The ids of one graph's nodes: its arguments, the parameters it
/// references (in order of first reference) and its node ops.
struct TraceIds {
  SmallVector<std::string> arguments;
  llvm::MapVector<StringAttr, std::string> params;
  DenseMap<Operation *, std::string> nodes;

  /// The ids `graph` carries (`wf-assign-ids` ran), or failure when it
  /// carries none.
  static FailureOr<TraceIds> read(GraphOp graph);
  /// The ids wf.md §7.1 gives `graph`'s nodes.
  static TraceIds compute(GraphOp graph);
  /// The ids `graph` carries, else the computed ones.
  static TraceIds of(GraphOp graph);
  /// Writes the ids onto `graph` as `wf-assign-ids` does: `wf.id` on the
  /// arguments, nodes and parameter reads, `wf.params` on the graph.
  void writeTo(GraphOp graph) const;
};

/// The parameters `op` references, in attribute order: a `wf.param.get`'s
/// symbol, `#wf.seg<param @p>` segments and `#wf.param_ref<@p>` values,
/// then the `source` code parameter of the definition a code node calls.
/// Definitions are looked up through `symbols`, which caches the module's
/// table: graphs of 10^5 nodes make 10^5 lookups.
SmallVector<FlatSymbolRefAttr> referencedParams(Operation *op,
                                                SymbolTableCollection &symbols);

} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_TRANSFORMS_TRACEIDS_H

//===- InstanceGraph.h - The Trace instance graph of a wf.graph -*- C++ -*-===//
//
// wf.md §7.1 at template level: one instance per op. Nodes are the graph's
// arguments, the parameters it references and its trace nodes; region
// arguments and wf.catch results alias the operand they stand for, and a
// structured node (map, replicate, if, while) collects its bodies' yields.
// Without region ops this is exactly the graph Trace records for one run.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_WORKFLOW_TRANSFORMS_INSTANCEGRAPH_H
#define LOOM_DIALECT_WORKFLOW_TRANSFORMS_INSTANCEGRAPH_H

#include "loom/Dialect/Workflow/IR/WorkflowOps.h"
#include "loom/Runtime/Workflow/TraceProblem.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::loom::wf {

using wfrt::TraceMode;

struct InstanceNode {
  std::string id;
  /// The name Trace's code view calls the node by (`base(...)`).
  std::string base;
  /// The node op; null for arguments and parameters.
  Operation *op = nullptr;
  /// The parameter of a parameter node.
  ParamOp param;
  Type type;
  /// Parents in Trace's order (data operands, then parameters referenced
  /// by attributes), each with the input name it binds.
  SmallVector<unsigned> parents;
  /// The value each parent edge reads: an operand, a yield or a condition;
  /// null for a parameter referenced by an attribute.
  SmallVector<Value> parentValues;
  SmallVector<std::string> inputNames;
  /// Whether the edge from each parent carries a token (full mode).
  SmallVector<bool> tokenEdges;
  /// The nodes that have this one as a parent; for a hidden parameter, the
  /// calls that read it.
  SmallVector<unsigned> children;
  /// trace-compat, a `wf.call`: the parameters its callee reads (wf.md C6:
  /// Trace sees a call as one node, its parameters as hidden
  /// dependencies). They influence the call, but are no parents: they stay
  /// out of ancestors, trace graphs and problems.
  SmallVector<unsigned> hiddenParams;
  /// 0 without parents, else 1 + the largest parent level.
  int64_t level = 0;
};

class InstanceGraph {
public:
  static InstanceGraph build(GraphOp graph, TraceMode mode);

  /// Nodes in source order: arguments, then textual pre-order with each
  /// parameter before its first reader.
  ArrayRef<InstanceNode> getNodes() const { return nodes; }
  /// The node whose value `v` is, if any.
  std::optional<unsigned> nodeOf(Value v) const;
  std::optional<unsigned> nodeOf(Operation *op) const;

private:
  GraphOp graph;
  std::vector<InstanceNode> nodes;
  DenseMap<Operation *, unsigned> opNodes;
  DenseMap<Attribute, unsigned> paramNodes;
};

} // namespace mlir::loom::wf

#endif // LOOM_DIALECT_WORKFLOW_TRANSFORMS_INSTANCEGRAPH_H

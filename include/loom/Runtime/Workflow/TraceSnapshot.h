//===- TraceSnapshot.h - The source graph a trace is taken on ---*- C++ -*-===//
//
// wf.md §7.5's source snapshot: the graph as wf-assign-ids named it, before
// any optimization, with its region structure kept. A region argument or
// result stays a reference: which instance it stands for depends on the
// run (the iteration, the branch taken, whether a catch caught). The
// compiler builds it (wf-extract-trace's `attach`), compiled libraries
// embed it, and the runtime instantiates it once per executed instance for
// a run's exact trace.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_TRACESNAPSHOT_H
#define LOOM_RUNTIME_WORKFLOW_TRACESNAPSHOT_H

#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/TraceProblem.h"

#include <map>

namespace mlir::loom::wfrt {

/// A value of the source graph: a node's, a region argument (`body`'s
/// argument `position`) or a region result; `None` for values that are no
/// node (a replicate's index).
struct SnapshotRef {
  enum class Kind : uint8_t { None, Node, RegionArg, RegionResult };
  Kind kind = Kind::None;
  int32_t index = -1;
  int32_t body = 0, position = 0;

  static SnapshotRef node(int32_t n) { return {Kind::Node, n, 0, 0}; }
};

struct SnapshotEdge {
  SnapshotRef ref;
  std::string name;
  bool token = false;
};

struct SnapshotNode {
  /// Everything but the parents: id, base, type, the static value (a
  /// constant's, a parameter's initial one, else `?`).
  TraceNode info;
  /// A parameter node's symbol.
  std::string param;
  /// The region (index into TraceSnapshot::regions) and body the node is
  /// in; -1 at the graph's top level.
  int32_t region = -1, body = 0;
  /// Operands, then parameters referenced by attributes. A node owning a
  /// region (map, replicate, if, while) has none: its parents come from
  /// its region.
  std::vector<SnapshotEdge> parents;
  std::vector<int32_t> hiddenParams;
  int32_t owns = -1;
};

struct SnapshotRegion {
  enum class Kind : uint8_t { Map, Replicate, If, While, Catch };
  Kind kind;
  /// The node that collects or merges it; -1 for a catch, which is none.
  int32_t node = -1;
  int32_t region = -1, body = 0;
  /// A catch's place in source order: the first node after it.
  int32_t position = 0;
  /// map: the list; if: the condition; while: the initial state; catch:
  /// the input.
  std::vector<SnapshotRef> operands;
  /// Per body, its terminator's operands (a while's condition body:
  /// the condition, then the state it forwards).
  std::vector<std::vector<SnapshotRef>> yields;
  /// replicate: the count; while: max_iters.
  int64_t count = 0;
};

struct TraceSnapshot {
  TraceMode mode = TraceMode::Full;
  /// Arguments first, then source order with each parameter before its
  /// first reader.
  std::vector<SnapshotNode> nodes;
  std::vector<SnapshotRegion> regions;
  /// The feedback outputs and their texts (`None`: given by the
  /// environment).
  std::vector<SnapshotRef> outputs, feedback;
  /// `#Documentation` per base.
  std::map<std::string, std::string> documentation;
};

Json snapshotToJson(const TraceSnapshot &snapshot);
/// False with `error` if `json` is not a snapshot with valid references.
bool snapshotFromJson(const Json &json, TraceSnapshot &snapshot,
                      std::string &error);

/// What a run gives the instances: argument values, parameters as the run
/// read them, the value log, and the text for feedback the graph does not
/// compute.
struct RunValues {
  const std::vector<Value> &args;
  const Program &program;
  const std::map<std::string, Value> &overrides;
  const RunResult &run;
  const std::string &feedbackText;
};

/// The instances the run executed (wf.md §7.1): iterations as many as it
/// ran, the branches it took, a catch's fallback if it ran; a node whose
/// input failed never ran and is absent, and an output that never ran is
/// replaced by the instance that failed. Values from the value log.
TraceGraph instantiateRun(const TraceSnapshot &snapshot,
                          const RunValues &values);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_TRACESNAPSHOT_H

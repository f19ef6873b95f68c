//===- TraceProblem.h - Trace's backward and OptoPrime's problem -*- C++ -*-=//
//
// wf.md §7.2-7.3 on an instance graph given as plain data: the compiler's
// wf-extract-trace (one instance per op) and the runtime (the instances a
// run executed) share this one algorithm, so a static trace and a run's
// trace cannot disagree on anything but the graph they are given.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_TRACEPROBLEM_H
#define LOOM_RUNTIME_WORKFLOW_TRACEPROBLEM_H

#include "loom/Runtime/Workflow/Json.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlir::loom::wfrt {

/// Trace's two views (wf.md §7.1): `TraceCompat` keeps data edges only;
/// `Full` adds token edges and the conditions of if/while merge nodes.
enum class TraceMode { TraceCompat, Full };

const char *traceModeName(TraceMode mode);
/// The mode `traceModeName` names, if any.
std::optional<TraceMode> parseTraceMode(std::string_view name);

struct TraceNode {
  enum class Kind : uint8_t { Argument, Param, Op };
  Kind kind = Kind::Op;
  std::string id;
  /// The name Trace's code view calls the node by (`base(...)`).
  std::string base;
  /// Python's name of the value's type (`str`, `int`, …).
  std::string type;
  /// The value as the problem prints it, `?` when unknown.
  std::string value = "?";
  /// Parameters: trainable, in the problem's P, and the constraint text.
  bool trainable = false, selected = false;
  std::string constraint;
  /// Parents in Trace's order, each with the input name it binds.
  std::vector<uint32_t> parents;
  std::vector<std::string> inputNames;
  /// trace-compat, a `wf.call`: the parameters its callee reads (wf.md
  /// C6). They influence the call but are no parents: they stay out of
  /// ancestors, trace graphs and problems.
  std::vector<uint32_t> hiddenParams;
};

/// An instance graph with its outputs: nodes in source order (a
/// topological order is not required).
struct TraceGraph {
  std::vector<TraceNode> nodes;
  /// The feedback outputs O and, per output, its feedback text (`?` when
  /// unknown).
  std::vector<uint32_t> outputs;
  std::vector<std::string> feedback;
  /// The node each feedback text is, -1 for one the environment gives.
  std::vector<int64_t> feedbackNodes;
  /// `#Documentation` per base: what its definition or kind does.
  std::map<std::string, std::string> documentation;
};

/// `{mode, influence, graphs, problem}` of wf.md §7.2-7.3 for P = the
/// selected parameters; the influence covers every trainable one. Levels
/// are over the whole graph (Trace's `_add_parent` rule).
Json traceProblem(const TraceGraph &graph, TraceMode mode);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_TRACEPROBLEM_H

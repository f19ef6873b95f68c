//===- TraceValues.cpp - The trace of one run -----------------------------===//

#include "loom/Runtime/Workflow/TraceValues.h"
#include "loom/Runtime/Workflow/Json.h"
#include "loom/Runtime/Workflow/TraceSnapshot.h"

namespace mlir::loom::wfrt {

std::string pyName(std::string_view id) {
  std::string name;
  for (char c : id) {
    if (c == ':')
      continue;
    name += (c == '/' || c == '[' || c == ']') ? '_' : c;
  }
  return name;
}

bool runTrace(std::string_view snapshots, const std::string &graph,
              TraceMode mode, const std::vector<Value> &args,
              const Program &program,
              const std::map<std::string, Value> &overrides,
              const RunResult &run, const std::string &feedbackText,
              std::string &out, std::string &error) {
  Json root;
  if (!parseJson(snapshots, root, error)) {
    error = "the embedded trace snapshot is not JSON: " + error;
    return false;
  }
  const Json *entry = root.get(graph);
  const Json *json = entry ? entry->get(traceModeName(mode)) : nullptr;
  if (!json) {
    error = "no trace for graph '" + graph +
            "' (only graphs with wf.feedback have one)";
    return false;
  }
  TraceSnapshot snapshot;
  if (!snapshotFromJson(*json, snapshot, error))
    return false;
  TraceGraph instances = instantiateRun(
      snapshot, RunValues{args, program, overrides, run, feedbackText});
  out = writeJson(jsonObject().add(graph, traceProblem(instances, mode)));
  return true;
}

} // namespace mlir::loom::wfrt

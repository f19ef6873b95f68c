//===- ExtractTrace.cpp - The wf-extract-trace pass -----------------------===//
//
// Trace's backward (wf.md §7.2) and OptoPrime's problem (§7.3) on each
// graph's template instance graph (one instance per op); with `attach`,
// the graphs' snapshots instead, for a run to take its exact trace on.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/BuildTraceSnapshot.h"
#include "loom/Dialect/Workflow/Transforms/Inline.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFEXTRACTTRACE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;
namespace wfrt = mlir::loom::wfrt;
using mlir::loom::wfrt::Json;
using mlir::loom::wfrt::TraceMode;
using mlir::loom::wfrt::TraceSnapshot;

namespace {

/// wf.md C7: trace-compat merges the outputs under one feedback text, as
/// Trace asserts they are equal when it merges; texts that cannot be shown
/// equal (two nodes not both constants with one text, or a text beside
/// none) are an error at the second feedback.
LogicalResult checkOneFeedback(GraphOp graph, const wfrt::TraceGraph &g) {
  auto same = [&](size_t a, size_t b) {
    int64_t x = g.feedbackNodes[a], y = g.feedbackNodes[b];
    if (x < 0 || y < 0)
      return x == y;
    return x == y || (g.feedback[a] != "?" && g.feedback[a] == g.feedback[b]);
  };
  SmallVector<FeedbackOp> feedbackOps;
  graph.getBody().walk([&](FeedbackOp op) { feedbackOps.push_back(op); });
  for (size_t k = 1; k < g.feedback.size(); ++k)
    if (!same(0, k)) {
      InFlightDiagnostic diag =
          feedbackOps[k].emitError()
          << "trace-compat gives all outputs one feedback text, and this one "
             "may differ from the first output's; use mode=full for feedback "
             "per output";
      diag.attachNote(feedbackOps[0].getLoc()) << "the first output's";
      return failure();
    }
  return success();
}

/// wf.md C6: full mode sees through calls, exactly as the graphs look after
/// wf-inline — on a copy of the module, ids assigned first so that inlined
/// nodes get scoped ids. trace-compat keeps a call one node, its callee's
/// parameters hidden dependencies.
OwningOpRef<ModuleOp> inlinedCopy(ModuleOp module) {
  if (!module.walk([](CallOp) { return WalkResult::interrupt(); })
           .wasInterrupted())
    return {};
  OwningOpRef<ModuleOp> inlined = module.clone();
  for (auto graph : inlined->getOps<GraphOp>())
    if (failed(TraceIds::read(graph)))
      TraceIds::compute(graph).writeTo(graph);
  inlineCalls(*inlined);
  return inlined;
}

struct WfExtractTracePass
    : mlir::loom::wf::impl::WfExtractTraceBase<WfExtractTracePass> {
  using Base::Base;

  void runOnOperation() override {
    if (attach)
      return attachSnapshots();
    std::optional<TraceMode> traceMode = wfrt::parseTraceMode(mode);
    if (!traceMode) {
      emitError(getOperation().getLoc())
          << "wf-extract-trace: unknown mode '" << mode
          << "' (expected full or trace-compat)";
      return signalPassFailure();
    }
    ModuleOp source = getOperation();
    OwningOpRef<ModuleOp> inlined;
    if (*traceMode == TraceMode::Full && (inlined = inlinedCopy(source)))
      source = *inlined;
    // Graphs by name, as the problems list their members.
    std::vector<std::pair<std::string, Json>> graphs;
    for (auto graph : source.getOps<GraphOp>()) {
      wfrt::TraceGraph instances =
          buildTemplateTraceGraph(graph, *traceMode, params);
      if (instances.outputs.empty())
        continue;
      if (*traceMode == TraceMode::TraceCompat &&
          failed(checkOneFeedback(graph, instances)))
        return signalPassFailure();
      graphs.emplace_back(graph.getSymName().str(),
                          wfrt::traceProblem(instances, *traceMode));
    }
    llvm::sort(graphs, llvm::less_first());
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      emitError(getOperation().getLoc()) << "wf-extract-trace: " << error;
      return signalPassFailure();
    }
    file->os() << wfrt::writeJson(wfrt::jsonObject(std::move(graphs))) << "\n";
    file->keep();
    markAllAnalysesPreserved();
  }

  /// `wf.trace`: per graph with outputs, its snapshot in both modes.
  void attachSnapshots() {
    ModuleOp module = getOperation();
    OwningOpRef<ModuleOp> inlined = inlinedCopy(module);
    std::vector<std::pair<std::string, Json>> graphs;
    for (auto graph : module.getOps<GraphOp>()) {
      GraphOp full = inlined ? cast<GraphOp>(SymbolTable::lookupSymbolIn(
                                   *inlined, graph.getSymNameAttr()))
                             : graph;
      TraceSnapshot compat =
          buildTraceSnapshot(graph, TraceMode::TraceCompat, params);
      if (compat.outputs.empty())
        continue;
      Json snapshots = wfrt::jsonObject();
      snapshots
          .add("full", wfrt::snapshotToJson(
                           buildTraceSnapshot(full, TraceMode::Full, params)))
          .add("trace-compat", wfrt::snapshotToJson(compat));
      graphs.emplace_back(graph.getSymName().str(), std::move(snapshots));
    }
    if (!graphs.empty())
      module->setAttr(
          "wf.trace",
          StringAttr::get(&getContext(),
                          wfrt::writeJson(wfrt::jsonObject(std::move(graphs)),
                                          /*compact=*/true)));
    markAllAnalysesPreserved();
  }
};

} // namespace

//===- AssignIds.cpp - The wf-assign-ids pass -----------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFASSIGNIDS
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// Ids a graph already carries must stay unique: a later pass that copied
/// a node without giving the copy an origin would otherwise merge traces.
LogicalResult checkUnique(GraphOp graph, const TraceIds &ids) {
  llvm::StringMap<Location> seen;
  auto claim = [&](StringRef id, Location loc) -> LogicalResult {
    auto [it, inserted] = seen.try_emplace(id, loc);
    if (inserted)
      return success();
    InFlightDiagnostic diag = emitError(loc)
                              << "duplicate wf.id '" << id << "' in graph @"
                              << graph.getSymName();
    diag.attachNote(it->second) << "first given here";
    return diag;
  };
  for (StringRef id : ids.arguments)
    if (failed(claim(id, graph.getLoc())))
      return failure();
  for (auto &[param, id] : ids.params)
    if (failed(claim(id, graph.getLoc())))
      return failure();
  // In textual order, so that the first of two duplicates is reported first.
  WalkResult walk = graph.getBody().walk([&](TraceNodeOpInterface node) {
    auto it = ids.nodes.find(node);
    if (it != ids.nodes.end() && failed(claim(it->second, node->getLoc())))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

struct WfAssignIdsPass
    : mlir::loom::wf::impl::WfAssignIdsBase<WfAssignIdsPass> {
  void runOnOperation() override {
    for (auto graph : getOperation().getOps<GraphOp>()) {
      FailureOr<TraceIds> existing = TraceIds::read(graph);
      if (succeeded(existing)) {
        if (failed(checkUnique(graph, *existing)))
          return signalPassFailure();
        continue;
      }
      TraceIds::compute(graph).writeTo(graph);
    }
  }
};

} // namespace

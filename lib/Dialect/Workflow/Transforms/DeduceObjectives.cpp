//===- DeduceObjectives.cpp - The wf-deduce-objectives pass ---------------===//

#include "loom/Dialect/Workflow/Transforms/InstanceGraph.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/BitVector.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFDEDUCEOBJECTIVES
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

class Deduction {
public:
  explicit Deduction(GraphOp graph)
      : graph(graph), g(InstanceGraph::build(graph, TraceMode::Full)) {}

  void run() {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    Objective graphObjective =
        graph.getObjective().value_or(Objective::Latency);
    // Returned values carry the graph's objective; the others start at
    // throughput and become latency when a latency reader is found.
    std::vector<bool> latency(nodes.size(), false);
    SmallVector<unsigned> work;
    auto markLatency = [&](unsigned n) {
      if (!latency[n]) {
        latency[n] = true;
        work.push_back(n);
      }
    };
    if (graphObjective == Objective::Latency)
      for (Value v : graph.getBody().front().getTerminator()->getOperands())
        if (std::optional<unsigned> n = g.nodeOf(v))
          markLatency(*n);
    for (auto [i, node] : llvm::enumerate(nodes))
      if (node.children.empty() && graphObjective == Objective::Latency)
        markLatency(i);
    while (!work.empty()) {
      unsigned n = work.pop_back_val();
      for (unsigned parent : nodes[n].parents)
        markLatency(parent);
    }

    // Task groups, in source order of their map/replicate or consumer.
    std::vector<int64_t> group(nodes.size(), -1);
    int64_t groups = 0;
    for (auto [i, node] : llvm::enumerate(nodes)) {
      if (!node.op)
        continue;
      // A map or replicate body's calls run once per iteration: always a
      // group. Elsewhere, independent calls that one node reads.
      SmallVector<unsigned> members;
      bool iterated = isa<MapOp, ReplicateOp>(node.op);
      if (iterated) {
        node.op->walk([&](LlmOp llm) {
          if (std::optional<unsigned> m = g.nodeOf(llm.getOperation()))
            members.push_back(*m);
        });
      } else {
        for (unsigned parent : node.parents)
          if (isa_and_nonnull<LlmOp>(nodes[parent].op) &&
              !llvm::is_contained(members, parent))
            members.push_back(parent);
      }
      if (members.empty() ||
          (!iterated && (members.size() < 2 || !independent(members))))
        continue;
      for (unsigned m : members)
        if (group[m] < 0)
          group[m] = groups;
      ++groups;
    }

    Builder b(graph.getContext());
    for (auto [i, node] : llvm::enumerate(nodes)) {
      if (!node.op)
        continue;
      bool throughput = group[i] >= 0 || !latency[i];
      node.op->setAttr("wf.objective",
                       ObjectiveAttr::get(graph.getContext(),
                                          throughput ? Objective::Throughput
                                                     : Objective::Latency));
      if (group[i] >= 0)
        node.op->setAttr("wf.group", b.getI64IntegerAttr(group[i]));
    }
  }

private:
  /// Whether no member reaches another (a sweep over ancestors per
  /// member; groups are small).
  bool independent(ArrayRef<unsigned> members) const {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    for (unsigned m : members) {
      llvm::BitVector seen(nodes.size());
      SmallVector<unsigned> work(nodes[m].parents.begin(),
                                 nodes[m].parents.end());
      while (!work.empty()) {
        unsigned n = work.pop_back_val();
        if (seen.test(n))
          continue;
        seen.set(n);
        if (llvm::is_contained(members, n))
          return false;
        work.append(nodes[n].parents.begin(), nodes[n].parents.end());
      }
    }
    return true;
  }

  GraphOp graph;
  InstanceGraph g;
};

struct WfDeduceObjectivesPass
    : mlir::loom::wf::impl::WfDeduceObjectivesBase<WfDeduceObjectivesPass> {
  void runOnOperation() override {
    for (auto graph : getOperation().getOps<GraphOp>())
      Deduction(graph).run();
  }
};

} // namespace

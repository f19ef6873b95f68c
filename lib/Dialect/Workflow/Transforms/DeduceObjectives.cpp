//===- DeduceObjectives.cpp - The wf-deduce-objectives pass ---------------===//

#include "loom/Dialect/Workflow/Transforms/InstanceGraph.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

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
    // Task groups, in source order of their map/replicate or consumer.
    std::vector<int64_t> group(nodes.size(), -1);
    int64_t groups = 0;
    for (auto [i, node] : llvm::enumerate(nodes)) {
      if (!node.op)
        continue;
      // A map or replicate body's calls run once per iteration: always a
      // group. Elsewhere, the calls one node reads that no other of them
      // depends on, if there are two or more (a call they all build on,
      // like a shared design, finishes before the batch starts).
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
      if (!iterated)
        dropAncestors(members);
      if (members.empty() || (!iterated && members.size() < 2))
        continue;
      for (unsigned m : members)
        if (group[m] < 0)
          group[m] = groups;
      ++groups;
    }

    Objective graphObjective =
        graph.getObjective().value_or(Objective::Latency);
    // Returned values carry the graph's objective; the others start at
    // throughput and become latency when a latency reader is found. Group
    // members stay throughput, so latency does not pass through them: what
    // only feeds a batch is itself batched.
    std::vector<bool> latency(nodes.size(), false);
    SmallVector<unsigned> work;
    auto markLatency = [&](unsigned n) {
      if (!latency[n] && group[n] < 0) {
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
  /// Removes the members another member depends on, leaving mutually
  /// independent calls. An ancestor's level is below its descendant's, so
  /// each sweep stops at the lowest member level: in graphs of 10^5 nodes
  /// it sees a few layers, not the whole graph.
  void dropAncestors(SmallVector<unsigned> &members) {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    if (seenEpoch.size() != nodes.size())
      seenEpoch.assign(nodes.size(), 0);
    int64_t floor = nodes[members.front()].level;
    for (unsigned m : members)
      floor = std::min(floor, nodes[m].level);
    SmallVector<unsigned> reached;
    for (unsigned m : members) {
      ++epoch;
      SmallVector<unsigned> work(nodes[m].parents.begin(),
                                 nodes[m].parents.end());
      while (!work.empty()) {
        unsigned n = work.pop_back_val();
        if (seenEpoch[n] == epoch || nodes[n].level < floor)
          continue;
        seenEpoch[n] = epoch;
        if (llvm::is_contained(members, n))
          reached.push_back(n);
        work.append(nodes[n].parents.begin(), nodes[n].parents.end());
      }
    }
    llvm::erase_if(members,
                   [&](unsigned m) { return llvm::is_contained(reached, m); });
  }

  GraphOp graph;
  InstanceGraph g;
  std::vector<unsigned> seenEpoch;
  unsigned epoch = 0;
};

struct WfDeduceObjectivesPass
    : mlir::loom::wf::impl::WfDeduceObjectivesBase<WfDeduceObjectivesPass> {
  void runOnOperation() override {
    for (auto graph : getOperation().getOps<GraphOp>())
      Deduction(graph).run();
  }
};

} // namespace

//===- PrintDot.cpp - The wf-print-dot pass -------------------------------===//
//
// One Graphviz digraph per wf.graph, its nodes named by their Trace ids.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/InstanceGraph.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFPRINTDOT
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// `text` as a DOT string literal.
std::string quoted(StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

/// Fill colour per node kind (op mnemonic).
StringRef colorOf(StringRef kind) {
  return llvm::StringSwitch<StringRef>(kind)
      .Case("llm", "lightskyblue")
      .Case("tool", "orange")
      .Case("code", "palegreen")
      .Case("compute", "plum")
      .Cases({"format", "split", "join"}, "lightgrey")
      .Case("const", "white")
      .Cases({"map", "replicate", "if", "while", "call"}, "khaki")
      .Default("white");
}

class GraphPrinter {
public:
  GraphPrinter(GraphOp graph, raw_ostream &os)
      : graph(graph), g(InstanceGraph::build(graph, TraceMode::Full)), os(os) {}

  void print() {
    os << "digraph " << quoted(graph.getSymName()) << " {\n"
       << "  rankdir=TB;\n"
       << "  node [shape=box, style=\"rounded,filled\", "
          "fontname=\"Helvetica\"];\n";
    for (const InstanceNode &node : g.getNodes()) {
      if (node.op)
        continue;
      if (ParamOp param = node.param) {
        bool trainable = param.getTrainable();
        os << "  " << quoted(node.id) << " [label="
           << quoted(node.id +
                     (trainable ? "\ntrainable parameter" : "\nparameter"))
           << ", shape=note, fillcolor=" << (trainable ? "gold" : "lightyellow")
           << "];\n";
        continue;
      }
      os << "  " << quoted(node.id)
         << " [label=" << quoted(node.id + "\nargument")
         << ", shape=ellipse];\n";
    }
    printBlock(graph.getBody().front(), "  ");
    for (const InstanceNode &node : g.getNodes())
      for (auto [parent, token] : llvm::zip(node.parents, node.tokenEdges))
        os << "  " << quoted(g.getNodes()[parent].id) << " -> "
           << quoted(node.id) << (token ? " [style=dashed]" : "") << ";\n";
    for (const std::string &source : returned)
      os << "  " << quoted(source) << " -> \"return\";\n";
    for (auto &[stage, members] : stages) {
      os << "  { rank=same;";
      for (const std::string &id : members)
        os << " " << quoted(id) << ";";
      os << " }\n";
    }
    os << "}\n";
  }

private:
  void printBlock(Block &block, StringRef indent) {
    for (Operation &op : block) {
      std::optional<unsigned> index = g.nodeOf(&op);
      std::optional<std::string> id;
      if (index)
        id = g.getNodes()[*index].id;
      // Bodies of structured nodes (not wf.compute's tensor code) as
      // clusters.
      if (!isa<ComputeOp>(op))
        for (auto [r, region] : llvm::enumerate(op.getRegions())) {
          // A node's body is named by its id (and region number when it
          // has several); a wf.catch, which has no id, by a counter.
          std::string name =
              id ? *id + (op.getNumRegions() > 1 ? "#" + std::to_string(r)
                                                 : std::string())
                 : op.getName().stripDialect().str() + "#" +
                       std::to_string(unnamedClusters++);
          os << indent << "subgraph " << quoted("cluster_" + name) << " {\n"
             << indent << "  label=" << quoted(name) << ";\n"
             << indent << "  style=dashed;\n";
          for (Block &inner : region)
            printBlock(inner, (indent + "  ").str());
          os << indent << "}\n";
        }
      if (isa<ReturnOp>(op)) {
        os << indent << "\"return\" [shape=Msquare, fillcolor=white];\n";
        for (Value v : op.getOperands())
          if (std::optional<unsigned> source = g.nodeOf(v))
            returned.push_back(g.getNodes()[*source].id);
        continue;
      }
      if (auto feedback = dyn_cast<FeedbackOp>(op)) {
        if (std::optional<unsigned> out = g.nodeOf(feedback.getOutput()))
          os << indent << quoted(g.getNodes()[*out].id)
             << " [peripheries=2];\n";
        continue;
      }
      if (!id)
        continue;
      std::string label = *id;
      if (auto llm = dyn_cast<LlmOp>(op))
        label += "\n" + llm.getModel().str();
      if (auto sched = op.getAttrOfType<SchedAttr>("wf.sched")) {
        label += "\nstage " + std::to_string(sched.getStage());
        if (block.getParentOp() == graph)
          stages[sched.getStage()].push_back(*id);
      }
      os << indent << quoted(*id) << " [label=" << quoted(label)
         << ", fillcolor=" << colorOf(op.getName().stripDialect()) << "];\n";
    }
  }

  GraphOp graph;
  InstanceGraph g;
  raw_ostream &os;
  SmallVector<std::string> returned;
  std::map<int64_t, SmallVector<std::string>> stages;
  int64_t unnamedClusters = 0;
};

struct WfPrintDotPass : mlir::loom::wf::impl::WfPrintDotBase<WfPrintDotPass> {
  using Base::Base;

  void runOnOperation() override {
    std::unique_ptr<llvm::ToolOutputFile> file;
    raw_ostream *os = &llvm::errs();
    if (outputFile != "-") {
      std::string error;
      file = openOutputFile(outputFile, &error);
      if (!file) {
        emitError(getOperation().getLoc()) << "wf-print-dot: " << error;
        return signalPassFailure();
      }
      os = &file->os();
    }
    for (auto graph : getOperation().getOps<GraphOp>())
      GraphPrinter(graph, *os).print();
    if (file)
      file->keep();
    markAllAnalysesPreserved();
  }
};

} // namespace

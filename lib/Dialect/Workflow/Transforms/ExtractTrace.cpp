//===- ExtractTrace.cpp - The wf-extract-trace pass -----------------------===//
//
// Trace's backward (wf.md §7.2) and OptoPrime's problem (§7.3) on the
// instance graph: one reverse sweep per output and one forward sweep per
// parameter, as bit vectors over the nodes.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Inline.h"
#include "loom/Dialect/Workflow/Transforms/InstanceGraph.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"
#include "loom/Runtime/Workflow/TraceValues.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <tuple>

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFEXTRACTTRACE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;
using mlir::loom::wfrt::pyName;

namespace {

/// Python's name of a value type, as Trace prints it.
std::string pythonType(Type type) {
  if (!type)
    return "object";
  if (type.isInteger(1))
    return "bool";
  if (type.isInteger(64))
    return "int";
  if (type.isF64())
    return "float";
  if (isa<TextType>(type))
    return "str";
  if (isa<ListType>(type))
    return "list";
  return "object";
}

/// A statically known value: a constant's, or a parameter's initial one.
std::string staticValue(const InstanceNode &node) {
  Attribute value;
  if (ParamOp param = node.param)
    value = param.getInitialValue();
  else if (auto constant = dyn_cast_or_null<ConstOp>(node.op))
    value = constant.getValue();
  if (auto text = dyn_cast_or_null<StringAttr>(value))
    return text.str();
  if (auto integer = dyn_cast_or_null<IntegerAttr>(value))
    return integer.getType().isInteger(1)
               ? (integer.getInt() ? "True" : "False")
               : std::to_string(integer.getInt());
  if (auto real = dyn_cast_or_null<FloatAttr>(value))
    return std::to_string(real.getValueAsDouble());
  return "?";
}

/// The `#Documentation` text of a node: its definition's description, else
/// what its kind does.
std::string documentation(const InstanceNode &node) {
  auto traceNode = cast<TraceNodeOpInterface>(node.op);
  if (FlatSymbolRefAttr callee = traceNode.getCalleeSymbol())
    if (Operation *def = SymbolTable::lookupNearestSymbolFrom(node.op, callee))
      if (auto text = def->getAttrOfType<StringAttr>("description"))
        return text.str();
  return llvm::StringSwitch<std::string>(node.op->getName().stripDialect())
      .Case("llm", "One completion of a language model for the prompt its "
                   "inputs fill.")
      .Case("format", "Fills a text template with its inputs.")
      .Case("const", "A constant.")
      .Case("split", "Splits a text into chunks.")
      .Case("join", "Joins a list of texts.")
      .Case("compute", "A tensor computation.")
      .Case("map", "Applies its body to every element of a list.")
      .Case("replicate", "Samples its body several times.")
      .Case("if", "Chooses one of two branches.")
      .Case("while", "Repeats its body while a condition holds.")
      .Default("Calls @" + node.base + ".");
}

class Extraction {
public:
  Extraction(GraphOp graph, TraceMode mode, ArrayRef<std::string> params)
      : graph(graph), mode(mode), g(InstanceGraph::build(graph, mode)) {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    for (auto [i, node] : llvm::enumerate(nodes)) {
      ParamOp param = node.param;
      if (param && param.getTrainable())
        trainable.push_back(i);
      if (param && (params.empty() ? param.getTrainable()
                                   : llvm::is_contained(params, node.base)))
        parameters.push_back(i);
    }
    graph.getBody().walk([&](FeedbackOp feedback) {
      if (std::optional<unsigned> out = g.nodeOf(feedback.getOutput())) {
        outputs.push_back(*out);
        feedbackOps.push_back(feedback);
        feedbackText.push_back(feedback.getFeedback()
                                   ? g.nodeOf(feedback.getFeedback())
                                   : std::nullopt);
      }
    });
  }

  bool hasOutputs() const { return !outputs.empty(); }

  /// wf.md C7: trace-compat merges the outputs under one feedback text, as
  /// Trace asserts they are equal when it merges; texts that cannot be
  /// shown equal (two nodes not both constants with one value, or a text
  /// beside none) are an error at the second feedback.
  LogicalResult checkOneFeedback() const {
    if (mode != TraceMode::TraceCompat)
      return success();
    ArrayRef<InstanceNode> nodes = g.getNodes();
    auto same = [&](std::optional<unsigned> a, std::optional<unsigned> b) {
      if (!a || !b)
        return a == b;
      std::string x = staticValue(nodes[*a]), y = staticValue(nodes[*b]);
      return *a == *b || (x != "?" && x == y);
    };
    for (size_t k = 1; k < feedbackText.size(); ++k)
      if (!same(feedbackText[0], feedbackText[k])) {
        FeedbackOp second = feedbackOps[k], first = feedbackOps[0];
        InFlightDiagnostic diag =
            second.emitError()
            << "trace-compat gives all outputs one feedback text, and this "
               "one may differ from the first output's; use mode=full for "
               "feedback per output";
        diag.attachNote(first.getLoc()) << "the first output's";
        return failure();
      }
    return success();
  }

  llvm::json::Object run() {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    llvm::json::Object influence, traceGraphs;
    for (auto [o, influencing] : llvm::zip(outputs, influencers()))
      influence[nodes[o].id] = llvm::json::Array(llvm::map_range(
          influencing, [&](unsigned p) { return nodes[p].id; }));
    // The trace graphs of P: one forward sweep per parameter, one reverse
    // sweep per output.
    llvm::BitVector all(nodes.size());
    SmallVector<llvm::BitVector> desc = llvm::map_to_vector(
        parameters, [&](unsigned p) { return sweep(p, /*up=*/false); });
    for (unsigned o : outputs) {
      llvm::BitVector anc = sweep(o, /*up=*/true);
      for (auto [p, reached] : llvm::zip(parameters, desc)) {
        llvm::BitVector onPath = reached;
        onPath &= anc;
        if (onPath.none())
          continue;
        llvm::BitVector traceGraph = onPath;
        for (unsigned n : onPath.set_bits())
          for (unsigned parent : nodes[n].parents)
            traceGraph.set(parent);
        all |= traceGraph;
        llvm::json::Array members;
        for (unsigned n : ordered(traceGraph))
          members.push_back(llvm::json::Array{nodes[n].level, nodes[n].id});
        traceGraphs[nodes[o].id + "|" + nodes[p].id] = std::move(members);
      }
    }
    llvm::json::Object result;
    result["mode"] = mode == TraceMode::Full ? "full" : "trace-compat";
    result["influence"] = std::move(influence);
    result["graphs"] = std::move(traceGraphs);
    result["problem"] = problem(all);
    result["sources"] = sources();
    return result;
  }

private:
  /// Per output, the trainable parameters that reach it. Influence is
  /// reachability, so 64 parameters share one forward sweep in level
  /// order, a 64-bit word per node (wf.md §7.5's cost).
  SmallVector<SmallVector<unsigned>> influencers() const {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    auto order = llvm::to_vector(llvm::seq<unsigned>(0, nodes.size()));
    llvm::sort(order, [&](unsigned a, unsigned b) {
      return std::pair(nodes[a].level, a) < std::pair(nodes[b].level, b);
    });
    // Nodes by their position in that order, parents flat: a sweep reads
    // memory in order.
    std::vector<unsigned> position(nodes.size()), start = {0}, parentAt;
    for (auto [pos, n] : llvm::enumerate(order))
      position[n] = pos;
    for (unsigned n : order) {
      for (unsigned parent : nodes[n].parents)
        parentAt.push_back(position[parent]);
      for (unsigned param : nodes[n].hiddenParams)
        parentAt.push_back(position[param]);
      start.push_back(parentAt.size());
    }
    SmallVector<SmallVector<unsigned>> result(outputs.size());
    std::vector<uint64_t> word(nodes.size());
    for (size_t base = 0; base < trainable.size(); base += 64) {
      std::fill(word.begin(), word.end(), 0);
      size_t chunk = std::min<size_t>(64, trainable.size() - base);
      for (size_t k = 0; k < chunk; ++k)
        word[position[trainable[base + k]]] |= uint64_t(1) << k;
      for (size_t pos = 0; pos < order.size(); ++pos)
        for (unsigned k = start[pos]; k < start[pos + 1]; ++k)
          word[pos] |= word[parentAt[k]];
      for (auto [o, list] : llvm::zip(outputs, result))
        for (size_t k = 0; k < chunk; ++k)
          if (word[position[o]] >> k & 1)
            list.push_back(trainable[base + k]);
    }
    return result;
  }

  /// anc (`up`) or desc of `start`, reflexive.
  llvm::BitVector sweep(unsigned start, bool up) const {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    llvm::BitVector seen(nodes.size());
    SmallVector<unsigned> work = {start};
    seen.set(start);
    while (!work.empty()) {
      unsigned n = work.pop_back_val();
      for (unsigned next : up ? ArrayRef<unsigned>(nodes[n].parents)
                              : ArrayRef<unsigned>(nodes[n].children))
        if (!seen.test(next)) {
          seen.set(next);
          work.push_back(next);
        }
    }
    return seen;
  }

  /// The members of `set` by (level, source order).
  SmallVector<unsigned> ordered(const llvm::BitVector &set) const {
    SmallVector<unsigned> members(set.set_bits());
    ArrayRef<InstanceNode> nodes = g.getNodes();
    llvm::sort(members, [&](unsigned a, unsigned b) {
      return std::pair(nodes[a].level, a) < std::pair(nodes[b].level, b);
    });
    return members;
  }

  /// Where the values the problem prints as `?` come from in a run:
  /// arguments by position, parameters by symbol, feedback by node.
  llvm::json::Object sources() const {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    llvm::json::Array arguments, feedback;
    llvm::json::Object params;
    for (const InstanceNode &node : nodes) {
      if (node.param)
        params[node.id] = node.base;
      else if (!node.op)
        arguments.push_back(node.id);
    }
    for (std::optional<unsigned> text : feedbackText)
      feedback.push_back(text ? llvm::json::Value(nodes[*text].id)
                              : llvm::json::Value(nullptr));
    return llvm::json::Object{{"arguments", std::move(arguments)},
                              {"parameters", std::move(params)},
                              {"feedback", std::move(feedback)}};
  }

  std::string entry(unsigned n) const {
    const InstanceNode &node = g.getNodes()[n];
    return "(" + pythonType(node.type) + ") " + pyName(node.id) + "=" +
           staticValue(node);
  }

  /// OptoPrime's sections over the union `u` of the trace graphs.
  llvm::json::Object problem(const llvm::BitVector &u) const {
    ArrayRef<InstanceNode> nodes = g.getNodes();
    SmallVector<unsigned> members = ordered(u);
    int64_t depth = 0;
    for (unsigned n : members)
      depth = std::max(depth, nodes[n].level);
    llvm::json::Array variables, inputs, others, outs, constraints, feedback;
    // (level, line, node) per intermediate, sorted as OptoPrime prints.
    SmallVector<std::tuple<int64_t, std::string, unsigned>> code;
    for (unsigned n : members) {
      const InstanceNode &node = nodes[n];
      bool intermediate =
          !node.parents.empty() &&
          llvm::all_of(node.parents, [&](unsigned p) { return u.test(p); });
      if (!intermediate) {
        bool variable = llvm::is_contained(parameters, n);
        (variable ? variables : inputs).push_back(entry(n));
        ParamOp param = node.param;
        if (StringAttr constraint =
                variable ? param.getConstraintAttr() : StringAttr())
          constraints.push_back("(" + pythonType(node.type) + ") " +
                                pyName(node.id) + ": " + constraint.str());
        continue;
      }
      bool output = mode == TraceMode::Full ? llvm::is_contained(outputs, n)
                                            : node.level == depth;
      (output ? outs : others).push_back(entry(n));
      std::string line = pyName(node.id) + " = " + node.base + "(";
      for (auto [i, parent] : llvm::enumerate(node.parents))
        line += (i ? ", " : "") + node.inputNames[i] + "=" +
                pyName(nodes[parent].id);
      code.push_back({node.level, line + ")", n});
    }
    llvm::sort(code);
    llvm::json::Array codeLines, docs;
    llvm::StringSet<> documented;
    for (auto &[level, line, n] : code) {
      codeLines.push_back(line);
      if (documented.insert(nodes[n].base).second)
        docs.push_back("[" + nodes[n].base + "] " + documentation(nodes[n]));
    }
    // trace-compat: the one text checkOneFeedback allowed.
    for (auto [o, text] : llvm::zip(outputs, feedbackText)) {
      std::string value = text ? staticValue(nodes[*text]) : "?";
      feedback.push_back(
          mode == TraceMode::Full ? pyName(nodes[o].id) + ": " + value : value);
      if (mode == TraceMode::TraceCompat)
        break;
    }
    llvm::json::Object sections;
    sections["variables"] = std::move(variables);
    sections["inputs"] = std::move(inputs);
    sections["others"] = std::move(others);
    sections["outputs"] = std::move(outs);
    sections["code"] = std::move(codeLines);
    sections["documentation"] = std::move(docs);
    sections["constraints"] = std::move(constraints);
    sections["feedback"] = std::move(feedback);
    return sections;
  }

  GraphOp graph;
  TraceMode mode;
  InstanceGraph g;
  SmallVector<unsigned> parameters, trainable, outputs;
  SmallVector<std::optional<unsigned>> feedbackText;
  SmallVector<FeedbackOp> feedbackOps;
};

struct WfExtractTracePass
    : mlir::loom::wf::impl::WfExtractTraceBase<WfExtractTracePass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<TraceMode> traceMode =
        llvm::StringSwitch<std::optional<TraceMode>>(mode)
            .Case("full", TraceMode::Full)
            .Case("trace-compat", TraceMode::TraceCompat)
            .Default(std::nullopt);
    if (!traceMode) {
      getOperation().emitError() << "wf-extract-trace: unknown mode '" << mode
                                 << "' (expected full or trace-compat)";
      return signalPassFailure();
    }
    // wf.md C6: full mode sees through calls, exactly as the graphs look
    // after wf-inline — on a copy of the module, ids assigned first so
    // that inlined nodes get scoped ids. trace-compat keeps a call one
    // node, its callee's parameters hidden dependencies.
    ModuleOp source = getOperation();
    OwningOpRef<ModuleOp> inlined;
    if (*traceMode == TraceMode::Full &&
        source.walk([](CallOp) { return WalkResult::interrupt(); })
            .wasInterrupted()) {
      inlined = source.clone();
      for (auto graph : inlined->getOps<GraphOp>())
        if (failed(TraceIds::read(graph)))
          TraceIds::compute(graph).writeTo(graph);
      inlineCalls(*inlined);
      source = *inlined;
    }
    llvm::json::Object result;
    for (auto graph : source.getOps<GraphOp>()) {
      Extraction extraction(graph, *traceMode, params);
      if (!extraction.hasOutputs())
        continue;
      if (failed(extraction.checkOneFeedback()))
        return signalPassFailure();
      result[graph.getSymName()] = extraction.run();
    }
    if (attach) {
      if (!result.empty())
        getOperation()->setAttr(
            "wf.trace",
            StringAttr::get(
                &getContext(),
                llvm::formatv("{0}", llvm::json::Value(std::move(result)))));
      return markAllAnalysesPreserved();
    }
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(outputFile, &error);
    if (!file) {
      getOperation().emitError() << "wf-extract-trace: " << error;
      return signalPassFailure();
    }
    file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(result)))
               << "\n";
    file->keep();
    markAllAnalysesPreserved();
  }
};

} // namespace

//===- BuildTraceSnapshot.cpp - A wf.graph's trace snapshot ---------------===//

#include "loom/Dialect/Workflow/Transforms/BuildTraceSnapshot.h"
#include "loom/Dialect/Workflow/Transforms/InstanceGraph.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::loom::wf;
namespace wfrt = mlir::loom::wfrt;
using mlir::loom::wfrt::SnapshotRef;
using mlir::loom::wfrt::SnapshotRegion;
using mlir::loom::wfrt::TraceSnapshot;

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
  if (isa<RankedTensorType>(type))
    return "ndarray";
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
std::string documentation(const InstanceNode &node,
                          SymbolTableCollection &symbols) {
  auto traceNode = cast<TraceNodeOpInterface>(node.op);
  if (FlatSymbolRefAttr callee = traceNode.getCalleeSymbol())
    if (Operation *def = symbols.lookupNearestSymbolFrom(node.op, callee))
      if (auto text = def->getAttrOfType<StringAttr>("description"))
        return text.str();
  StringRef kind =
      llvm::StringSwitch<StringRef>(node.op->getName().stripDialect())
          .Case("llm", "One completion of a language model for the prompt "
                       "its inputs fill.")
          .Case("format", "Fills a text template with its inputs.")
          .Case("const", "A constant.")
          .Case("split", "Splits a text into chunks.")
          .Case("join", "Joins a list of texts.")
          .Case("compute", "A tensor computation.")
          .Case("map", "Applies its body to every element of a list.")
          .Case("replicate", "Samples its body several times.")
          .Case("if", "Chooses one of two branches.")
          .Case("while", "Repeats its body while a condition holds.")
          .Default("");
  return kind.empty() ? "Calls @" + node.base + "." : kind.str();
}

std::optional<SnapshotRegion::Kind> regionKind(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<SnapshotRegion::Kind>>(op)
      .Case([](MapOp) { return SnapshotRegion::Kind::Map; })
      .Case([](ReplicateOp) { return SnapshotRegion::Kind::Replicate; })
      .Case([](IfOp) { return SnapshotRegion::Kind::If; })
      .Case([](WhileOp) { return SnapshotRegion::Kind::While; })
      .Case([](CatchOp) { return SnapshotRegion::Kind::Catch; })
      .Default([](Operation *) { return std::nullopt; });
}

class SnapshotBuilder {
public:
  SnapshotBuilder(GraphOp graph, wfrt::TraceMode mode)
      : graph(graph), mode(mode), g(InstanceGraph::build(graph, mode)) {}

  TraceSnapshot build(ArrayRef<std::string> params) {
    s.mode = mode;
    // Regions in pre-order; a catch's place is the node after it.
    SmallVector<int32_t> unplaced;
    graph.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (std::optional<unsigned> node = g.nodeOf(op)) {
        for (int32_t r : unplaced)
          s.regions[r].position = *node;
        unplaced.clear();
      }
      std::optional<SnapshotRegion::Kind> kind = regionKind(op);
      if (!kind)
        return;
      regionOf[op] = s.regions.size();
      if (*kind == SnapshotRegion::Kind::Catch)
        unplaced.push_back(s.regions.size());
      s.regions.emplace_back().kind = *kind;
    });
    for (int32_t r : unplaced)
      s.regions[r].position = g.getNodes().size();
    for (auto [op, r] : regionOf)
      describeRegion(op, s.regions[r]);

    s.nodes.reserve(g.getNodes().size());
    for (const InstanceNode &node : g.getNodes()) {
      wfrt::SnapshotNode &n = s.nodes.emplace_back();
      n.info = nodeInfo(node, params, s.documentation);
      for (unsigned h : node.hiddenParams)
        n.hiddenParams.push_back(h);
      if (node.param)
        n.param = node.base;
      if (!node.op)
        continue;
      std::tie(n.region, n.body) = enclosing(node.op);
      auto owned = regionOf.find(node.op);
      if (owned != regionOf.end()) {
        n.owns = owned->second;
        continue;
      }
      // The instance graph's parents, each kept as the value it reads: a
      // region argument or result stays a reference.
      for (auto [parent, value, name, token] :
           llvm::zip(node.parents, node.parentValues, node.inputNames,
                     node.tokenEdges))
        n.parents.push_back(
            {value ? refOf(value) : SnapshotRef::node(parent), name, token});
    }
    graph.getBody().walk([&](FeedbackOp feedback) {
      SnapshotRef out = refOf(feedback.getOutput());
      if (out.kind == SnapshotRef::Kind::None)
        return;
      s.outputs.push_back(out);
      s.feedback.push_back(feedback.getFeedback()
                               ? refOf(feedback.getFeedback())
                               : SnapshotRef());
    });
    return std::move(s);
  }

  /// One instance per op: the instance graph itself.
  wfrt::TraceGraph templateGraph(ArrayRef<std::string> params) {
    wfrt::TraceGraph t;
    t.nodes.reserve(g.getNodes().size());
    for (const InstanceNode &node : g.getNodes()) {
      wfrt::TraceNode &n =
          t.nodes.emplace_back(nodeInfo(node, params, t.documentation));
      n.parents.assign(node.parents.begin(), node.parents.end());
      n.inputNames.assign(node.inputNames.begin(), node.inputNames.end());
      n.hiddenParams.assign(node.hiddenParams.begin(), node.hiddenParams.end());
    }
    graph.getBody().walk([&](FeedbackOp feedback) {
      std::optional<unsigned> out = g.nodeOf(feedback.getOutput());
      if (!out)
        return;
      std::optional<unsigned> text = feedback.getFeedback()
                                         ? g.nodeOf(feedback.getFeedback())
                                         : std::nullopt;
      t.outputs.push_back(*out);
      t.feedback.push_back(text ? t.nodes[*text].value : "?");
      t.feedbackNodes.push_back(text ? int64_t(*text) : -1);
    });
    return t;
  }

private:
  /// A node as the problem shows it, its base documented in `docs`.
  wfrt::TraceNode nodeInfo(const InstanceNode &node,
                           ArrayRef<std::string> params,
                           std::map<std::string, std::string> &docs) {
    wfrt::TraceNode info;
    info.kind = node.op      ? wfrt::TraceNode::Kind::Op
                : node.param ? wfrt::TraceNode::Kind::Param
                             : wfrt::TraceNode::Kind::Argument;
    info.id = node.id;
    info.base = node.base;
    info.type = pythonType(node.type);
    info.value = staticValue(node);
    if (ParamOp param = node.param) {
      info.trainable = param.getTrainable();
      info.selected = params.empty() ? info.trainable
                                     : llvm::is_contained(params, node.base);
      if (StringAttr constraint = param.getConstraintAttr())
        info.constraint = constraint.str();
    }
    if (node.op && !docs.count(node.base))
      docs[node.base] = documentation(node, symbols);
    return info;
  }

  /// The region and body `op` is in (a batch is no region of its own).
  std::pair<int32_t, int32_t> enclosing(Operation *op) const {
    for (Operation *parent = op->getParentOp(); parent != graph;
         op = parent, parent = parent->getParentOp()) {
      auto it = regionOf.find(parent);
      if (it != regionOf.end())
        return {it->second, op->getParentRegion()->getRegionNumber()};
    }
    return {-1, 0};
  }

  SnapshotRef refOf(Value v) const {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      Operation *owner = arg.getOwner()->getParentOp();
      if (owner == graph)
        return SnapshotRef::node(arg.getArgNumber());
      auto it = regionOf.find(owner);
      if (it == regionOf.end())
        return {};
      return {SnapshotRef::Kind::RegionArg, it->second,
              int32_t(arg.getOwner()->getParent()->getRegionNumber()),
              int32_t(arg.getArgNumber())};
    }
    Operation *def = v.getDefiningOp();
    if (auto batch = dyn_cast<LlmBatchOp>(def))
      return refOf(batch.getBody().front().getTerminator()->getOperand(
          cast<OpResult>(v).getResultNumber()));
    auto it = regionOf.find(def);
    if (it != regionOf.end())
      return {SnapshotRef::Kind::RegionResult, it->second, 0,
              int32_t(cast<OpResult>(v).getResultNumber())};
    if (std::optional<unsigned> node = g.nodeOf(v))
      return SnapshotRef::node(*node);
    return {};
  }

  void describeRegion(Operation *op, SnapshotRegion &r) const {
    if (std::optional<unsigned> node = g.nodeOf(op))
      r.node = *node;
    std::tie(r.region, r.body) = enclosing(op);
    for (Value operand : op->getOperands())
      r.operands.push_back(refOf(operand));
    for (Region &body : op->getRegions()) {
      std::vector<SnapshotRef> &yields = r.yields.emplace_back();
      for (Value v : body.front().getTerminator()->getOperands())
        yields.push_back(refOf(v));
    }
    if (auto replicate = dyn_cast<ReplicateOp>(op))
      r.count = replicate.getCount();
    if (auto loop = dyn_cast<WhileOp>(op))
      r.count = loop.getMaxIters();
  }

  GraphOp graph;
  wfrt::TraceMode mode;
  InstanceGraph g;
  SymbolTableCollection symbols;
  TraceSnapshot s;
  llvm::MapVector<Operation *, int32_t> regionOf;
};

} // namespace

TraceSnapshot mlir::loom::wf::buildTraceSnapshot(GraphOp graph,
                                                 wfrt::TraceMode mode,
                                                 ArrayRef<std::string> params) {
  return SnapshotBuilder(graph, mode).build(params);
}

wfrt::TraceGraph
mlir::loom::wf::buildTemplateTraceGraph(GraphOp graph, wfrt::TraceMode mode,
                                        ArrayRef<std::string> params) {
  return SnapshotBuilder(graph, mode).templateGraph(params);
}

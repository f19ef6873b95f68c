//===- InstanceGraph.cpp - The Trace instance graph of a wf.graph ---------===//

#include "loom/Dialect/Workflow/Transforms/InstanceGraph.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

using namespace mlir;
using namespace mlir::loom::wf;

std::optional<unsigned> InstanceGraph::nodeOf(Operation *op) const {
  auto it = opNodes.find(op);
  if (it == opNodes.end())
    return std::nullopt;
  return it->second;
}

std::optional<unsigned> InstanceGraph::nodeOf(Value v) const {
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (owner == graph)
      return arg.getArgNumber();
    // A body argument stands for the operand it iterates over (a map's
    // list, a while's state, a catch's failed input); a replicate's index
    // is a literal.
    if (owner->getNumOperands() == 0)
      return std::nullopt;
    return nodeOf(owner->getOperand(
        std::min<unsigned>(arg.getArgNumber(), owner->getNumOperands() - 1)));
  }
  Operation *def = v.getDefiningOp();
  if (auto get = dyn_cast<ParamGetOp>(def))
    return paramNodes.lookup(get.getParamAttr().getAttr());
  if (auto catchOp = dyn_cast<CatchOp>(def))
    return nodeOf(catchOp.getInput());
  // A batch is no node: its results are its members'.
  if (auto batch = dyn_cast<LlmBatchOp>(def))
    return nodeOf(batch.getBody().front().getTerminator()->getOperand(
        cast<OpResult>(v).getResultNumber()));
  return nodeOf(def);
}

/// The names a node's inputs bind (wf.md §7.1): its definition's
/// `arg_names`, else the op's `wf.operand_names`; null if neither.
static ArrayAttr traceInputNames(TraceNodeOpInterface node,
                                 SymbolTableCollection &symbols) {
  ArrayAttr names;
  if (FlatSymbolRefAttr callee = node.getCalleeSymbol())
    if (Operation *def = symbols.lookupNearestSymbolFrom(node, callee))
      names = def->getAttrOfType<ArrayAttr>("arg_names");
  return names ? names : node->getAttrOfType<ArrayAttr>("wf.operand_names");
}

/// Input `i`'s name among `names`, else `arg<i>`.
static std::string traceInputName(ArrayAttr names, unsigned i) {
  if (names && i < names.size())
    if (auto name = dyn_cast<StringAttr>(names[i]))
      return name.str();
  return "arg" + std::to_string(i);
}

/// The parameters `callee` reads, directly or through its own calls, each
/// with its id seen from the call: `<call id>/<id in the callee>`, as
/// `wf-inline` names them.
static void
hiddenParams(GraphOp callee, const std::string &scope,
             SymbolTableCollection &symbols,
             SmallVectorImpl<std::pair<std::string, FlatSymbolRefAttr>> &out,
             llvm::SmallPtrSetImpl<Operation *> &active) {
  if (!callee || !active.insert(callee).second)
    return;
  TraceIds ids = TraceIds::of(callee);
  callee.getBody().walk([&](Operation *op) {
    for (FlatSymbolRefAttr symbol : referencedParams(op, symbols))
      out.push_back(
          {scope + "/" + ids.params.lookup(symbol.getAttr()), symbol});
    if (auto call = dyn_cast<CallOp>(op))
      hiddenParams(
          symbols.lookupNearestSymbolFrom<GraphOp>(call, call.getCalleeAttr()),
          scope + "/" + ids.nodes.lookup(op), symbols, out, active);
  });
  active.erase(callee);
}

InstanceGraph InstanceGraph::build(GraphOp graph, TraceMode mode) {
  InstanceGraph g;
  g.graph = graph;
  TraceIds ids = TraceIds::of(graph);
  // Nodes never move once built: growing the vector would copy each one.
  g.nodes.reserve(ids.arguments.size() + ids.params.size() + ids.nodes.size());
  for (auto [i, id] : llvm::enumerate(ids.arguments)) {
    InstanceNode node;
    node.id = id;
    auto name = graph.getArgAttrOfType<StringAttr>(i, "wf.name");
    node.base = name ? name.str() : "arg" + std::to_string(i);
    node.type = graph.getArgument(i).getType();
    g.nodes.push_back(std::move(node));
  }
  // The parameters each node references through attributes (by node
  // index), as parents after its operands.
  std::vector<SmallVector<FlatSymbolRefAttr>> attributeParams;
  g.opNodes.reserve(ids.nodes.size());
  StringAttr nameAttr = StringAttr::get(graph.getContext(), "wf.name");
  SymbolTableCollection symbols;
  // A parameter node named `id`, read directly or (hidden) by a callee.
  auto addParamNode = [&](std::string id, FlatSymbolRefAttr symbol) {
    InstanceNode &node = g.nodes.emplace_back();
    node.id = std::move(id);
    node.base = symbol.getValue().str();
    node.param = symbols.lookupNearestSymbolFrom<ParamOp>(graph, symbol);
    node.type = node.param ? node.param.getType() : Type();
    return static_cast<unsigned>(g.nodes.size() - 1);
  };
  graph.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    SmallVector<FlatSymbolRefAttr> params = referencedParams(op, symbols);
    for (FlatSymbolRefAttr symbol : params)
      if (!g.paramNodes.count(symbol.getAttr()))
        g.paramNodes[symbol.getAttr()] =
            addParamNode(ids.params.lookup(symbol.getAttr()), symbol);
    auto traceNode = dyn_cast<TraceNodeOpInterface>(op);
    if (!traceNode)
      return;
    attributeParams.resize(g.nodes.size());
    attributeParams.push_back(std::move(params));
    g.opNodes[op] = g.nodes.size();
    InstanceNode &node = g.nodes.emplace_back();
    node.id = std::move(ids.nodes[op]);
    auto name = op->getAttrOfType<StringAttr>(nameAttr);
    node.base = name ? name.str() : traceNode.getTraceBase().str();
    node.op = op;
    node.type = op->getNumResults() ? op->getResult(0).getType() : Type();
    auto call = dyn_cast<CallOp>(op);
    if (!call || mode != TraceMode::TraceCompat)
      return;
    unsigned callNode = g.nodes.size() - 1;
    SmallVector<std::pair<std::string, FlatSymbolRefAttr>> hidden;
    llvm::SmallPtrSet<Operation *, 4> active = {graph};
    hiddenParams(
        symbols.lookupNearestSymbolFrom<GraphOp>(call, call.getCalleeAttr()),
        g.nodes[callNode].id, symbols, hidden, active);
    for (auto &[id, symbol] : hidden) {
      unsigned param = addParamNode(std::move(id), symbol);
      g.nodes[callNode].hiddenParams.push_back(param);
    }
  });

  // Parents, once every node exists (a structured node's parents are in
  // its bodies, after it in pre-order).
  for (size_t index = 0; index < g.nodes.size(); ++index) {
    InstanceNode &node = g.nodes[index];
    if (!node.op)
      continue;
    auto traceNode = cast<TraceNodeOpInterface>(node.op);
    auto addParent = [&](Value v, std::string name) {
      std::optional<unsigned> parent = g.nodeOf(v);
      bool token = isa<TokenType>(v.getType());
      if (!parent || (token && mode == TraceMode::TraceCompat))
        return;
      node.parents.push_back(*parent);
      node.parentValues.push_back(v);
      node.inputNames.push_back(std::move(name));
      node.tokenEdges.push_back(token);
    };
    bool structured = node.op->getNumRegions() && !isa<ComputeOp>(node.op);
    if (structured) {
      // The iterations' (branches') yielded values; in full mode also the
      // conditions that chose them.
      if (mode == TraceMode::Full)
        for (Value operand : node.op->getOperands())
          if (operand.getType().isInteger(1))
            addParent(operand, "condition");
      for (Region &region : node.op->getRegions())
        for (Block &block : region) {
          Operation *terminator = block.getTerminator();
          for (auto [i, v] : llvm::enumerate(terminator->getOperands()))
            if (mode == TraceMode::Full || !v.getType().isInteger(1) ||
                !isa<ConditionOp>(terminator) || i != 0)
              addParent(v, "arg" + std::to_string(i));
        }
    } else {
      ArrayAttr names = traceInputNames(traceNode, symbols);
      for (auto [i, operand] : llvm::enumerate(node.op->getOperands()))
        addParent(operand, isa<TokenType>(operand.getType())
                               ? std::string("after")
                               : traceInputName(names, i));
    }
    for (FlatSymbolRefAttr symbol : attributeParams[index]) {
      unsigned parent = g.paramNodes.lookup(symbol.getAttr());
      node.parents.push_back(parent);
      node.parentValues.push_back(Value());
      node.inputNames.push_back(symbol.getValue().str());
      node.tokenEdges.push_back(false);
    }
  }

  // Children, and levels in a topological order (Kahn): parents may follow
  // in source order.
  SmallVector<unsigned> pending(g.nodes.size());
  for (auto [i, node] : llvm::enumerate(g.nodes)) {
    pending[i] = node.parents.size();
    for (unsigned parent : node.parents)
      g.nodes[parent].children.push_back(i);
  }
  SmallVector<unsigned> ready;
  for (unsigned i = 0; i < g.nodes.size(); ++i)
    if (!pending[i])
      ready.push_back(i);
  while (!ready.empty()) {
    unsigned i = ready.pop_back_val();
    for (unsigned child : g.nodes[i].children) {
      g.nodes[child].level =
          std::max(g.nodes[child].level, g.nodes[i].level + 1);
      if (--pending[child] == 0)
        ready.push_back(child);
    }
  }
  // Hidden edges after the levels: they order nothing.
  for (auto [i, node] : llvm::enumerate(g.nodes))
    for (unsigned param : node.hiddenParams)
      g.nodes[param].children.push_back(i);
  return g;
}

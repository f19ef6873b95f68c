//===- TraceIds.cpp - The Trace ids of a workflow graph -------------------===//

#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using namespace mlir::loom::wf;

SmallVector<FlatSymbolRefAttr>
mlir::loom::wf::referencedParams(Operation *op,
                                 SymbolTableCollection &symbols) {
  SmallVector<FlatSymbolRefAttr> params;
  if (auto get = dyn_cast<ParamGetOp>(op))
    params.push_back(get.getParamAttr());
  // Inherent attributes only, by name as in the attribute dictionary:
  // building that dictionary for every op was most of the cost of
  // wf-extract-trace on 10^5 nodes.
  if (std::optional<RegisteredOperationName> info = op->getRegisteredInfo())
    for (StringAttr name : info->getAttributeNames()) {
      std::optional<Attribute> attr = op->getInherentAttr(name);
      if (!attr || !*attr)
        continue;
      // Segments are arrays; a `#wf.param_ref` stands alone.
      auto array = dyn_cast<ArrayAttr>(*attr);
      for (Attribute inner : array ? array.getValue() : ArrayRef(*attr)) {
        if (auto seg = dyn_cast<SegAttr>(inner); seg && seg.getParam())
          params.push_back(seg.getParam());
        else if (auto ref = dyn_cast<ParamRefAttr>(inner))
          params.push_back(ref.getParam());
      }
    }
  // A code node whose definition's source is a `code` parameter reads it.
  if (auto node = dyn_cast<TraceNodeOpInterface>(op))
    if (FlatSymbolRefAttr callee = node.getCalleeSymbol())
      if (auto def = symbols.lookupNearestSymbolFrom<CodeDefOp>(op, callee))
        if (FlatSymbolRefAttr source = def.getSourceAttr())
          params.push_back(source);
  return params;
}

TraceIds TraceIds::compute(GraphOp graph) {
  TraceIds ids;
  llvm::StringMap<int64_t> counters;
  auto next = [&](StringRef base) {
    return (base + ":" + Twine(counters[base]++)).str();
  };
  for (unsigned i = 0, e = graph.getNumArguments(); i < e; ++i) {
    auto name = graph.getArgAttrOfType<StringAttr>(i, "wf.name");
    ids.arguments.push_back(
        next(name ? name.getValue().str() : "arg" + std::to_string(i)));
  }
  SymbolTableCollection symbols;
  graph.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    // A parameter is numbered where it is first referenced, before the op
    // that reads it (its parent in the trace).
    for (FlatSymbolRefAttr param : referencedParams(op, symbols))
      if (!ids.params.count(param.getAttr()))
        ids.params[param.getAttr()] = next(param.getValue());
    auto node = dyn_cast<TraceNodeOpInterface>(op);
    if (!node)
      return;
    auto name = op->getAttrOfType<StringAttr>("wf.name");
    ids.nodes[op] = next(name ? name.getValue() : node.getTraceBase());
  });
  return ids;
}

FailureOr<TraceIds> TraceIds::read(GraphOp graph) {
  auto params = graph->getAttrOfType<DictionaryAttr>("wf.params");
  if (!params)
    return failure();
  TraceIds ids;
  for (unsigned i = 0, e = graph.getNumArguments(); i < e; ++i) {
    auto id = graph.getArgAttrOfType<StringAttr>(i, "wf.id");
    ids.arguments.push_back(id ? id.str() : "arg" + std::to_string(i));
  }
  for (NamedAttribute param : params)
    if (auto id = dyn_cast<StringAttr>(param.getValue()))
      ids.params[param.getName()] = id.str();
  ids.nodes.reserve(graph.getBody().front().getOperations().size());
  graph.getBody().walk([&](TraceNodeOpInterface node) {
    if (auto id = node->getAttrOfType<StringAttr>("wf.id"))
      ids.nodes[node] = id.str();
  });
  return ids;
}

TraceIds TraceIds::of(GraphOp graph) {
  FailureOr<TraceIds> assigned = read(graph);
  return succeeded(assigned) ? std::move(*assigned) : compute(graph);
}

void TraceIds::writeTo(GraphOp graph) const {
  Builder b(graph.getContext());
  for (auto [i, id] : llvm::enumerate(arguments))
    graph.setArgAttr(i, "wf.id", b.getStringAttr(id));
  SmallVector<NamedAttribute> named;
  for (auto &[param, id] : params)
    named.push_back(b.getNamedAttr(param, b.getStringAttr(id)));
  graph->setAttr("wf.params", b.getDictionaryAttr(named));
  for (auto &[op, id] : nodes)
    op->setAttr("wf.id", b.getStringAttr(id));
  graph.getBody().walk([&](ParamGetOp get) {
    get->setAttr("wf.id",
                 b.getStringAttr(params.lookup(get.getParamAttr().getAttr())));
  });
}

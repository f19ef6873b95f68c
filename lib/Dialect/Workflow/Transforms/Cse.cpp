//===- Cse.cpp - The wf-cse pass ------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFCSE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// Attributes that name, place or trace a node rather than define it.
bool isBookkeeping(StringRef name) {
  return name == "wf.id" || name == "wf.name" || name == "wf.origin" ||
         name == "wf.sched";
}

/// What makes two nodes compute the same value.
struct NodeKey {
  OperationName name;
  DictionaryAttr attributes;
  SmallVector<Value> operands;
  SmallVector<Type> results;

  static NodeKey of(Operation *op) {
    SmallVector<NamedAttribute> defining;
    for (NamedAttribute attr : op->getAttrs())
      if (!isBookkeeping(attr.getName()))
        defining.push_back(attr);
    return {op->getName(), DictionaryAttr::get(op->getContext(), defining),
            SmallVector<Value>(op->getOperands()),
            SmallVector<Type>(op->getResultTypes())};
  }
  bool operator==(const NodeKey &other) const {
    return name == other.name && attributes == other.attributes &&
           operands == other.operands && results == other.results;
  }
  llvm::hash_code hash() const {
    return llvm::hash_combine(
        name.getAsOpaquePointer(), attributes.getAsOpaquePointer(),
        llvm::hash_combine_range(operands.begin(), operands.end()),
        llvm::hash_combine_range(results.begin(), results.end()));
  }
};

/// The source ids `op` stands for: its origins, else its own id.
void sourceIds(Operation *op, llvm::SetVector<Attribute> &ids) {
  if (auto origin = op->getAttrOfType<ArrayAttr>("wf.origin"))
    ids.insert(origin.begin(), origin.end());
  else if (auto id = op->getAttrOfType<StringAttr>("wf.id"))
    ids.insert(id);
}

/// Nodes by the hash of their key.
using Scope = DenseMap<unsigned, SmallVector<std::pair<NodeKey, Operation *>>>;

class Merger {
public:
  /// Merges within `block` and, through `scope`, with the nodes of the
  /// blocks around it (a body gets a copy: its nodes do not dominate what
  /// follows it).
  void run(Block &block, Scope scope) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      auto node = dyn_cast<TraceNodeOpInterface>(&op);
      if (node && op.getNumRegions() == 0 && node.isDeterministic() &&
          !node.hasExternalEffects()) {
        NodeKey key = NodeKey::of(&op);
        auto &bucket = scope[static_cast<unsigned>(key.hash())];
        auto same = llvm::find_if(
            bucket, [&](const auto &entry) { return entry.first == key; });
        if (same != bucket.end()) {
          merge(same->second, &op);
          continue;
        }
        bucket.push_back({std::move(key), &op});
      }
      for (Region &region : op.getRegions())
        if (!isa<ComputeOp>(op))
          for (Block &inner : region)
            run(inner, scope);
    }
  }

private:
  void merge(Operation *kept, Operation *duplicate) {
    llvm::SetVector<Attribute> ids;
    sourceIds(kept, ids);
    sourceIds(duplicate, ids);
    if (!ids.empty())
      kept->setAttr("wf.origin",
                    ArrayAttr::get(kept->getContext(), ids.getArrayRef()));
    duplicate->replaceAllUsesWith(kept);
    duplicate->erase();
  }
};

struct WfCsePass : mlir::loom::wf::impl::WfCseBase<WfCsePass> {
  void runOnOperation() override {
    for (auto graph : getOperation().getOps<GraphOp>())
      Merger().run(graph.getBody().front(), Scope());
  }
};

} // namespace

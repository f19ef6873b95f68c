//===- Inline.cpp - The wf-inline pass ------------------------------------===//
//
// Inlining makes a sub-graph's calls visible to the passes after it
// (batching, prefix sharing, scheduling) while the scoped ids keep every
// inlined node traceable to the call and the callee node it came from.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Inline.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/TraceIds.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFINLINE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

class Inliner {
public:
  explicit Inliner(ModuleOp module) : module(module), symbols(module) {
    for (auto graph : module.getOps<GraphOp>())
      graph.walk([&](CallOp call) {
        callees[graph].insert(symbols.lookup<GraphOp>(call.getCallee()));
      });
  }

  void run(GraphOp graph) {
    // Calls that inlining brings in are visited too: the worklist grows.
    SmallVector<CallOp> work;
    graph.walk([&](CallOp call) { work.push_back(call); });
    while (!work.empty()) {
      CallOp call = work.pop_back_val();
      auto callee = symbols.lookup<GraphOp>(call.getCallee());
      if (!callee || call.getNoinline() || reaches(callee, graph) ||
          llvm::any_of(callees[callee],
                       [&](GraphOp next) { return reaches(next, callee); }))
        continue;
      inlineCall(graph, call, callee, work);
    }
  }

private:
  /// Whether `from` is `to` or calls it, directly or not. A callee on a
  /// cycle is never inlined: unrolling it would not end.
  bool reaches(GraphOp from, GraphOp to) {
    llvm::SetVector<Operation *> seen;
    SmallVector<GraphOp> stack = {from};
    while (!stack.empty()) {
      GraphOp g = stack.pop_back_val();
      if (g == to)
        return true;
      if (!seen.insert(g))
        continue;
      for (GraphOp next : callees[g])
        if (next)
          stack.push_back(next);
    }
    return false;
  }

  void inlineCall(GraphOp graph, CallOp call, GraphOp callee,
                  SmallVectorImpl<CallOp> &work) {
    Builder b(call.getContext());
    TraceIds inner = TraceIds::of(callee);
    auto callId = call->getAttrOfType<StringAttr>("wf.id");
    auto scoped = [&](StringRef id) {
      return callId ? (callId.getValue() + "/" + id).str() : id.str();
    };
    IRMapping mapping;
    mapping.map(callee.getArguments(), call.getArgs());
    OpBuilder builder(call);
    Block &body = callee.getBody().front();
    for (Operation &op : body.without_terminator()) {
      if (isa<FeedbackOp>(op))
        continue;
      Operation *copy = builder.clone(op, mapping);
      // The copy and its nested ops, walked alongside the originals.
      SmallVector<Operation *> originals, copies;
      op.walk([&](Operation *o) { originals.push_back(o); });
      copy->walk([&](Operation *o) { copies.push_back(o); });
      for (auto [from, to] : llvm::zip(originals, copies)) {
        if (auto get = dyn_cast<ParamGetOp>(from)) {
          to->setAttr("wf.id", b.getStringAttr(scoped(inner.params.lookup(
                                   get.getParamAttr().getAttr()))));
          continue;
        }
        auto it = inner.nodes.find(from);
        if (it != inner.nodes.end())
          to->setAttr("wf.id", b.getStringAttr(scoped(it->second)));
        if (auto origin = from->getAttrOfType<ArrayAttr>("wf.origin")) {
          SmallVector<Attribute> ids;
          for (auto id : origin.getAsRange<StringAttr>())
            ids.push_back(b.getStringAttr(scoped(id.getValue())));
          to->setAttr("wf.origin", b.getArrayAttr(ids));
        }
        if (auto nested = dyn_cast<CallOp>(to))
          work.push_back(nested);
      }
    }
    addParams(graph, inner, scoped);
    // The nodes computing the returned values also stand for the call.
    Operation *ret = body.getTerminator();
    for (auto [result, returned] :
         llvm::zip(call.getResults(), ret->getOperands())) {
      Value value = mapping.lookupOrDefault(returned);
      if (Operation *def = value.getDefiningOp(); def && callId) {
        SmallVector<Attribute> origin;
        if (auto existing = def->getAttrOfType<ArrayAttr>("wf.origin"))
          llvm::append_range(origin, existing);
        else if (auto id = def->getAttrOfType<StringAttr>("wf.id"))
          origin.push_back(id);
        origin.push_back(callId);
        def->setAttr("wf.origin", b.getArrayAttr(origin));
      }
      result.replaceAllUsesWith(value);
    }
    call.erase();
  }

  /// The callee's parameters join the caller's `wf.params`, if it has one.
  void addParams(GraphOp graph, const TraceIds &inner,
                 function_ref<std::string(StringRef)> scoped) {
    auto params = graph->getAttrOfType<DictionaryAttr>("wf.params");
    if (!params)
      return;
    NamedAttrList merged(params);
    Builder b(graph.getContext());
    for (auto &[param, id] : inner.params)
      if (!merged.get(param))
        merged.set(param, b.getStringAttr(scoped(id)));
    graph->setAttr("wf.params", merged.getDictionary(graph.getContext()));
  }

  ModuleOp module;
  SymbolTable symbols;
  DenseMap<Operation *, llvm::SetVector<GraphOp>> callees;
};

struct WfInlinePass : mlir::loom::wf::impl::WfInlineBase<WfInlinePass> {
  void runOnOperation() override { inlineCalls(getOperation()); }
};

} // namespace

void mlir::loom::wf::inlineCalls(ModuleOp module) {
  Inliner inliner(module);
  for (auto graph : module.getOps<GraphOp>())
    inliner.run(graph);
}

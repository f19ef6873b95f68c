//===- Batch.cpp - The wf-batch pass --------------------------------------===//
//
// A batch goes out when its last member is ready, so its members must be
// ready together: completions are grouped by their frontier, the external
// calls whose completion makes them ready. Equal frontiers also make them
// independent without a reachability query per pair, which a 100k-node
// graph could not afford: a path from one completion to another puts the
// first, or a call after it, into the second's frontier, never into its
// own.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFBATCH
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// Whether `op` waits on something outside the executor: a completion, a
/// prefill, a tool, a sub-graph or tensor code, or a structured node that
/// contains one. Templating and native code take microseconds.
bool waitsOutside(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        return isa<CompletionOpInterface, CtxPrefillOp, ToolOp, CallOp,
                   ComputeOp>(inner)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

using Frontier = SmallVector<Operation *, 4>;
constexpr size_t kMaxFrontier = 16;

/// What members of one batch have in common.
using GroupKey = std::tuple<Attribute /*model*/, unsigned /*frontier*/,
                            Attribute /*objective*/, SamplingKey>;

struct Group {
  SmallVector<CompletionOpInterface> members;
  int64_t tokens = 0;
};

class Batcher {
public:
  Batcher(ModuleOp module, int64_t maxBatch)
      : symbols(module), maxBatch(maxBatch) {}

  void run(Block &block) {
    for (Operation &op : block)
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          run(inner);
    batchBlock(block);
  }

private:
  /// The waiting ops whose completion makes each op of `block` ready:
  /// its producers that wait outside, and, through those that do not,
  /// theirs. Ops with equal frontiers become ready at the same instant.
  /// Frontiers are kept only up to `kMaxFrontier` ops; past that an op
  /// gets none (`std::nullopt`) and is never batched.
  DenseMap<Operation *, std::optional<Frontier>> frontiers(Block &block) {
    DenseMap<Operation *, std::optional<Frontier>> frontier;
    for (Operation &op : block) {
      std::optional<Frontier> f = Frontier();
      op.walk([&](Operation *inner) {
        for (Value v : inner->getOperands()) {
          Operation *def = v.getDefiningOp();
          if (!f || !def || def->getBlock() != &block || def == &op)
            continue;
          if (waitsOutside(def)) {
            f->push_back(def);
          } else if (const std::optional<Frontier> &g = frontier[def]) {
            llvm::append_range(*f, *g);
          } else {
            f.reset();
          }
        }
      });
      if (f) {
        llvm::sort(*f);
        f->erase(std::unique(f->begin(), f->end()), f->end());
        if (f->size() > kMaxFrontier)
          f.reset();
      }
      frontier[&op] = std::move(f);
    }
    return frontier;
  }

  /// The prompt tokens a member sends: its hint, else its static text.
  int64_t promptTokens(CompletionOpInterface c) {
    if (CostAttr cost = c.getCostAttr())
      return cost.getPrefill();
    int64_t bytes = 0;
    for (auto seg : c.getSegments().getAsRange<SegAttr>())
      bytes += staticSegmentText(seg, symbols).size();
    return (bytes + 3) / 4;
  }

  void batchBlock(Block &block) {
    DenseMap<Operation *, std::optional<Frontier>> frontier = frontiers(block);
    // Equal frontiers get equal numbers.
    DenseMap<ArrayRef<Operation *>, unsigned> frontierIds;
    DenseMap<GroupKey, size_t> open;
    SmallVector<Group> groups;
    for (Operation &op : block) {
      auto c = dyn_cast<CompletionOpInterface>(op);
      if (!c)
        continue;
      auto model = symbols.lookup<ModelOp>(c.getModelSymbol().getValue());
      if (!model)
        continue;
      int64_t limit = maxBatch > 0
                          ? maxBatch
                          : static_cast<int64_t>(model.getMaxConcurrency());
      int64_t cap = static_cast<int64_t>(model.getMaxBatchedTokens());
      int64_t tokens = promptTokens(c);
      const std::optional<Frontier> &f = frontier[&op];
      if (tokens > cap || limit < 2 || !f)
        continue;
      unsigned id =
          frontierIds.try_emplace(*f, frontierIds.size()).first->second;
      GroupKey key{c.getModelSymbol(), id, op.getAttr("wf.objective"),
                   c.getSamplingKey()};
      // The open group of this key, or a new one when it is full.
      auto [it, fresh] = open.try_emplace(key, groups.size());
      if (!fresh &&
          (static_cast<int64_t>(groups[it->second].members.size()) >= limit ||
           groups[it->second].tokens + tokens > cap))
        it->second = groups.size();
      if (it->second == groups.size())
        groups.emplace_back();
      Group &g = groups[it->second];
      g.members.push_back(c);
      g.tokens += tokens;
    }
    bool changed = false;
    for (Group &g : groups)
      if (g.members.size() >= 2) {
        makeBatch(g.members);
        changed = true;
      }
    // A batch stands where its first member stood; its other members'
    // inputs may come later, and nothing depends on a member before the
    // batch (equal frontiers), so a stable sort restores dominance.
    if (changed && !sortTopologically(&block))
      llvm_unreachable("members with equal frontiers formed a cycle");
  }

  static void makeBatch(MutableArrayRef<CompletionOpInterface> members) {
    Operation *first = members.front();
    OpBuilder b(first);
    SmallVector<Type> types(members.size(), first->getResult(0).getType());
    auto batch = LlmBatchOp::create(b, first->getLoc(), types,
                                    members.front().getModelSymbol());
    Block *body = b.createBlock(&batch.getBody());
    SmallVector<Value> results;
    for (CompletionOpInterface m : members) {
      m->moveBefore(body, body->end());
      results.push_back(m->getResult(0));
    }
    b.setInsertionPointToEnd(body);
    auto yield = YieldOp::create(b, first->getLoc(), results);
    for (auto [k, r] : llvm::enumerate(results))
      r.replaceUsesWithIf(batch.getResult(k), [&](OpOperand &use) {
        return use.getOwner() != yield;
      });
  }

  SymbolTable symbols;
  int64_t maxBatch;
};

struct WfBatchPass : mlir::loom::wf::impl::WfBatchBase<WfBatchPass> {
  using WfBatchBase::WfBatchBase;
  void runOnOperation() override {
    if (maxBatch < 0) {
      emitError(getOperation().getLoc())
          << "wf-batch: max-batch must be 0 (the model's max_concurrency) or "
             "a count, got "
          << int64_t(maxBatch);
      return signalPassFailure();
    }
    Batcher batcher(getOperation(), maxBatch);
    for (auto graph : getOperation().getOps<GraphOp>())
      batcher.run(graph.getBody().front());
  }
};

} // namespace

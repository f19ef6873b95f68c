//===- Schedule.cpp - The wf-schedule pass --------------------------------===//
//
// Upward ranks over the token model and a list schedule under per-model and
// per-tool concurrency. Ranks become the runtime's priorities: among ready
// calls of one objective, the one with the longest path still ahead runs
// first, which is what keeps a DAG's makespan near its critical path.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/Latency.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <queue>

namespace mlir::loom::wf {
#define GEN_PASS_DEF_WFSCHEDULE
#include "loom/Dialect/Workflow/Transforms/Passes.h.inc"
} // namespace mlir::loom::wf

using namespace mlir;
using namespace mlir::loom::wf;

namespace {

/// The op of `block` (not its terminator) that `user`, or an op around
/// it, is: what reads a value from the block's point of view.
Operation *readerIn(Block &block, Operation *user) {
  Operation *top = block.findAncestorOpInBlock(*user);
  return top && !top->hasTrait<OpTrait::IsTerminator>() ? top : nullptr;
}

int64_t tokensOf(StringRef text) {
  return (static_cast<int64_t>(text.size()) + 3) / 4;
}

struct Estimates {
  double prefillMs, decodeMs;
  int64_t argTokens, listLength;
  /// What wf.compute nodes cost.
  const loom::cost::LatencyModel *latency;
};

class Scheduler {
public:
  Scheduler(ModuleOp module, const Estimates &e)
      : module(module), symbols(module), e(e) {}

  /// Schedules `graph`; emits the remark.
  void run(GraphOp graph);

private:
  int64_t tokens(Value v);
  /// The tokens a prompt or format template fills.
  int64_t templateTokens(ArrayAttr segments, ValueRange args);
  double cost(Operation *op);
  /// Ranks the ops of `block`, `tail` ms of work following the block;
  /// returns the block's critical path (its largest rank minus `tail`),
  /// and records structured nodes' costs on the way.
  double rankBlock(Block &block, double tail);
  /// Ranks a batch's members each by its own successors; returns the
  /// batch's longest path.
  double rankBatch(LlmBatchOp batch, Block &block, double tail);
  /// The ops of `block` (terminators aside) that read `op`'s results,
  /// directly or inside their regions.
  ArrayRef<Operation *> users(Operation *op, Block &block);
  /// The ops of `block` whose results `op` reads.
  SmallVector<Operation *> producers(Operation *op, Block &block);
  /// The resource an op occupies while it runs, or null.
  Operation *resourceOf(Operation *op);
  int64_t capacityOf(Operation *resource);
  /// The slots of its resource an op takes: a batch's members each hold
  /// one.
  int64_t widthOf(Operation *op);
  /// The slot time an op takes: a batch's, its members' summed.
  double workOf(Operation *op);

  ModuleOp module;
  SymbolTable symbols;
  Estimates e;
  DenseMap<Value, int64_t> tokenMemo;
  DenseMap<Operation *, double> costMemo, rank;
  DenseMap<Operation *, SmallVector<Operation *, 4>> userMemo;
};

int64_t Scheduler::tokens(Value v) {
  if (auto it = tokenMemo.find(v); it != tokenMemo.end())
    return it->second;
  int64_t t = 0;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (isa<MapOp>(owner))
      t = tokens(owner->getOperand(0)) / e.listLength;
    else if (isa<GraphOp>(owner))
      t = e.argTokens;
  } else {
    Operation *op = v.getDefiningOp();
    if (auto c = dyn_cast<ConstOp>(op)) {
      if (auto s = dyn_cast<StringAttr>(c.getValue()))
        t = tokensOf(s.getValue());
    } else if (auto p = dyn_cast<ParamGetOp>(op)) {
      if (auto param = symbols.lookup<ParamOp>(p.getParam()))
        if (auto s = dyn_cast<StringAttr>(param.getInitialValue()))
          t = tokensOf(s.getValue());
    } else if (auto f = dyn_cast<FormatOp>(op)) {
      t = templateTokens(f.getSegments(), f.getArgs());
    } else if (auto l = dyn_cast<LlmOp>(op)) {
      t = l.getMaxTokens();
    } else if (auto ext = dyn_cast<LlmExtendOp>(op)) {
      t = ext.getMaxTokens();
    } else if (auto p = dyn_cast<CtxPrefillOp>(op)) {
      t = templateTokens(p.getSegments(), p.getArgs());
    } else if (isa<SplitOp, JoinOp>(op)) {
      t = tokens(op->getOperand(0));
    } else if (auto m = dyn_cast<MapOp>(op)) {
      Operation *yield = m.getBody().front().getTerminator();
      t = e.listLength * tokens(yield->getOperand(0));
    } else if (auto r = dyn_cast<ReplicateOp>(op)) {
      Operation *yield = r.getBody().front().getTerminator();
      t = r.getCount() * tokens(yield->getOperand(0));
    }
  }
  tokenMemo[v] = t;
  return t;
}

int64_t Scheduler::templateTokens(ArrayAttr segments, ValueRange args) {
  int64_t sum = 0;
  for (auto seg : segments.getAsRange<SegAttr>())
    sum += seg.getKind() == SegKind::Operand
               ? tokens(args[seg.getIndex()])
               : tokensOf(staticSegmentText(seg, symbols));
  return sum;
}

double Scheduler::cost(Operation *op) {
  if (auto it = costMemo.find(op); it != costMemo.end())
    return it->second;
  double c = 0;
  if (auto l = dyn_cast<LlmOp>(op)) {
    int64_t prompt = templateTokens(l.getSegments(), l.getArgs());
    c = e.prefillMs * prompt + e.decodeMs * l.getMaxTokens();
  } else if (auto x = dyn_cast<LlmExtendOp>(op)) {
    // The prefix is the context's to compute.
    int64_t prompt = templateTokens(x.getSegments(), x.getArgs());
    c = e.prefillMs * prompt + e.decodeMs * x.getMaxTokens();
  } else if (auto p = dyn_cast<CtxPrefillOp>(op)) {
    c = e.prefillMs * templateTokens(p.getSegments(), p.getArgs()) + e.decodeMs;
  } else if (auto compute = dyn_cast<ComputeOp>(op)) {
    if (std::optional<double> seconds = e.latency->seconds(compute.getBody()))
      c = *seconds * 1e3;
  } else if (auto t = dyn_cast<ToolOp>(op)) {
    if (auto def = symbols.lookup<ToolDefOp>(t.getTool())) {
      if (auto ms = def->getAttrOfType<FloatAttr>("sim_ms"))
        c = ms.getValueAsDouble();
      else
        c = static_cast<double>(def.getTimeoutMs().value_or(0));
    }
  }
  costMemo[op] = c;
  return c;
}

double Scheduler::rankBatch(LlmBatchOp batch, Block &block, double tail) {
  // Each member by what reads its own result: a batch must not lend the
  // most critical member's rank to the others (the runtime orders calls,
  // and splits batches, by these priorities).
  double longest = 0, slowest = 0;
  for (auto [k, member] : llvm::enumerate(batch.getMembers())) {
    double after = 0;
    for (Operation *user : batch.getResult(k).getUsers())
      if (Operation *top = readerIn(block, user))
        after = std::max(after, rank.lookup(top) - tail);
    double r = cost(member) + after;
    rank[member] = r + tail;
    longest = std::max(longest, r);
    slowest = std::max(slowest, cost(member));
  }
  costMemo[batch] = slowest;
  rank[batch] = longest + tail;
  return longest;
}

ArrayRef<Operation *> Scheduler::users(Operation *op, Block &block) {
  auto [it, inserted] = userMemo.try_emplace(op);
  if (!inserted)
    return it->second;
  SmallVectorImpl<Operation *> &result = it->second;
  for (Value r : op->getResults())
    for (Operation *user : r.getUsers())
      if (Operation *top = readerIn(block, user);
          top && !llvm::is_contained(result, top))
        result.push_back(top);
  return result;
}

SmallVector<Operation *> Scheduler::producers(Operation *op, Block &block) {
  SmallVector<Operation *> result;
  op->walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (Operation *def = v.getDefiningOp())
        if (def->getBlock() == &block && def != op &&
            !llvm::is_contained(result, def))
          result.push_back(def);
  });
  return result;
}

double Scheduler::rankBlock(Block &block, double tail) {
  double critical = 0;
  for (Operation &op : llvm::reverse(block.without_terminator())) {
    if (auto batch = dyn_cast<LlmBatchOp>(&op)) {
      critical = std::max(critical, rankBatch(batch, block, tail));
      continue;
    }
    double after = 0;
    for (Operation *user : users(&op, block))
      after = std::max(after, rank.lookup(user) - tail);
    // A structured node costs its bodies' critical path (iterations in
    // parallel, the longer branch); the bodies are ranked once, followed
    // by what comes after the node. A catch's fallback rarely runs; a
    // compute node's body is tensor code, costed as a whole.
    if (op.getNumRegions() > 0 && !isa<CatchOp, ComputeOp>(&op)) {
      double body = 0;
      for (Region &region : op.getRegions())
        if (!region.empty())
          body = std::max(body, rankBlock(region.front(), tail + after));
      costMemo[&op] = body;
    }
    double r = cost(&op) + after;
    rank[&op] = r + tail;
    critical = std::max(critical, r);
  }
  return critical;
}

Operation *Scheduler::resourceOf(Operation *op) {
  if (auto l = dyn_cast<LlmOp>(op))
    return symbols.lookup(l.getModel());
  if (auto t = dyn_cast<ToolOp>(op))
    return symbols.lookup(t.getTool());
  if (auto x = dyn_cast<LlmExtendOp>(op))
    return symbols.lookup(
        cast<CtxType>(x.getCtx().getType()).getModel().getValue());
  if (auto p = dyn_cast<CtxPrefillOp>(op))
    return symbols.lookup(p.getModel());
  if (auto b = dyn_cast<LlmBatchOp>(op))
    return symbols.lookup(b.getModel());
  return nullptr;
}

double Scheduler::workOf(Operation *op) {
  auto b = dyn_cast<LlmBatchOp>(op);
  if (!b)
    return cost(op);
  double sum = 0;
  for (CompletionOpInterface member : b.getMembers())
    sum += cost(member);
  return sum;
}

int64_t Scheduler::widthOf(Operation *op) {
  if (auto b = dyn_cast<LlmBatchOp>(op))
    return static_cast<int64_t>(b.getNumResults());
  return 1;
}

int64_t Scheduler::capacityOf(Operation *resource) {
  if (auto m = dyn_cast<ModelOp>(resource))
    return static_cast<int64_t>(m.getMaxConcurrency());
  if (auto t = dyn_cast<ToolDefOp>(resource))
    return t.getMaxConcurrency().value_or(0);
  return 0;
}

void Scheduler::run(GraphOp graph) {
  Block &block = graph.getBody().front();
  // Sized once: rehashing maps of 10^5 entries costs more than filling them.
  unsigned numOps = 0;
  graph.getBody().walk([&](Operation *) { ++numOps; });
  rank.reserve(numOps);
  costMemo.reserve(numOps);
  userMemo.reserve(numOps);
  tokenMemo.reserve(numOps);
  double criticalPath = rankBlock(block, 0);

  // List scheduling: whenever a slot frees, the ready op of highest rank
  // that has a free slot starts.
  SmallVector<Operation *> ops;
  DenseMap<Operation *, unsigned> missing(numOps), stage(numOps);
  for (Operation &op : block.without_terminator()) {
    ops.push_back(&op);
    SmallVector<Operation *> from = producers(&op, block);
    missing[&op] = from.size();
    unsigned s = 0;
    for (Operation *p : from)
      s = std::max(s, stage.lookup(p) + 1);
    stage[&op] = s;
  }
  // Ready ops carry their rank: the heap compares ranks only.
  using Ranked = std::pair<double, Operation *>;
  auto byRank = [](const Ranked &a, const Ranked &b) {
    return a.first < b.first;
  };
  using ReadyQueue =
      std::priority_queue<Ranked, std::vector<Ranked>, decltype(byRank)>;
  // One ready queue per resource (null: free ops), so that a full
  // resource never holds up another.
  llvm::MapVector<Operation *, ReadyQueue> ready;
  DenseMap<Operation *, int64_t> busy;
  DenseMap<Operation *, double> work;
  using Finish = std::pair<double, Operation *>;
  std::priority_queue<Finish, std::vector<Finish>, std::greater<Finish>>
      running;
  double now = 0, makespan = 0;
  auto makeReady = [&](Operation *op) {
    ready.try_emplace(resourceOf(op), byRank)
        .first->second.push({rank.lookup(op), op});
  };
  auto startFrom = [&](Operation *res) {
    auto it = ready.find(res);
    if (it == ready.end())
      return;
    int64_t capacity = res ? capacityOf(res) : 0;
    // A batch wider than the capacity runs alone.
    auto fits = [&](Operation *op) {
      return capacity <= 0 || busy[res] == 0 ||
             busy[res] + widthOf(op) <= capacity;
    };
    while (!it->second.empty() && fits(it->second.top().second)) {
      Operation *op = it->second.top().second;
      it->second.pop();
      busy[res] += widthOf(op);
      work[res] += workOf(op);
      running.push({now + cost(op), op});
    }
  };
  for (Operation *op : ops)
    if (missing[op] == 0)
      makeReady(op);
  for (auto &entry : ready)
    startFrom(entry.first);
  while (!running.empty()) {
    auto [end, op] = running.top();
    running.pop();
    now = end;
    makespan = std::max(makespan, end);
    Operation *res = resourceOf(op);
    busy[res] -= widthOf(op);
    SmallVector<Operation *> touched = {res};
    for (Operation *user : users(op, block))
      if (--missing[user] == 0) {
        makeReady(user);
        touched.push_back(resourceOf(user));
      }
    for (Operation *r : touched)
      startFrom(r);
  }
  double lowerBound = criticalPath;
  for (auto &[res, w] : work)
    if (res)
      if (int64_t capacity = capacityOf(res))
        lowerBound = std::max(lowerBound, w / static_cast<double>(capacity));

  Builder b(graph.getContext());
  StringAttr schedName = b.getStringAttr("wf.sched"),
             groupName = b.getStringAttr("wf.group");
  graph.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == graph || op->hasTrait<OpTrait::IsTerminator>() ||
        isa<FeedbackOp>(op))
      return WalkResult::advance();
    int64_t group = -1;
    if (auto g = op->getAttrOfType<IntegerAttr>(groupName))
      group = g.getInt();
    Operation *top = block.findAncestorOpInBlock(*op);
    op->setAttr(schedName,
                SchedAttr::get(graph.getContext(),
                               static_cast<int64_t>(rank.lookup(op) * 1000),
                               stage.lookup(top), group));
    // The tensor code inside a compute node is not scheduled.
    return isa<ComputeOp>(op) ? WalkResult::skip() : WalkResult::advance();
  });
  // At the location, not on the op: a remark on the op would print the
  // whole graph with it.
  InFlightDiagnostic remark =
      emitRemark(graph.getLoc()) << llvm::formatv(
          "makespan_est = {0:F1} ms, critical_path = {1:F1} ms, lower_bound = "
          "{2:F1} ms",
          makespan, criticalPath, lowerBound);
  // Which wf.latency model priced the compute nodes, when there are any.
  if (graph.walk([](ComputeOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    remark << ", compute nodes by " << e.latency->info().modelId;
}

struct WfSchedulePass : mlir::loom::wf::impl::WfScheduleBase<WfSchedulePass> {
  using WfScheduleBase::WfScheduleBase;
  void runOnOperation() override {
    // NaN or negative times would order the list schedule arbitrarily.
    auto isTime = [](double ms) { return std::isfinite(ms) && ms >= 0; };
    if (!isTime(prefillMsPerToken) || !isTime(decodeMsPerToken) ||
        argTokens < 0 || listLength < 0) {
      emitError(getOperation().getLoc())
          << "wf-schedule: prefill-ms-per-token and decode-ms-per-token must "
             "be finite and >= 0, arg-tokens and list-length >= 0";
      return signalPassFailure();
    }
    llvm::Expected<loom::cost::TargetInfo> target =
        loom::cost::decisionTarget(isa, cpu, costModel, "wf.latency");
    if (!target) {
      emitError(getOperation().getLoc())
          << "wf-schedule: " << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    std::string passedOver;
    llvm::Expected<loom::cost::LatencyModel> latency =
        loom::cost::LatencyModel::select(costModel, *target, passedOver);
    if (!latency) {
      emitError(getOperation().getLoc())
          << "wf-schedule: " << llvm::toString(latency.takeError());
      return signalPassFailure();
    }
    if (!passedOver.empty())
      emitRemark(getOperation().getLoc())
          << passedOver << "; costing compute nodes analytically";
    Estimates e{prefillMsPerToken, decodeMsPerToken, argTokens,
                std::max<int64_t>(1, listLength), &*latency};
    for (auto graph : getOperation().getOps<GraphOp>())
      Scheduler(getOperation(), e).run(graph);
  }
};

} // namespace

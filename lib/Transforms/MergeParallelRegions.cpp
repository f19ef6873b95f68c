//===- MergeParallelRegions.cpp - One thread team per run of loops --------===//
//
// convert-scf-to-openmp gives every parallel loop its own omp.parallel, so a
// LUT GEMV forks and joins the team twice per call (the table precompute,
// then the kernel) and a GEMM once more per column block. At N = 1 a call is
// ~20 us per thread and each fork/join costs microseconds; this pass runs
// such a sequence in one team, the worksharing loops' barriers keeping the
// phases apart.
//
//===----------------------------------------------------------------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir::loom {
#define GEN_PASS_DEF_MERGEPARALLELREGIONS
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {

/// How an op may take part in a merged region.
enum class Role {
  /// Must stay outside: it writes or allocates memory, or its control flow
  /// is not known to be the same in every thread.
  Outside,
  /// Every thread may run it: no memory effects, no thread team inside.
  Replicated,
  /// Holds a thread team that can be dissolved into the merged one.
  Team,
};

/// A team without clauses whose body is one block: dissolving it into an
/// enclosing team changes nothing but the fork and join.
bool isPlainTeam(omp::ParallelOp team) {
  return team->getNumOperands() == 0 && !team.getProcBindKindAttr() &&
         !team.getPrivateSymsAttr() && !team.getReductionSymsAttr() &&
         team.getRegion().hasOneBlock() &&
         team.getRegion().front().getNumArguments() == 0;
}

Role classify(Operation *op) {
  if (auto team = dyn_cast<omp::ParallelOp>(op))
    return isPlainTeam(team) ? Role::Team : Role::Outside;
  if (op->getNumRegions() == 0)
    return isMemoryEffectFree(op) ? Role::Replicated : Role::Outside;
  // Structured control flow whose bounds and conditions are computed
  // without reading memory runs identically in every thread, so the
  // worksharing loops inside meet every thread in the same order.
  if (!isa<scf::ForOp, scf::IfOp>(op))
    return Role::Outside;
  Role role = Role::Replicated;
  for (Region &region : op->getRegions())
    for (Operation &nested : region.getOps()) {
      Role inner = classify(&nested);
      if (inner == Role::Outside)
        return Role::Outside;
      if (inner == Role::Team)
        role = Role::Team;
    }
  return role;
}

/// memref.alloc whose sizes are known before `start`: it can run once,
/// before the merged region, instead of once per thread.
bool isHoistableAlloc(Operation *op, Operation *start) {
  if (!isa<memref::AllocOp>(op))
    return false;
  return llvm::all_of(op->getOperands(), [&](Value size) {
    Operation *def = size.getDefiningOp();
    return !def || def->getBlock() != start->getBlock() ||
           def->isBeforeInBlock(start);
  });
}

/// Replaces `team` by its body; a barrier takes the place of its join
/// unless the body ends in a worksharing loop, whose own barrier does.
void dissolve(omp::ParallelOp team) {
  Block &body = team.getRegion().front();
  Operation *last = body.getTerminator()->getPrevNode();
  auto loop = dyn_cast_or_null<omp::WsloopOp>(last);
  if (!loop || loop.getNowait()) {
    OpBuilder b(body.getTerminator());
    omp::BarrierOp::create(b, team.getLoc());
  }
  body.getTerminator()->erase();
  team->getBlock()->getOperations().splice(team->getIterator(),
                                           body.getOperations());
  team->erase();
}

/// Runs ops [first, last] of one block in one team.
void merge(Operation *first, Operation *last, ArrayRef<Operation *> hoisted) {
  for (Operation *alloc : hoisted)
    alloc->moveBefore(first);
  OpBuilder b(first);
  auto merged =
      omp::ParallelOp::create(b, first->getLoc(), omp::ParallelOperands());
  Block *body = b.createBlock(&merged.getRegion());
  body->getOperations().splice(body->end(), first->getBlock()->getOperations(),
                               first->getIterator(),
                               std::next(last->getIterator()));
  b.setInsertionPointToEnd(body);
  omp::TerminatorOp::create(b, merged.getLoc());
  SmallVector<omp::ParallelOp> teams;
  body->walk([&](omp::ParallelOp team) { teams.push_back(team); });
  for (omp::ParallelOp team : teams)
    dissolve(team);
}

/// Whether a value defined by ops [first, last], other than the hoisted
/// ones, is used after them.
bool escapes(Operation *first, Operation *last, ArrayRef<Operation *> hoisted) {
  for (Operation *op = first;; op = op->getNextNode()) {
    if (!llvm::is_contained(hoisted, op))
      for (Value result : op->getResults())
        for (Operation *user : result.getUsers()) {
          Operation *ancestor = op->getBlock()->findAncestorOpInBlock(*user);
          if (ancestor && last->isBeforeInBlock(ancestor))
            return true;
        }
    if (op == last)
      return false;
  }
}

/// Merges the runs of two or more teams in `block`, the ops between them
/// replicated or hoisted.
void mergeRuns(Block &block) {
  Operation *first = nullptr, *last = nullptr;
  int teams = 0;
  SmallVector<Operation *> hoisted;
  auto flush = [&]() {
    // The run ends at its last team; allocs past it stay where they are.
    llvm::erase_if(hoisted, [&](Operation *alloc) {
      return last->isBeforeInBlock(alloc);
    });
    if (teams >= 2 && !escapes(first, last, hoisted))
      merge(first, last, hoisted);
    first = last = nullptr;
    teams = 0;
    hoisted.clear();
  };
  for (Operation &op : llvm::make_early_inc_range(block)) {
    Role role = classify(&op);
    if (role == Role::Team) {
      if (!first)
        first = &op;
      last = &op;
      ++teams;
      continue;
    }
    if (!first)
      continue;
    if (role == Role::Replicated)
      continue;
    if (isHoistableAlloc(&op, first)) {
      hoisted.push_back(&op);
      continue;
    }
    flush();
  }
  flush();
}

struct MergeParallelRegionsPass
    : loom::impl::MergeParallelRegionsBase<MergeParallelRegionsPass> {
  void runOnOperation() override {
    SmallVector<Block *> blocks;
    getOperation()->walk([&](Block *block) {
      if (!block->getParentOp()->getParentOfType<omp::ParallelOp>() &&
          !isa<omp::ParallelOp>(block->getParentOp()))
        blocks.push_back(block);
    });
    for (Block *block : blocks)
      mergeRuns(*block);
  }
};

} // namespace

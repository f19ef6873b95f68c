//===- FuseRowMoves.cpp - Dispatch and combine into the expert GEMMs ------===//
//
// moe.md §3.3: a post-score moe.dispatch only copies token rows into the
// grouped buffer, which the first GEMM then reads; and a moe.combine only
// scales the second GEMM's rows by the combine weights and adds them into
// their tokens. Both become operands of the GEMMs (`gather`, `row_scale` +
// `scatter`), so neither buffer of T * k rows is written or read again.
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/MoE/Transforms/Builders.h"
#include "loom/Dialect/MoE/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom::moe {
#define GEN_PASS_DEF_MOEFUSE
#include "loom/Dialect/MoE/Transforms/Passes.h.inc"
} // namespace mlir::loom::moe

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

/// The assign whose plan (ids, locations, offsets) a row move follows.
AssignOp planOf(Value ids, Value locations, Value offsets) {
  auto assign = locations.getDefiningOp<AssignOp>();
  if (!assign || assign.getLocations() != locations || assign.getIds() != ids ||
      assign.getOffsets() != offsets)
    return {};
  return assign;
}

int64_t slotsOf(AssignOp assign) {
  return cast<RankedTensorType>(assign.getIds().getType()).getDimSize(1);
}

/// combine(gemm(h)) -> gemm(h) row_scale w scatter tokens into init.
void fuseCombine(CombineOp combine) {
  auto gemm = combine.getRows().getDefiningOp<GroupedMatmulOp>();
  AssignOp assign =
      planOf(combine.getIds(), combine.getLocations(), combine.getOffsets());
  if (!gemm || !assign || !gemm->hasOneUse() || gemm.getScatter() ||
      gemm.getRowScale() || gemm.getOffsets() != combine.getOffsets())
    return;
  OpBuilder builder(combine);
  ImplicitLocOpBuilder b(combine.getLoc(), builder);
  auto type = cast<RankedTensorType>(combine.getType());
  Value init = combine.getInit();
  if (!init) {
    Value tokens = tensor::DimOp::create(b, combine.getIds(), 0);
    Value zero = arith::ConstantOp::create(
        b, b.getFloatAttr(type.getElementType(), 0.0));
    init = linalg::FillOp::create(
               b, zero,
               tensor::EmptyOp::create(b, type,
                                       type.isDynamicDim(0) ? ValueRange{tokens}
                                                            : ValueRange{})
                   .getResult())
               .getResult(0);
  } else if (init.getType() != type) {
    init = tensor::CastOp::create(b, type, init);
  }
  int64_t k = slotsOf(assign);
  Value weights =
      combine.getWeights()
          ? buildRowWeights(b, assign.getRows(), combine.getWeights(), k)
          : Value();
  auto fused = GroupedMatmulOp::create(
      b, type, gemm.getInput(), gemm.getWeights(), gemm.getOffsets(),
      gemm.getCounts(), gemm.getBias(), weights, gemm.getGather(),
      buildRowTokens(b, assign.getRows(), k), init, gemm.getEpilogue(),
      gemm.getTileAttr());
  combine.replaceAllUsesWith(fused.getResult());
  combine.erase();
  gemm.erase();
}

/// gemm(dispatch(x)) -> gemm(x) gather tokens, for unscaled dispatches.
void fuseDispatch(DispatchOp dispatch) {
  AssignOp assign =
      planOf(dispatch.getIds(), dispatch.getLocations(), dispatch.getOffsets());
  if (!assign || dispatch.getScale())
    return;
  for (OpOperand &use : llvm::make_early_inc_range(dispatch->getUses())) {
    auto gemm = dyn_cast<GroupedMatmulOp>(use.getOwner());
    if (!gemm || use.getOperandNumber() != 0 || gemm.getGather() ||
        gemm.getOffsets() != dispatch.getOffsets())
      continue;
    OpBuilder builder(gemm);
    ImplicitLocOpBuilder b(gemm.getLoc(), builder);
    auto fused = GroupedMatmulOp::create(
        b, gemm.getType(), dispatch.getX(), gemm.getWeights(),
        gemm.getOffsets(), gemm.getCounts(), gemm.getBias(), gemm.getRowScale(),
        buildRowTokens(b, assign.getRows(), slotsOf(assign)), gemm.getScatter(),
        gemm.getInit(), gemm.getEpilogue(), gemm.getTileAttr());
    gemm.replaceAllUsesWith(fused.getResult());
    gemm.erase();
  }
  if (dispatch->use_empty())
    dispatch.erase();
}

struct MoEFusePass : mlir::loom::moe::impl::MoEFuseBase<MoEFusePass> {
  void runOnOperation() override {
    SmallVector<CombineOp> combines;
    SmallVector<DispatchOp> dispatches;
    getOperation()->walk([&](Operation *op) {
      if (auto combine = dyn_cast<CombineOp>(op))
        combines.push_back(combine);
      else if (auto dispatch = dyn_cast<DispatchOp>(op))
        dispatches.push_back(dispatch);
    });
    for (CombineOp combine : combines)
      fuseCombine(combine);
    for (DispatchOp dispatch : dispatches)
      fuseDispatch(dispatch);
  }
};

} // namespace

//===- MoEToVector.cpp - The moe dialect's optimized CPU lowering ---------===//
//
// The expert GEMMs and the router's logits become the vector kernel of
// GroupedGemmKernel.cpp, top-k the vector selection of TopK.cpp, dispatch
// and combine (where moe-fuse left them) the row moves of RowMoves.cpp;
// assign (T * k scalar steps) and group-limited top-k are left to
// convert-moe-to-loops.
//
//===----------------------------------------------------------------------===//

#include "GroupedGemmKernel.h"
#include "RowMoves.h"
#include "TopK.h"

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "loom/Dialect/MoE/Transforms/Builders.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTMOETOVECTOR
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;

namespace {

/// Every op of type OpT under `root`, collected before any is rewritten.
template <typename OpT> SmallVector<OpT> collect(Operation *root) {
  SmallVector<OpT> ops;
  root->walk([&](OpT op) { ops.push_back(op); });
  return ops;
}

/// The router's T x E dot products are a dense layer: one expert over every
/// token, computed by the grouped GEMM kernel (the reference lowering's
/// scalar dot chains took 4 % of a T = 512 layer); f16/bf16 gates stay.
/// A top-k that alone reads the scores takes them from the logits in
/// registers (moe.md §3.3's fused routing).
void lowerGates(Operation *root) {
  for (GateOp op : collect<GateOp>(root)) {
    if (!getElementTypeOrSelf(op.getX().getType()).isF32() ||
        !getElementTypeOrSelf(op.getRouter().getType()).isF32())
      continue;
    OpBuilder builder(op);
    ImplicitLocOpBuilder b(op.getLoc(), builder);
    Value logits = buildAllRowsMatmul(b, op.getX(), op.getRouter(),
                                      op.getType(), Value(), Activation::None);
    // Gate, score function and top-k in one pass over the tokens when the
    // top-k is the scores' only reader (no aux loss, no BPR priority).
    auto topk = op->hasOneUse() ? dyn_cast<TopKOp>(*op->getUsers().begin())
                                : TopKOp();
    if (topk && topk.getScores() == op.getResult() && canEmitTopK(topk)) {
      OpBuilder at(topk);
      auto [ids, weights] = emitGateTopK(at, topk, logits, op.getScoring());
      topk.getIds().replaceAllUsesWith(ids);
      topk.getWeights().replaceAllUsesWith(weights);
      topk.erase();
      op.erase();
      continue;
    }
    op.replaceAllUsesWith(buildRouterScores(b, logits, op.getScoring()));
    op.erase();
  }
}

void lowerTopKs(Operation *root) {
  for (TopKOp op : collect<TopKOp>(root)) {
    if (!canEmitTopK(op))
      continue;
    OpBuilder b(op);
    auto [ids, weights] = emitTopK(b, op);
    op.getIds().replaceAllUsesWith(ids);
    op.getWeights().replaceAllUsesWith(weights);
    op.erase();
  }
}

void lowerRowMoves(Operation *root) {
  for (DispatchOp op : collect<DispatchOp>(root)) {
    OpBuilder b(op);
    op.replaceAllUsesWith(emitDispatch(b, op));
    op.erase();
  }
  for (CombineOp op : collect<CombineOp>(root)) {
    OpBuilder b(op);
    op.replaceAllUsesWith(emitCombine(b, op));
    op.erase();
  }
}

/// Each GEMM takes its own tile (moe-select-strategy's) or `fallback`.
void lowerGroupedMatmuls(Operation *root, GemmTile fallback) {
  for (GroupedMatmulOp op : collect<GroupedMatmulOp>(root)) {
    OpBuilder b(op);
    TileAttr tile = op.getTileAttr();
    op.replaceAllUsesWith(emitGroupedGemm(
        b, op,
        tile ? GemmTile{tile.getRows(), tile.getWeightRows()} : fallback));
    op.erase();
  }
}

/// The epilogues' exp / erf / tanh on vectors become upstream's polynomials
/// instead of sixteen libm calls per vector.
LogicalResult approximateVectorMath(Operation *root) {
  SmallVector<Operation *> math;
  root->walk([&](Operation *op) {
    if (isa<math::ExpOp, math::ErfOp, math::TanhOp>(op) &&
        isa<VectorType>(op->getResult(0).getType()))
      math.push_back(op);
  });
  RewritePatternSet patterns(root->getContext());
  populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
    return name == math::ExpOp::getOperationName() ||
           name == math::ErfOp::getOperationName() ||
           name == math::TanhOp::getOperationName();
  });
  return applyOpPatternsGreedily(math, std::move(patterns));
}

struct ConvertMoEToVectorPass
    : loom::impl::ConvertMoEToVectorBase<ConvertMoEToVectorPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(moe::TileAttr::verifyInvariants(
            [&] {
              return emitError(getOperation().getLoc())
                     << "convert-moe-to-vector: row-tile and column-tile: ";
            },
            rowTile, columnTile)))
      return signalPassFailure();
    // Gates first: they become grouped GEMMs the last step lowers.
    lowerGates(getOperation());
    lowerTopKs(getOperation());
    lowerRowMoves(getOperation());
    lowerGroupedMatmuls(getOperation(), GemmTile{rowTile, columnTile});
    if (failed(approximateVectorMath(getOperation())))
      signalPassFailure();
  }
};

} // namespace

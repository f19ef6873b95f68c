//===- MoEToVector.cpp - The moe dialect's optimized CPU lowering ---------===//
//
// The expert GEMMs and the router's logits become the vector kernel of
// GroupedGemmKernel.cpp, dispatch and combine the row moves of
// RowMoves.cpp; top-k and assign (T * k scalar steps) are left to
// convert-moe-to-loops.
//
//===----------------------------------------------------------------------===//

#include "GroupedGemmKernel.h"
#include "RowMoves.h"

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

struct ConvertMoEToVectorPass
    : loom::impl::ConvertMoEToVectorBase<ConvertMoEToVectorPass> {
  using Base::Base;

  void runOnOperation() override {
    if (rowTile < 1 || columnTile < 2 || columnTile % 2) {
      getOperation().emitError()
          << "convert-moe-to-vector: row-tile must be >= 1 and column-tile "
             "an even number >= 2, got "
          << int64_t(rowTile) << " and " << int64_t(columnTile);
      return signalPassFailure();
    }
    GemmTile tile{rowTile, columnTile};
    // The router's T x E dot products are a dense layer: one expert over
    // every token, computed by the same kernel (the reference lowering's
    // scalar dot chains took 4 % of a T = 512 layer).
    SmallVector<GateOp> gates;
    getOperation()->walk([&](GateOp op) {
      if (getElementTypeOrSelf(op.getX().getType()).isF32() &&
          getElementTypeOrSelf(op.getRouter().getType()).isF32())
        gates.push_back(op);
    });
    for (GateOp op : gates) {
      OpBuilder builder(op);
      ImplicitLocOpBuilder b(op.getLoc(), builder);
      Value logits =
          buildAllRowsMatmul(b, op.getX(), op.getRouter(), op.getType(),
                             Value(), Activation::None);
      op.replaceAllUsesWith(buildRouterScores(b, logits, op.getScoring()));
      op.erase();
    }
    SmallVector<Operation *> moves;
    getOperation()->walk([&](Operation *op) {
      if (isa<DispatchOp, CombineOp>(op))
        moves.push_back(op);
    });
    for (Operation *op : moves) {
      OpBuilder b(op);
      Value result = isa<DispatchOp>(op) ? emitDispatch(b, cast<DispatchOp>(op))
                                         : emitCombine(b, cast<CombineOp>(op));
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
    }
    SmallVector<GroupedMatmulOp> gemms;
    getOperation()->walk([&](GroupedMatmulOp op) { gemms.push_back(op); });
    SmallVector<Operation *> math;
    for (GroupedMatmulOp op : gemms) {
      OpBuilder b(op);
      Value result = emitGroupedGemm(b, op, tile);
      op.replaceAllUsesWith(result);
      op.erase();
    }
    // The epilogue's exp / erf / tanh on vectors: polynomials instead of
    // sixteen libm calls per vector.
    getOperation()->walk([&](Operation *op) {
      if (isa<math::ExpOp, math::ErfOp, math::TanhOp>(op) &&
          isa<VectorType>(op->getResult(0).getType()))
        math.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == math::ExpOp::getOperationName() ||
             name == math::ErfOp::getOperationName() ||
             name == math::TanhOp::getOperationName();
    });
    if (failed(applyOpPatternsGreedily(math, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

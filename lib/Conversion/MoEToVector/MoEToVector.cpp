//===- MoEToVector.cpp - The moe dialect's optimized CPU lowering ---------===//
//
// The expert GEMMs become the vector kernel of GroupedGemmKernel.cpp; the
// routing ops are left to convert-moe-to-loops, which they cost little next
// to (moe.md §0: 2-4 % of the layer).
//
//===----------------------------------------------------------------------===//

#include "GroupedGemmKernel.h"

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/MoE/IR/MoEOps.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
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

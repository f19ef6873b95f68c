//===- FusePrecompute.cpp - Tables built from an elementwise producer -----===//

#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::lut {
#define GEN_PASS_DEF_LUTFUSEPRECOMPUTE
#include "loom/Dialect/Lut/Transforms/Passes.h.inc"
} // namespace mlir::loom::lut

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// Fp activations without x_scale: the only precomputes a producer can
/// feed (i8 activations come quantized from elsewhere).
bool isFusablePrecompute(Operation *user) {
  auto precompute = dyn_cast<TablePrecomputeOp>(user);
  return precompute && !precompute.getXScale() &&
         isa<FloatType>(getElementTypeOrSelf(precompute.getX().getType()));
}

/// A two-loop all-parallel generic with one result written through the
/// identity map, whose body reads only its inputs (not the init) and
/// consists of ops a fused producer admits.
bool isElementwiseProducer(linalg::GenericOp generic) {
  if (generic.getNumDpsInits() != 1 || generic.getNumLoops() != 2 ||
      generic.getNumReductionLoops() != 0 || !generic.hasPureTensorSemantics())
    return false;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!generic.getMatchingIndexingMap(init).isIdentity() ||
      !generic.getMatchingBlockArgument(init).use_empty())
    return false;
  // Scalar inputs (a linalg.generic may take them) are values from outside
  // to the fused op; only tensors are its inputs.
  for (OpOperand *input : generic.getDpsInputOperands())
    if (!isa<RankedTensorType>(input->get().getType()) ||
        !generic.getMatchingIndexingMap(input).isProjectedPermutation())
      return false;
  return llvm::all_of(
      generic.getBody()->without_terminator(),
      [](Operation &op) { return FusedTablePrecomputeOp::isProducerOp(&op); });
}

struct FusePrecomputeIntoProducer : OpRewritePattern<TablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    auto producer = op.getX().getDefiningOp<linalg::GenericOp>();
    if (!producer || !isFusablePrecompute(op) ||
        !isElementwiseProducer(producer))
      return rewriter.notifyMatchFailure(
          op, "activations not from an elementwise linalg.generic");
    // Another user would still need the activations in memory: fusing would
    // then only add work.
    if (!llvm::all_of(producer->getUsers(), isFusablePrecompute))
      return rewriter.notifyMatchFailure(op, "producer has other users");

    SmallVector<Attribute> maps;
    for (OpOperand *input : producer.getDpsInputOperands())
      maps.push_back(
          AffineMapAttr::get(producer.getMatchingIndexingMap(input)));
    Type tscale = op.getTscale() ? op.getTscale().getType() : Type();
    auto fused = FusedTablePrecomputeOp::create(
        rewriter, op.getLoc(), op.getTable().getType(), op.getXsum().getType(),
        tscale, producer.getDpsInputs(), rewriter.getArrayAttr(maps), op.getG(),
        op.getSegment(), op.getMirror(), op.getAccuracyAttr());

    Block *source = producer.getBody();
    Block *body = rewriter.createBlock(&fused.getProducer());
    IRMapping mapping;
    for (OpOperand *input : producer.getDpsInputOperands()) {
      BlockArgument arg = producer.getMatchingBlockArgument(input);
      mapping.map(arg, body->addArgument(arg.getType(), arg.getLoc()));
    }
    for (Operation &inner : source->without_terminator())
      rewriter.clone(inner, mapping);
    YieldOp::create(rewriter, producer.getLoc(),
                    mapping.lookup(source->getTerminator()->getOperand(0)));
    rewriter.replaceOp(op, fused.getResults());
    return success();
  }
};

struct LutFusePrecomputePass
    : mlir::loom::lut::impl::LutFusePrecomputeBase<LutFusePrecomputePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FusePrecomputeIntoProducer>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

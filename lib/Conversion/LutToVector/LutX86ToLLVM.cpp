//===- LutX86ToLLVM.cpp - The convert-lut-x86-to-llvm pass ----------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTLUTX86TOLLVM
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

struct PshufbToIntrinsic : OpRewritePattern<lut::X86PshufbOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(lut::X86PshufbOp op,
                                PatternRewriter &rewriter) const override {
    StringRef intrinsic = op.getType().getNumElements() == 64
                              ? "llvm.x86.avx512.pshuf.b.512"
                              : "llvm.x86.avx2.pshuf.b";
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr(intrinsic),
        ValueRange{op.getTable(), op.getIndices()});
    return success();
  }
};

struct PmaddubswToIntrinsic : OpRewritePattern<lut::X86PmaddubswOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(lut::X86PmaddubswOp op,
                                PatternRewriter &rewriter) const override {
    StringRef intrinsic = op.getA().getType().getNumElements() == 64
                              ? "llvm.x86.avx512.pmaddubs.w.512"
                              : "llvm.x86.avx2.pmadd.ub.sw";
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr(intrinsic),
        ValueRange{op.getA(), op.getB()});
    return success();
  }
};

struct VpdpbusdToIntrinsic : OpRewritePattern<lut::X86VpdpbusdOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(lut::X86VpdpbusdOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(),
        rewriter.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
        ValueRange{op.getAcc(), op.getA(), op.getB()});
    return success();
  }
};

struct ConvertLutX86ToLLVMPass
    : loom::impl::ConvertLutX86ToLLVMBase<ConvertLutX86ToLLVMPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PmaddubswToIntrinsic, PshufbToIntrinsic, VpdpbusdToIntrinsic>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

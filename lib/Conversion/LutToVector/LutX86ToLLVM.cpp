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

/// The intrinsic each target op stands for; its operands are the
/// intrinsic's, in order (vpermb's table first, as clang's builtin takes it).
StringRef intrinsicOf(lut::X86PshufbOp op) {
  return op.getType().getNumElements() == 64 ? "llvm.x86.avx512.pshuf.b.512"
                                             : "llvm.x86.avx2.pshuf.b";
}
StringRef intrinsicOf(lut::X86VpermbOp) {
  return "llvm.x86.avx512.permvar.qi.512";
}
StringRef intrinsicOf(lut::X86PmaddubswOp op) {
  return op.getA().getType().getNumElements() == 64
             ? "llvm.x86.avx512.pmaddubs.w.512"
             : "llvm.x86.avx2.pmadd.ub.sw";
}
StringRef intrinsicOf(lut::X86VpdpbusdOp) {
  return "llvm.x86.avx512.vpdpbusd.512";
}

template <typename OpT> struct ToIntrinsic : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr(intrinsicOf(op)),
        op->getOperands());
    return success();
  }
};

struct ConvertLutX86ToLLVMPass
    : loom::impl::ConvertLutX86ToLLVMBase<ConvertLutX86ToLLVMPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<ToIntrinsic<lut::X86PmaddubswOp>, ToIntrinsic<lut::X86PshufbOp>,
             ToIntrinsic<lut::X86VpdpbusdOp>, ToIntrinsic<lut::X86VpermbOp>>(
            &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

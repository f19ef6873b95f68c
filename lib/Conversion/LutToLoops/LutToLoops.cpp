//===- LutToLoops.cpp - The convert-lut-to-loops pass ---------------------===//
//
// Every packed (or stacked) weight is replaced by its logical tensors (codes,
// scales, offsets) through a 1:N type conversion, so no lowering here depends
// on a byte layout. The patterns live in ReferenceGemm.cpp and TableLookup.cpp.
//
//===----------------------------------------------------------------------===//

#include "LoweringHelpers.h"

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Dialect/Lut/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTLUTTOLOOPS
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

namespace {

struct ConvertLutToLoopsPass
    : loom::impl::ConvertLutToLoopsBase<ConvertLutToLoopsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    TypeConverter converter;
    converter.addConversion([](Type type) { return type; });
    converter.addConversion(
        [](PackedType type, SmallVectorImpl<Type> &results) {
          llvm::append_range(results, type.getLogicalTypes());
          return success();
        });
    converter.addConversion(
        [](StackedType type, SmallVectorImpl<Type> &results) {
          SmallVector<Type> expert = type.getElement().getLogicalTypes();
          for (int64_t e = 0; e < type.getCount(); ++e)
            llvm::append_range(results, expert);
          return success();
        });

    ConversionTarget target(*ctx);
    target.addIllegalDialect<LutDialect>();
    // Target ops of the vector kernels: lowered to LLVM after bufferization.
    target
        .addLegalOp<X86PmaddubswOp, X86PshufbOp, X86VpdpbusdOp, X86VpermbOp>();
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return converter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    lowering::populateReferenceGemmPatterns(converter, patterns);
    lowering::populateTableLookupPatterns(converter, patterns);
    lowering::populateIntegerDotPatterns(converter, patterns);
    lowering::populateStackedWeightPatterns(converter, patterns);
    populateLinearToMpGemmPatterns(patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    scf::populateSCFStructuralTypeConversions(converter, patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

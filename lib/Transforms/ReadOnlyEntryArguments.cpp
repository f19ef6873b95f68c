//===- ReadOnlyEntryArguments.cpp - Entry inputs are the caller's ---------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::loom {
#define GEN_PASS_DEF_READONLYENTRYARGUMENTS
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {
struct ReadOnlyEntryArgumentsPass
    : loom::impl::ReadOnlyEntryArgumentsBase<ReadOnlyEntryArgumentsPass> {
  void runOnOperation() override {
    auto readOnly = BoolAttr::get(&getContext(), false);
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (!fn.isPublic() || fn.isExternal())
        continue;
      for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
        if (isa<TensorType>(type))
          fn.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                        readOnly);
    }
  }
};
} // namespace

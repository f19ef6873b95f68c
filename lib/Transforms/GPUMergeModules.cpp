//===- GPUMergeModules.cpp - The loom-gpu-merge-modules pass --------------===//

#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::loom {
#define GEN_PASS_DEF_GPUMERGEMODULES
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {

struct GPUMergeModulesPass
    : loom::impl::GPUMergeModulesBase<GPUMergeModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernels(module.getOps<gpu::GPUModuleOp>());
    if (kernels.size() < 2)
      return;
    gpu::GPUModuleOp target = kernels.front();
    SymbolTable targetSymbols(target);
    // Per merged module, its symbols renamed on a clash.
    llvm::DenseMap<StringAttr, llvm::DenseMap<StringAttr, StringAttr>> moved;
    for (gpu::GPUModuleOp source : ArrayRef(kernels).drop_front()) {
      if (source.getTargetsAttr() != target.getTargetsAttr()) {
        source.emitError("cannot merge kernels compiled for other targets "
                         "than ")
            << target.getSymName();
        return signalPassFailure();
      }
      // A clashing symbol is renamed with its uses inside the source.
      SymbolTable sourceSymbols(source);
      llvm::DenseMap<StringAttr, StringAttr> &renamed =
          moved[source.getSymNameAttr()];
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations())) {
        auto symbol = dyn_cast<SymbolOpInterface>(&op);
        if (!symbol || !targetSymbols.lookup(symbol.getName()))
          continue;
        StringAttr old = symbol.getNameAttr();
        FailureOr<StringAttr> name =
            sourceSymbols.renameToUnique(&op, {&targetSymbols});
        if (failed(name))
          return signalPassFailure();
        renamed[old] = *name;
      }
      for (Operation &op :
           llvm::make_early_inc_range(source.getBody()->getOperations()))
        if (!op.hasTrait<OpTrait::IsTerminator>()) {
          op.moveBefore(target.getBody(), target.getBody()->end());
          targetSymbols.insert(&op);
        }
      source.erase();
    }
    // Launches name their kernel as @module::@kernel: one walk retargets
    // them all.
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto found = moved.find(launch.getKernelModuleName());
      if (found == moved.end())
        return;
      StringAttr kernel = launch.getKernelName();
      launch.setKernelAttr(SymbolRefAttr::get(
          target.getSymNameAttr(),
          {FlatSymbolRefAttr::get(found->second.lookup_or(kernel, kernel))}));
    });
  }
};

} // namespace

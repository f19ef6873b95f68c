//===- ObjectEmission.h - LLVM dialect to object and library ----*- C++ -*-===//
#ifndef LOOM_TARGET_OBJECTEMISSION_H
#define LOOM_TARGET_OBJECTEMISSION_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace mlir::loom {

struct CodegenOptions {
  std::string cpu;      // empty: the host CPU
  std::string features; // empty: the host CPU's features
  unsigned optLevel = 2;
};

/// Whether the host triple's target knows `options`' CPU and features
/// (`+name` or `-name`); `error` says which one it does not.
LogicalResult checkCodegenOptions(const CodegenOptions &options,
                                  std::string &error);

/// A target machine for the host triple with `options` (host CPU and
/// features by default); null and `error` set if the target is unknown or
/// the options fail checkCodegenOptions.
std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(const CodegenOptions &options, std::string &error);

/// The vector ISA the kernels of convert-lut-to-vector (and the choices of
/// lut-select-strategy) target for `machine`:
/// "avx512-vnni" (AVX-512BW and VNNI), "avx512" (AVX-512BW), "avx2", or
/// "generic".
StringRef kernelIsa(const llvm::TargetMachine &machine);

/// The instruction-set features `machine` compiles for that a model checks
/// at run time, as `__builtin_cpu_supports` names (x86 only; empty
/// elsewhere).
SmallVector<StringRef> requiredCpuFeatures(const llvm::TargetMachine &machine);

/// Translates a module in the LLVM dialect to LLVM IR for `machine`, and
/// optimizes it at `optLevel`.
std::unique_ptr<llvm::Module> translateAndOptimize(ModuleOp module,
                                                   llvm::LLVMContext &context,
                                                   llvm::TargetMachine &machine,
                                                   unsigned optLevel,
                                                   std::string &error);

/// Writes `module` as an object file.
LogicalResult emitObjectFile(llvm::Module &module, llvm::TargetMachine &machine,
                             StringRef path, std::string &error);

/// Links `objectPath` and the generated entry-point C source into a shared
/// library with the system C++ compiler, together with Loom's runtime (and
/// LLVM's OpenMP runtime if `openmp`: the object has parallel loops). Every
/// symbol must resolve (-z defs): a model that needs anything more fails
/// here, not when it is loaded.
LogicalResult linkSharedLibrary(StringRef objectPath, StringRef entrySource,
                                StringRef outputPath, std::string &error,
                                bool openmp = false);

struct EntrySignature;

/// The whole back end for a module already in the LLVM dialect: LLVM IR,
/// optimization, an object for the host, the entry-point table for
/// `entries`, and the shared library at `outputPath`. On failure,
/// `*failedToLink` (if given) tells a link failure from a code-generation one.
LogicalResult buildSharedLibrary(ModuleOp module,
                                 ArrayRef<EntrySignature> entries,
                                 const CodegenOptions &options,
                                 StringRef outputPath, std::string &error,
                                 bool *failedToLink = nullptr);

/// The PTX text of the GPU kernels of a lowered `module` (its gpu.binary,
/// serialized as assembly); fails when it has none.
FailureOr<std::string> extractPtx(ModuleOp module);

} // namespace mlir::loom

#endif // LOOM_TARGET_OBJECTEMISSION_H

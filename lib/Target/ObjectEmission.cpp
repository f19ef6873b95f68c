//===- ObjectEmission.cpp - LLVM dialect to object and library ------------===//

#include "loom/Target/ObjectEmission.h"
#include "loom/Target/ModelInterface.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

/// The host triple's target, registered on first use; null with `error`.
static const llvm::Target *hostTarget(const llvm::Triple &triple,
                                      std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  return llvm::TargetRegistry::lookupTarget(triple, error);
}

/// checkCodegenOptions against an already looked-up `target`.
static LogicalResult checkOptionsFor(const llvm::Target &target,
                                     const llvm::Triple &triple,
                                     const loom::CodegenOptions &options,
                                     std::string &error) {
  // LLVM only warns about a CPU or feature it does not know and then
  // compiles for a generic one: a typo would silently change the kernels.
  std::unique_ptr<llvm::MCSubtargetInfo> known(
      target.createMCSubtargetInfo(triple, "", ""));
  if (!options.cpu.empty() && !known->isCPUStringValid(options.cpu)) {
    error = "'" + options.cpu + "' is not a CPU of " + triple.str();
    return failure();
  }
  for (StringRef feature : llvm::split(options.features, ',')) {
    if (feature.empty())
      continue;
    StringRef name = feature.drop_front();
    bool valid = (feature.front() == '+' || feature.front() == '-') &&
                 llvm::any_of(known->getAllProcessorFeatures(),
                              [&](const llvm::SubtargetFeatureKV &kv) {
                                return name == kv.Key;
                              });
    if (!valid) {
      error = "'" + feature.str() + "' is not a feature of " + triple.str() +
              " (features are +name or -name)";
      return failure();
    }
  }
  return success();
}

LogicalResult loom::checkCodegenOptions(const CodegenOptions &options,
                                        std::string &error) {
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target = hostTarget(triple, error);
  return success(target &&
                 succeeded(checkOptionsFor(*target, triple, options, error)));
}

std::unique_ptr<llvm::TargetMachine>
loom::createHostTargetMachine(const CodegenOptions &options,
                              std::string &error) {
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target = hostTarget(triple, error);
  if (!target || failed(checkOptionsFor(*target, triple, options, error)))
    return nullptr;
  std::string cpu =
      options.cpu.empty() ? llvm::sys::getHostCPUName().str() : options.cpu;
  std::string features = options.features;
  if (features.empty() && options.cpu.empty()) {
    llvm::SubtargetFeatures host;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      host.AddFeature(name, enabled);
    features = host.getString();
  }
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      options.optLevel >= 2 ? llvm::CodeGenOptLevel::Aggressive
                            : llvm::CodeGenOptLevel::Default));
  if (!machine)
    error = "cannot create a target machine for " + triple.str();
  return machine;
}

StringRef loom::kernelIsa(const llvm::TargetMachine &machine) {
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  if (info->checkFeatures("+avx512bw")) {
    if (!info->checkFeatures("+avx512vnni"))
      return "avx512";
    return info->checkFeatures("+avx512vbmi") ? "avx512-vbmi" : "avx512-vnni";
  }
  return info->checkFeatures("+avx2") ? "avx2" : "generic";
}

SmallVector<StringRef>
loom::requiredCpuFeatures(const llvm::TargetMachine &machine) {
  // LLVM and __builtin_cpu_supports spell these the same way.
  static const char *const checked[] = {
      "avx",      "avx2",       "fma",        "f16c",       "bmi2",
      "gfni",     "avxvnni",    "avx512f",    "avx512bw",   "avx512dq",
      "avx512vl", "avx512vbmi", "avx512vnni", "avx512bf16", "avx512fp16"};
  SmallVector<StringRef> features;
  if (!machine.getTargetTriple().isX86())
    return features;
  const llvm::MCSubtargetInfo *info = machine.getMCSubtargetInfo();
  for (const char *feature : checked)
    if (info->checkFeatures(("+" + StringRef(feature)).str()))
      features.push_back(feature);
  return features;
}

std::unique_ptr<llvm::Module>
loom::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                           llvm::TargetMachine &machine, unsigned optLevel,
                           std::string &error) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  auto optimize = makeOptimizingTransformer(optLevel, 0, &machine);
  if (llvm::Error err = optimize(llvmModule.get())) {
    error = llvm::toString(std::move(err));
    return nullptr;
  }
  return llvmModule;
}

LogicalResult loom::emitObjectFile(llvm::Module &module,
                                   llvm::TargetMachine &machine, StringRef path,
                                   std::string &error) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + path.str() + ": " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, out.os(), nullptr,
                                  llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  out.keep();
  return success();
}

/// The system C++ compiler: $LOOM_CXX, else the first of clang++-22,
/// clang++, c++ on PATH.
static std::string findCompiler() {
  if (const char *env = std::getenv("LOOM_CXX"))
    return env;
  for (StringRef name : {"clang++-22", "clang++", "c++"})
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name))
      return *path;
  return "";
}

LogicalResult loom::linkSharedLibrary(StringRef objectPath,
                                      StringRef entrySource,
                                      StringRef outputPath, std::string &error,
                                      bool openmp) {
  std::string compiler = findCompiler();
  if (compiler.empty()) {
    error = "no C++ compiler found (set LOOM_CXX or install clang-22)";
    return failure();
  }
  std::string include = std::string("-I") + LOOM_RUNTIME_INCLUDE_DIR;
  SmallVector<StringRef> args = {
      compiler, "-shared", "-fPIC", "-O2", "-x", "c", entrySource, "-x", "none",
      objectPath, include,
      // Every function of the runtime ABI, used by the model or not.
      "-Wl,--whole-archive", LOOM_RUNTIME_LIBRARY, "-Wl,--no-whole-archive",
      // The calls LLVM makes for conversions the target lacks (__truncsfbf2).
      LOOM_COMPILER_RT_BUILTINS, "-lm", "-Wl,-z,defs",
      // Calls between the model's own functions bind inside it: a process
      // holding a global symbol of an entry's name (libxml2, via libLLVM,
      // exports `reference`) must not take them over.
      "-Wl,-Bsymbolic", "-o", outputPath};
  std::string rpath =
      "-Wl,-rpath," + llvm::sys::path::parent_path(LOOM_OPENMP_LIBRARY).str();
  if (openmp) {
    args.push_back(LOOM_OPENMP_LIBRARY);
    args.push_back(rpath);
  }
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(compiler, args, std::nullopt, {}, 0, 0,
                                     &message);
  if (rc != 0) {
    error = "linking " + outputPath.str() + " with " + compiler + " failed" +
            (message.empty() ? "" : ": " + message) + " (exit code " +
            std::to_string(rc) + ")";
    return failure();
  }
  return success();
}

LogicalResult loom::buildSharedLibrary(ModuleOp module,
                                       ArrayRef<EntrySignature> entries,
                                       const CodegenOptions &options,
                                       StringRef outputPath, std::string &error,
                                       bool *failedToLink) {
  if (failedToLink)
    *failedToLink = false;
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options, error);
  if (!machine)
    return failure();
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, context, *machine, options.optLevel, error);
  if (!llvmModule)
    return failure();
  // Fixed names in a fresh directory: the C file's name ends up in the
  // library's symbol table, and the same model must give the same bytes.
  SmallString<128> directory, objectPath, entryPath;
  if (llvm::sys::fs::createUniqueDirectory("loom-compile", directory)) {
    error = "cannot create a temporary directory";
    return failure();
  }
  // Declared before the files' removers, so it runs after them.
  llvm::scope_exit removeDirectory([&] { llvm::sys::fs::remove(directory); });
  objectPath = entryPath = directory;
  llvm::sys::path::append(objectPath, "model.o");
  llvm::sys::path::append(entryPath, "loom-entries.c");
  llvm::FileRemover removeObject(objectPath), removeEntries(entryPath);
  if (failed(emitObjectFile(*llvmModule, *machine, objectPath, error)))
    return failure();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(entryPath, ec);
    if (ec) {
      error = "cannot write " + entryPath.str().str();
      return failure();
    }
    emitEntryPointSource(entries, requiredCpuFeatures(*machine),
                         llvmModule->getFunction("mgpuLaunchKernel") != nullptr,
                         os);
  }
  bool openmp = llvmModule->getFunction("__kmpc_fork_call") != nullptr;
  if (succeeded(
          linkSharedLibrary(objectPath, entryPath, outputPath, error, openmp)))
    return success();
  if (failedToLink)
    *failedToLink = true;
  return failure();
}

FailureOr<std::string> loom::extractPtx(ModuleOp module) {
  std::string ptx;
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute attr : binary.getObjectsAttr()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      if (object.getFormat() == gpu::CompilationTarget::Assembly)
        ptx += object.getObject().getValue().str();
    }
  if (ptx.empty())
    return failure();
  return ptx;
}

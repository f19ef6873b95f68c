//===- CompileModel.h - A model module to a shared library ------*- C++ -*-===//
//
// The driver behind loom-compile and the Python package: verify a model,
// run the workflow pipeline (graphs of LLM, tool and code nodes become task
// tables) and the CPU or reference pipeline, then build the shared library
// and its header. Errors inside the IR are reported as MLIR diagnostics with
// the ops' locations; the ones outside it (options, files, the linker) come
// back as a CompileError.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COMPILER_COMPILEMODEL_H
#define LOOM_COMPILER_COMPILEMODEL_H

#include "loom/Target/ModelInterface.h"
#include "loom/Target/ObjectEmission.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir::loom {

/// Which step of compilation failed; loom-compile's exit codes follow it.
enum class CompileStage { Options, Verify, Lower, Codegen, Link, Output };

struct CompileError {
  CompileStage stage = CompileStage::Options;
  /// Empty when the cause was reported as a diagnostic on the IR.
  std::string message;
};

struct ModelCompileOptions {
  CodegenOptions codegen;
  /// "cpu" (loom-cpu-pipeline) or "nvptx" (loom-gpu-pipeline: the lut
  /// GEMMs on an NVIDIA GPU, the rest on the host).
  std::string target = "cpu";
  /// loom-reference-pipeline (the oracles) instead of loom-cpu-pipeline.
  bool referencePipeline = false;
  /// Options of loom-cpu-pipeline (loom-gpu-pipeline for nvptx) in their
  /// textual form; the host's isa unless given.
  std::string pipelineOptions;
  std::string dumpDecisions, loadDecisions;
  /// The pipeline options cost-model (when not empty) and
  /// cost-model-remarks, as flags of their own.
  std::string costModel;
  bool costModelRemarks = false;
  /// Applied to every pass manager before it runs (loom-compile: MLIR's
  /// command-line options for timing and IR printing).
  std::function<LogicalResult(PassManager &)> configurePassManager;
};

/// What a lowered model exports.
struct LoweredModel {
  /// The entry points, or none if collecting them failed (a diagnostic
  /// says why) and they were not required.
  std::optional<std::vector<EntrySignature>> entries;
  /// The wf.graph ops that run on the workflow runtime.
  std::vector<std::string> workflowGraphs;
};

/// Verifies `module` and lowers it in place for `machine`: to bufferized
/// loops if `toLoops`, else to the LLVM dialect. With `requireEntries`, an
/// entry point the C API cannot describe fails before any lowering.
FailureOr<LoweredModel> lowerModel(ModuleOp module,
                                   const llvm::TargetMachine &machine,
                                   const ModelCompileOptions &options,
                                   bool toLoops, bool requireEntries,
                                   CompileError &error);

/// lowerModel, then the shared library at `libraryPath` and its header at
/// `headerPath` (the model is named after the header's stem).
LogicalResult compileModelLibrary(ModuleOp module,
                                  const ModelCompileOptions &options,
                                  StringRef libraryPath, StringRef headerPath,
                                  CompileError &error);

/// The header beside `library`, named after it without "lib".
std::string defaultHeaderPath(StringRef library);

} // namespace mlir::loom

#endif // LOOM_COMPILER_COMPILEMODEL_H

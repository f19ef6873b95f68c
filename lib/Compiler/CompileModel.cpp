//===- CompileModel.cpp - A model module to a shared library --------------===//

#include "loom/Compiler/CompileModel.h"

#include "loom/Conversion/WorkflowToRuntime/TaskTable.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/Dialect/Workflow/IR/WorkflowOps.h"
#include "loom/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

LogicalResult fail(CompileError &error, CompileStage stage,
                   const Twine &message = "") {
  error = {stage, message.str()};
  return failure();
}

LogicalResult runPipeline(ModuleOp module, const ModelCompileOptions &options,
                          function_ref<void(PassManager &)> build) {
  PassManager pm = PassManager::on<ModuleOp>(module.getContext());
  if (options.configurePassManager && failed(options.configurePassManager(pm)))
    return failure();
  build(pm);
  return pm.run(module);
}

/// What a GPU library embeds unless told: a fatbin (the cubin ptxas makes
/// for the chip, plus its PTX for newer devices) where the CUDA tools are
/// installed, else PTX, which the driver compiles when the library loads.
std::string defaultGpuFormat() {
  // PATH first (no extra directories), then CUDA's default install.
  static const StringRef cudaBin[] = {"/usr/local/cuda/bin"};
  for (ArrayRef<StringRef> paths :
       {ArrayRef<StringRef>{}, ArrayRef<StringRef>(cudaBin)}) {
    llvm::ErrorOr<std::string> ptxas =
        llvm::sys::findProgramByName("ptxas", paths);
    if (ptxas && llvm::sys::fs::can_execute(
                     llvm::sys::path::parent_path(*ptxas) + "/fatbinary"))
      return "fatbin";
  }
  return "isa";
}

} // namespace

FailureOr<LoweredModel>
mlir::loom::lowerModel(ModuleOp module, const llvm::TargetMachine &machine,
                       const ModelCompileOptions &options, bool toLoops,
                       bool requireEntries, CompileError &error) {
  if (options.codegen.optLevel > 3)
    return fail(error, CompileStage::Options,
                "-O" + Twine(options.codegen.optLevel) +
                    " is not a level (0-3)");
  if (failed(verify(module)))
    return fail(error, CompileStage::Verify);

  bool gpu = options.target == "nvptx";
  if (!gpu && options.target != "cpu")
    return fail(error, CompileStage::Options,
                "--target must be cpu or nvptx, got '" + options.target + "'");
  if (gpu && (options.referencePipeline || !options.costModel.empty() ||
              !options.dumpDecisions.empty() || !options.loadDecisions.empty()))
    return fail(error, CompileStage::Options,
                "the reference pipeline, --cost-model and decision files "
                "apply to the cpu target only");
  if (gpu && toLoops)
    return fail(error, CompileStage::Options,
                "--compile-to=loops applies to the cpu target only");
  GPUPipelineOptions gpuOptions;
  gpuOptions.isa = kernelIsa(machine).str();
  gpuOptions.cpu = machine.getTargetCPU().str();
  if (gpu)
    gpuOptions.format = defaultGpuFormat();
  if (gpu && failed(gpuOptions.parseFromString(options.pipelineOptions)))
    return fail(error, CompileStage::Options,
                "bad loom-gpu-pipeline options '" + options.pipelineOptions +
                    "'");

  CPUPipelineOptions cpuOptions;
  cpuOptions.isa = kernelIsa(machine).str();
  cpuOptions.cpu = machine.getTargetCPU().str();
  if (!options.pipelineOptions.empty() && options.referencePipeline)
    return fail(error, CompileStage::Options,
                "loom-cpu-pipeline options do not apply to the reference "
                "pipeline");
  if (!gpu && failed(cpuOptions.parseFromString(options.pipelineOptions)))
    return fail(error, CompileStage::Options,
                "bad loom-cpu-pipeline options '" + options.pipelineOptions +
                    "'");
  if (!options.costModel.empty()) {
    if (options.referencePipeline)
      return fail(error, CompileStage::Options,
                  "--cost-model does not apply to the reference pipeline");
    if (!cost::isCostModelOption(options.costModel) &&
        options.costModel != "none")
      return fail(error, CompileStage::Options,
                  "--cost-model must be auto, roofline, none or a directory "
                  "of models, got '" +
                      options.costModel + "'");
    cpuOptions.costModel = options.costModel;
  }
  if (options.costModelRemarks) {
    cpuOptions.costModelRemarks = true;
    gpuOptions.costModelRemarks = true;
  }
  if ((!options.dumpDecisions.empty() || !options.loadDecisions.empty()) &&
      options.referencePipeline)
    return fail(error, CompileStage::Options,
                "only the cpu pipeline dumps and loads decisions");
  if (!options.dumpDecisions.empty()) {
    // Each deciding pass replaces its own section of the file: a compile
    // starts it afresh, so that no section of an earlier compile outlives
    // it (unless it replays that file).
    if (options.dumpDecisions != options.loadDecisions)
      llvm::sys::fs::remove(options.dumpDecisions);
    cpuOptions.dumpDecisions = options.dumpDecisions;
  }
  if (!options.loadDecisions.empty())
    cpuOptions.loadDecisions = options.loadDecisions;
  if (llvm::Error invalid = verifyCPUPipelineOptions(cpuOptions))
    return fail(error, CompileStage::Options,
                llvm::toString(std::move(invalid)));

  // Graphs of LLM, tool and code nodes compile to task tables for the
  // workflow runtime; tensor graphs and functions to entry points.
  LoweredModel model;
  bool workflow = wf::needsWorkflowRuntime(module);
  if (workflow) {
    for (auto graph : module.getOps<wf::GraphOp>())
      model.workflowGraphs.push_back(graph.getSymName().str());
    // The task tables first; the wf.compute bodies the conversion outlines
    // are then entry points like a model's functions.
    WorkflowPipelineOptions wfOptions;
    wfOptions.isa = cpuOptions.isa;
    wfOptions.cpu = cpuOptions.cpu;
    // cost-model=none fixes the kernels' schedules; a node still needs a
    // latency, and the analytical one is what "no model" means.
    wfOptions.costModel = cpuOptions.costModel == "none"
                              ? std::string("roofline")
                              : cpuOptions.costModel.getValue();
    if (failed(runPipeline(module, options, [&](PassManager &pm) {
          buildWorkflowPipeline(pm, wfOptions);
        })))
      return fail(error, CompileStage::Lower);
    if (llvm::any_of(module.getOps<func::FuncOp>(),
                     [](func::FuncOp f) { return f.isPublic(); })) {
      FailureOr<std::vector<EntrySignature>> entries =
          collectEntryPoints(module);
      if (succeeded(entries))
        model.entries = std::move(*entries);
      else if (requireEntries)
        return fail(error, CompileStage::Verify);
    } else {
      model.entries.emplace();
    }
  } else if (FailureOr<std::vector<EntrySignature>> entries =
                 collectEntryPoints(module);
             succeeded(entries)) {
    model.entries = std::move(*entries);
  } else if (requireEntries) {
    return fail(error, CompileStage::Verify);
  }

  if (failed(runPipeline(module, options, [&](PassManager &pm) {
        if (gpu)
          buildGPUPipeline(pm, gpuOptions);
        else if (!options.referencePipeline && toLoops)
          buildCPUToLoopsPipeline(pm, cpuOptions);
        else if (!options.referencePipeline)
          buildCPUPipeline(pm, cpuOptions);
        else if (toLoops)
          buildReferenceToLoopsPipeline(pm);
        else
          buildReferencePipeline(pm, ReferencePipelineOptions());
      })))
    return fail(error, CompileStage::Lower);
  return model;
}

LogicalResult mlir::loom::compileModelLibrary(
    ModuleOp module, const ModelCompileOptions &options, StringRef libraryPath,
    StringRef headerPath, CompileError &error) {
  std::string message;
  if (failed(checkCodegenOptions(options.codegen, message)))
    return fail(error, CompileStage::Options, message);
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options.codegen, message);
  if (!machine)
    return fail(error, CompileStage::Codegen, message);
  FailureOr<LoweredModel> model =
      lowerModel(module, *machine, options, /*toLoops=*/false,
                 /*requireEntries=*/true, error);
  if (failed(model))
    return failure();
  bool linking = false;
  if (failed(buildSharedLibrary(module, *model->entries, options.codegen,
                                libraryPath, message, &linking)))
    return fail(error, linking ? CompileStage::Link : CompileStage::Codegen,
                message);
  std::error_code ec;
  llvm::ToolOutputFile header(headerPath, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail(error, CompileStage::Output, "cannot write " + headerPath);
  emitModelHeader(*model->entries, llvm::sys::path::stem(headerPath),
                  header.os(), model->workflowGraphs);
  header.keep();
  return success();
}

std::string mlir::loom::defaultHeaderPath(StringRef library) {
  StringRef stem = llvm::sys::path::stem(library);
  stem.consume_front("lib");
  SmallString<256> path = llvm::sys::path::parent_path(library);
  llvm::sys::path::append(path, stem + ".h");
  return std::string(path);
}

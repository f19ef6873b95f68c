//===- loom-compile.cpp - Loom's ahead-of-time compiler driver ------------===//
//
// model.mlir -> Loom's pipeline -> LLVM dialect -> LLVM IR -> object for the
// host -> shared library (with the entry-point table and Loom's runtime)
// plus the header that declares its entry points. All in process except the
// final link, which uses the system C++ compiler.
//
//===----------------------------------------------------------------------===//

#include "loom/Compiler/CompileModel.h"
#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

/// Distinct exit codes, so that scripts can tell what went wrong.
enum ExitCode : int {
  kOk = 0,
  kUsage = 1,   // bad options, unreadable input, unwritable output
  kParse = 2,   // the input is not valid MLIR syntax
  kVerify = 3,  // the IR does not verify
  kLower = 4,   // a lowering pass failed
  kCodegen = 5, // LLVM IR translation or object emission failed
  kLink = 6,    // linking the shared library failed
};

enum class Emit { Mlir, LlvmIr, Obj, Lib, Ptx };
enum class PipelineKind { Cpu, Reference };
enum class Phase { Input, Loops, Llvm };

cl::OptionCategory category("loom-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::init("-"), cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file"),
                                cl::value_desc("path"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Lib),
    cl::values(clEnumValN(Emit::Mlir, "mlir", "MLIR after --compile-to"),
               clEnumValN(Emit::LlvmIr, "llvm-ir", "optimized LLVM IR"),
               clEnumValN(Emit::Obj, "obj", "an object file"),
               clEnumValN(Emit::Lib, "lib",
                          "a shared library and its header (default)"),
               clEnumValN(Emit::Ptx, "ptx", "PTX (GPU target)")),
    cl::cat(category));
cl::opt<Phase> compileTo(
    "compile-to", cl::desc("Stop the pipeline after this phase (--emit=mlir)"),
    cl::init(Phase::Llvm),
    cl::values(clEnumValN(Phase::Input, "input", "the verified input"),
               clEnumValN(Phase::Loops, "loops",
                          "Loom dialects lowered, bufferized loops"),
               clEnumValN(Phase::Llvm, "llvm", "the LLVM dialect")),
    cl::cat(category));
cl::opt<PipelineKind> pipeline(
    "pipeline", cl::desc("Which lowering of Loom's dialects"),
    cl::init(PipelineKind::Cpu),
    cl::values(clEnumValN(PipelineKind::Cpu, "cpu",
                          "loom-cpu-pipeline: the optimizing rewrites "
                          "(default)"),
               clEnumValN(PipelineKind::Reference, "reference",
                          "loom-reference-pipeline: the oracles")),
    cl::cat(category));
cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Options of loom-cpu-pipeline, as `loom-opt "
             "--loom-cpu-pipeline=\"...\"` takes them (e.g. \"column-tile=2 "
             "prefetch-distance=0\"); the target's isa unless given"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> costModel(
    "cost-model",
    cl::desc("What makes the lowering decisions and prices wf.compute "
             "nodes: auto (the models shipped for the target class, else "
             "the roofline), roofline, a directory of models, or none (the "
             "hand-tuned schedules); the pipeline option cost-model"),
    cl::init(""), cl::cat(category));
cl::opt<bool> costModelRemarks(
    "cost-model-remarks",
    cl::desc("Report every decision's three best candidates, their costs "
             "and the model as remarks (nvptx: each lut and MoE GEMM's "
             "kernel choices and what made them, and each MoE plan left "
             "on the host)"),
    cl::init(false), cl::cat(category));
cl::opt<std::string> dumpDecisions(
    "dump-decisions",
    cl::desc("Write the cost model's decisions (loom-decide) to this JSON "
             "file"),
    cl::init(""), cl::cat(category));
cl::opt<std::string> loadDecisions(
    "load-decisions",
    cl::desc("Replay the decisions of this JSON file (from --dump-decisions); "
             "an entry whose op changed is an error"),
    cl::init(""), cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level (0-3)"),
                           cl::Prefix, cl::init(2), cl::cat(category));
cl::opt<std::string> target("target", cl::desc("cpu (default) or nvptx"),
                            cl::init("cpu"), cl::cat(category));
cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: the host)"),
                          cl::cat(category));
cl::opt<std::string> mattr("mattr",
                           cl::desc("Target features (default: the host's)"),
                           cl::cat(category));
cl::opt<std::string> headerFile(
    "header", cl::desc("Where to write the header (default: beside the "
                       "library, named after it without 'lib')"),
    cl::cat(category));

int fail(int code, const Twine &message) {
  llvm::errs() << "loom-compile: error: " << message << "\n";
  return code;
}

int fail(const loom::CompileError &error) {
  static constexpr int codes[] = {kUsage,   kVerify, kLower,
                                  kCodegen, kLink,   kUsage};
  int code = codes[static_cast<int>(error.stage)];
  return error.message.empty() ? code : fail(code, error.message);
}

LogicalResult writeFile(StringRef path, function_ref<void(raw_ostream &)> fn) {
  std::error_code ec;
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return failure();
  fn(out.os());
  out.keep();
  return success();
}

int compile(MLIRContext &context, llvm::SourceMgr &sourceMgr) {
  ParserConfig config(&context, /*verifyAfterParse=*/false);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, config);
  if (!module)
    return kParse;
  if (target != "cpu" && target != "nvptx")
    return fail(kUsage, "target '" + target + "' is not one of cpu, nvptx");
  if (emit == Emit::Ptx && target != "nvptx")
    return fail(kUsage, "--emit=ptx needs --target=nvptx");

  loom::ModelCompileOptions options;
  options.codegen = {mcpu, mattr, optLevel};
  options.referencePipeline = pipeline == PipelineKind::Reference;
  options.target = target;
  options.pipelineOptions = pipelineOptions;
  // The kernels as PTX text (a later option wins).
  if (emit == Emit::Ptx)
    options.pipelineOptions += " format=isa";
  options.dumpDecisions = dumpDecisions;
  options.loadDecisions = loadDecisions;
  options.costModel = costModel;
  options.costModelRemarks = costModelRemarks;
  options.configurePassManager = [](PassManager &pm) {
    applyDefaultTimingPassManagerCLOptions(pm);
    return applyPassManagerCLOptions(pm);
  };
  loom::CompileError error;
  if (emit == Emit::Lib) {
    if (outputFile == "-")
      return fail(kUsage, "a shared library needs -o <path>");
    std::string header =
        headerFile.empty() ? loom::defaultHeaderPath(outputFile) : headerFile;
    return succeeded(loom::compileModelLibrary(*module, options, outputFile,
                                               header, error))
               ? kOk
               : fail(error);
  }

  std::string message;
  if (failed(loom::checkCodegenOptions(options.codegen, message)))
    return fail(kUsage, message);
  std::unique_ptr<llvm::TargetMachine> machine =
      loom::createHostTargetMachine(options.codegen, message);
  if (!machine)
    return fail(kCodegen, message);
  if (compileTo == Phase::Input && emit == Emit::Mlir) {
    if (failed(verify(*module)))
      return kVerify;
  } else if (failed(loom::lowerModel(*module, *machine, options,
                                     /*toLoops=*/emit == Emit::Mlir &&
                                         compileTo == Phase::Loops,
                                     /*requireEntries=*/false, error))) {
    return fail(error);
  }

  if (emit == Emit::Ptx) {
    FailureOr<std::string> ptx = loom::extractPtx(*module);
    if (failed(ptx))
      return fail(kCodegen, "the model has no GPU kernels (no lut.mpgemm "
                            "that convert-lut-to-gpu lowers)");
    if (failed(writeFile(outputFile, [&](raw_ostream &os) { os << *ptx; })))
      return fail(kUsage, "cannot write " + outputFile);
    return kOk;
  }
  if (emit == Emit::Mlir) {
    if (failed(writeFile(outputFile, [&](raw_ostream &os) {
          module->print(os);
          os << "\n";
        })))
      return fail(kUsage, "cannot write " + outputFile);
    return kOk;
  }
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = loom::translateAndOptimize(
      *module, llvmContext, *machine, optLevel, message);
  if (!llvmModule)
    return fail(kCodegen, message);

  if (emit == Emit::LlvmIr) {
    if (failed(writeFile(outputFile,
                         [&](raw_ostream &os) { llvmModule->print(os, nullptr); })))
      return fail(kUsage, "cannot write " + outputFile);
    return kOk;
  }
  // --emit=obj.
  if (outputFile == "-")
    return fail(kUsage, "an object file needs -o <path>");
  return succeeded(
             loom::emitObjectFile(*llvmModule, *machine, outputFile, message))
             ? kOk
             : fail(kCodegen, message);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  loom::registerAllPasses();
  // --help lists loom-compile's options and MLIR's printing and debugging
  // ones, not the hundreds of LLVM backend flags linked in with the
  // targets (they still work; --help-hidden lists them).
  for (auto &[name, option] : cl::getRegisteredOptions())
    if (!llvm::is_contained(option->Categories, &category) &&
        !name.starts_with("mlir-") && name != "help" && name != "version")
      option->setHiddenFlag(cl::Hidden);
  cl::ParseCommandLineOptions(argc, argv,
                              "Loom ahead-of-time compiler: a model in, a "
                              "shared library with a C API out\n");

  DialectRegistry registry;
  loom::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  auto file = openInputFile(inputFile, &error);
  if (!file)
    return fail(kUsage, error);
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  // Diagnostics print as file:line:col: error: message.
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  return compile(context, sourceMgr);
}

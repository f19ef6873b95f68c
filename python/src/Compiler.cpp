//===- Compiler.cpp - Pass pipelines and model libraries from Python ------===//

#include "Bindings.h"
#include "Diagnostics.h"
#include "IR.h"

#include "loom/Compiler/CompileModel.h"
#include "loom/InitAllPasses.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/TargetParser/Host.h"

#include <pybind11/stl.h>

namespace py = pybind11;
using namespace mlir;
using namespace mlir::loom::python;

namespace {

/// Runs a textual pipeline, anchored on its own op (a `builtin.module(...)`
/// pipeline parsed into an "any" manager would nest and run nothing).
void runPipeline(PyModule &self, const std::string &pipeline) {
  DiagnosticCollector diagnostics(self.context.get());
  std::string error;
  llvm::raw_string_ostream os(error);
  FailureOr<OpPassManager> parsed = parsePassPipeline(pipeline, os);
  if (failed(parsed))
    diagnostics.raise("bad pass pipeline '" + pipeline + "': " + error);
  PassManager pm(self.context.get(), parsed->getOpAnchorName());
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  LogicalResult ran = [&] {
    py::gil_scoped_release unlocked;
    return pm.run(*self.module);
  }();
  if (failed(ran))
    diagnostics.raise("pass pipeline '" + pipeline + "' failed");
}

const char *stageName(mlir::loom::CompileStage stage) {
  switch (stage) {
  case mlir::loom::CompileStage::Options:
    return "options";
  case mlir::loom::CompileStage::Verify:
    return "verification";
  case mlir::loom::CompileStage::Lower:
    return "lowering";
  case mlir::loom::CompileStage::Codegen:
    return "code generation";
  case mlir::loom::CompileStage::Link:
    return "linking";
  case mlir::loom::CompileStage::Output:
    return "writing the output";
  }
  return "compilation";
}

/// loom-compile for a module Python holds: lowers a clone (the caller's
/// module stays as it was) into the library and header.
void compileLibrary(PyModule &self, const std::string &library,
                    const std::string &header, unsigned optLevel,
                    const std::string &cpu, const std::string &features,
                    const std::string &pipelineOptions, bool reference,
                    const std::string &dumpDecisions,
                    const std::string &loadDecisions,
                    const std::string &costModel, const std::string &target) {
  mlir::loom::ModelCompileOptions options;
  options.codegen = {cpu, features, optLevel};
  options.target = target;
  options.referencePipeline = reference;
  options.pipelineOptions = pipelineOptions;
  options.dumpDecisions = dumpDecisions;
  options.loadDecisions = loadDecisions;
  options.costModel = costModel;
  OwningOpRef<ModuleOp> module = self.module->clone();
  DiagnosticCollector diagnostics(self.context.get());
  mlir::loom::CompileError error;
  // Compilation takes seconds and touches no Python object.
  LogicalResult compiled = [&] {
    py::gil_scoped_release unlocked;
    return mlir::loom::compileModelLibrary(*module, options, library, header,
                                           error);
  }();
  if (failed(compiled))
    diagnostics.raise(error.message.empty()
                          ? std::string()
                          : std::string(stageName(error.stage)) +
                                " failed: " + error.message);
}

} // namespace

void mlir::loom::python::bindCompiler(py::module_ &m) {
  mlir::loom::registerAllPasses();
  m.def("run_pipeline", runPipeline, py::arg("module"), py::arg("pipeline"));
  m.def("compile_library", compileLibrary, py::arg("module"),
        py::arg("library"), py::arg("header"), py::arg("opt_level") = 2,
        py::arg("cpu") = "", py::arg("features") = "",
        py::arg("pipeline_options") = "", py::arg("reference") = false,
        py::arg("dump_decisions") = "", py::arg("load_decisions") = "",
        py::arg("cost_model") = "", py::arg("target") = "cpu");
  // What a compiled library depends on besides the module and the options:
  // the machine it is compiled for by default and the runtime it links
  // (the compile cache keys on both).
  m.def("build_inputs", [] {
    py::dict inputs;
    std::string features;
    for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      if (enabled)
        features += "+" + name.str() + ",";
    inputs["host_cpu"] = llvm::sys::getHostCPUName().str();
    inputs["host_features"] = features;
    inputs["runtime_library"] = LOOM_RUNTIME_LIBRARY;
    return inputs;
  });
  m.def("default_header_path", [](const std::string &library) {
    return mlir::loom::defaultHeaderPath(library);
  });
}

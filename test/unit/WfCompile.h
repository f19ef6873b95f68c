//===- WfCompile.h - wf IR to task tables for the runtime tests -*- C++ -*-===//
//
// Compiling wf IR to the runtime's task tables, and running a table on the
// in-process simulator, for the workflow runtime's tests.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_UNIT_WFCOMPILE_H
#define LOOM_TEST_UNIT_WFCOMPILE_H

#include "loom/Conversion/WorkflowToRuntime/OutlineCompute.h"
#include "loom/Conversion/WorkflowToRuntime/TaskTable.h"
#include "loom/InitAllDialects.h"
#include "loom/InitAllPasses.h"
#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/Program.h"
#include "loom/Runtime/Workflow/SimService.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "gtest/gtest.h"

namespace loom_test {

using mlir::loom::wfrt::Program;

/// Parses `source` into `context` and runs `passes` (a pipeline string)
/// on it.
inline mlir::OwningOpRef<mlir::ModuleOp>
parseAndRun(const std::string &source, const std::string &passes,
            mlir::MLIRContext &context) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module) {
    ADD_FAILURE() << "does not parse";
    return module;
  }
  if (!passes.empty()) {
    static bool registered = (mlir::loom::registerAllPasses(), true);
    (void)registered;
    mlir::PassManager pm(&context);
    // Remarks (wf-schedule's estimate) are not failures.
    mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &d) {
      return mlir::success(d.getSeverity() == mlir::DiagnosticSeverity::Remark);
    });
    if (mlir::failed(mlir::parsePassPipeline(passes, pm)) ||
        mlir::failed(pm.run(*module)))
      ADD_FAILURE() << "the pipeline failed: " << passes;
  }
  return module;
}

inline mlir::DialectRegistry allDialects() {
  mlir::DialectRegistry registry;
  mlir::loom::registerAllDialects(registry);
  return registry;
}

/// Builds the task tables of `source` after `passes`.
inline Program compile(const std::string &source,
                       const std::string &passes = "") {
  mlir::MLIRContext context(allDialects());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      parseAndRun(source, passes, context);
  if (!module)
    return {};
  // As convert-wf-to-runtime does: compute bodies become entry points.
  if (mlir::failed(mlir::loom::wf::outlineComputeBodies(*module))) {
    ADD_FAILURE() << "cannot outline the compute nodes";
    return {};
  }
  auto program = mlir::loom::wf::buildTaskTables(*module);
  if (mlir::failed(program)) {
    ADD_FAILURE() << "no task table";
    return {};
  }
  // Everything runs from the encoded form, as from a compiled library.
  Program decoded;
  std::string err = deserializeProgram(serializeProgram(*program), decoded);
  EXPECT_EQ(err, "");
  return decoded;
}

/// The trace snapshots a compiled library embeds for `source`
/// (loom_wf_trace).
inline std::string embeddedTrace(const std::string &source) {
  mlir::MLIRContext context(allDialects());
  mlir::OwningOpRef<mlir::ModuleOp> module = parseAndRun(
      source, "wf-assign-ids,wf-extract-trace{attach=true}", context);
  auto trace = module ? (*module)->getAttrOfType<mlir::StringAttr>("wf.trace")
                      : mlir::StringAttr();
  if (!trace)
    ADD_FAILURE() << "no wf.trace attribute";
  return trace ? trace.str() : "";
}

/// A program's models bound to one simulator in virtual time; tools
/// without a function simulated from their defs.
struct Harness {
  mlir::loom::wfrt::EventLoop loop;
  mlir::loom::wfrt::SimService sim{loop};
  mlir::loom::wfrt::Bindings bindings;
  explicit Harness(const Program &p) {
    bindings.models.assign(p.models.size(), &sim);
    bindings.simulateUnboundTools = true;
  }
  mlir::loom::wfrt::RunResult
  run(const Program &p, const std::string &graph,
      std::vector<mlir::loom::wfrt::Value> args,
      const mlir::loom::wfrt::RunOptions &options = {}) {
    return runGraph(p, graph, std::move(args), bindings, loop, options);
  }
};

} // namespace loom_test

#endif // LOOM_TEST_UNIT_WFCOMPILE_H

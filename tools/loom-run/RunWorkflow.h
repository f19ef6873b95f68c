//===- RunWorkflow.h - loom-run for workflow libraries ----------*- C++ -*-===//
#ifndef LOOM_TOOLS_LOOMRUN_RUNWORKFLOW_H
#define LOOM_TOOLS_LOOMRUN_RUNWORKFLOW_H

#include "loom/Runtime/ModelLibrary.h"

namespace mlir::loom {

/// Runs a graph of the task tables `library` embeds, with the options after
/// the library's path; returns the exit code.
int runWorkflow(const ModelLibrary &library, int argc, char **argv);

} // namespace mlir::loom

#endif // LOOM_TOOLS_LOOMRUN_RUNWORKFLOW_H

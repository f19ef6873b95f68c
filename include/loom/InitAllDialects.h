//===- InitAllDialects.h - Register Loom's and upstream dialects -*- C++ -*-===//
#ifndef LOOM_INITALLDIALECTS_H
#define LOOM_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
class MLIRContext;
namespace loom {

/// Adds Loom's dialects and the upstream dialects (with their bufferization
/// and LLVM-translation interfaces) that Loom's pipelines produce.
void registerAllDialects(DialectRegistry &registry);

/// Adds everything registerAllDialects() adds to `context`.
void registerAllDialects(MLIRContext &context);

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALLDIALECTS_H

//===- InitAllPasses.h - Register Loom's and upstream passes ----*- C++ -*-===//
#ifndef LOOM_INITALLPASSES_H
#define LOOM_INITALLPASSES_H

namespace mlir {
namespace loom {

/// Registers Loom's passes and pipelines plus the upstream passes they use,
/// so that loom-opt and pipeline strings can name them.
void registerAllPasses();

} // namespace loom
} // namespace mlir

#endif // LOOM_INITALLPASSES_H

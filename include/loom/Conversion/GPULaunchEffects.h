//===- GPULaunchEffects.h - Memory effects of kernel launches ---*- C++ -*-===//
//
// Upstream's gpu.launch_func declares no memory effects, and ownership-based
// buffer deallocation refuses an op with memref operands and unknown
// effects (and canonicalization would erase it as dead once its operands are
// LLVM pointers). convert-lut-to-gpu launches its kernels before
// bufferization, so Loom declares what a launch does: it may read and write
// every buffer it is given.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_GPULAUNCHEFFECTS_H
#define LOOM_CONVERSION_GPULAUNCHEFFECTS_H

namespace mlir {
class DialectRegistry;
namespace loom {

void registerGPULaunchEffectsExternalModel(DialectRegistry &registry);

} // namespace loom
} // namespace mlir

#endif // LOOM_CONVERSION_GPULAUNCHEFFECTS_H

//===- HostBuffers.h - Tensors as the host buffers of launches --*- C++ -*-===//
//
// The GPU lowerings launch their kernels on tensors' host buffers while the
// program is still on tensors; loom-gpu-device-copies stages the buffers
// through device memory after bufferization.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_HOSTBUFFERS_H
#define LOOM_CONVERSION_HOSTBUFFERS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom {

/// A read-only buffer of the ranked tensor `tensor`.
Value readBuffer(ImplicitLocOpBuilder &b, Value tensor);

/// A new buffer for a result of tensor type `type`, its dynamic dimensions
/// those of the buffer `like`.
Value resultBuffer(ImplicitLocOpBuilder &b, Type type, Value like);

/// The tensor of type `type` that the kernels wrote into `buffer`.
Value asTensor(ImplicitLocOpBuilder &b, Type type, Value buffer);

} // namespace mlir::loom

#endif // LOOM_CONVERSION_HOSTBUFFERS_H

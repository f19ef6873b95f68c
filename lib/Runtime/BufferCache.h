//===- BufferCache.h - The models' buffer allocator -------------*- C++ -*-===//
//
// Compiled models allocate their tensors (activation tables, results,
// temporaries) through `_mlir_memref_to_llvm_alloc` and `_free`, which the
// runtime implements here. glibc serves blocks of hundreds of KiB with mmap
// or trims them off the heap top when freed, so a model called in a loop
// page-faulted its buffers in again on every call: a 4096² GEMM at N = 128
// spent two thirds of its time in the kernel's page-fault handler. Large
// blocks released by a model (or by loom_tensor_destroy on an adopted
// result) are kept, up to a bound, and handed out again for the same size.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_RUNTIME_BUFFERCACHE_H
#define LOOM_LIB_RUNTIME_BUFFERCACHE_H

#include <cstddef>

namespace mlir::loom::runtime {

/// `size` bytes from the cache (blocks of at least kCachedBlockBytes) or
/// from malloc.
void *allocateBuffer(size_t size);

/// Takes back a block from allocateBuffer, or any malloc'ed block; null is
/// ignored.
void releaseBuffer(void *block);

/// Blocks at least this large go through the cache; smaller ones are
/// malloc'ed and freed directly (malloc keeps those in its own bins).
constexpr size_t kCachedBlockBytes = size_t(64) << 10;

/// The most bytes the cache keeps idle; beyond that released blocks are
/// freed.
constexpr size_t kIdleLimitBytes = size_t(512) << 20;

} // namespace mlir::loom::runtime

#endif // LOOM_LIB_RUNTIME_BUFFERCACHE_H

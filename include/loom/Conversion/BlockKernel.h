//===- BlockKernel.h - A kernel for the GPU or the interpreter --*- C++ -*-===//
//
// Loom's GPU kernels are written once against this small block model: a
// 3-D grid of blocks of `threads` threads, workgroup arrays, per-thread
// arrays and phases that a barrier separates. `interpret` builds the same body
// as host loops (blocks, then each phase's threads), so the kernels' arithmetic
// is tested on machines without a GPU. No SSA value may cross a phase: what
// a thread keeps from one phase to the next lives in its thread arrays.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_CONVERSION_BLOCKKERNEL_H
#define LOOM_CONVERSION_BLOCKKERNEL_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::loom {

/// A 1-D array of `size` elements of `element`.
struct ArraySpec {
  Type element;
  int64_t size;
};

struct BlockKernelSpec {
  /// Blocks along x, y and z (index values; no launch when one is 0).
  Value gridX, gridY, gridZ;
  int64_t threads;
  /// Workgroup (shared) arrays, and arrays private to each thread.
  SmallVector<ArraySpec> shared, local;
  bool interpret = false;
};

class BlockKernel {
public:
  /// Emits the kernel of `spec` at `b`'s insertion point; `body` builds one
  /// block's program.
  static void emit(ImplicitLocOpBuilder &b, const BlockKernelSpec &spec,
                   function_ref<void(BlockKernel &)> body);

  /// A kernel of one thread per element of [0, n) in blocks of `threads`:
  /// `body` builds element i's work (at `b`, the block's builder).
  static void emitPerElement(ImplicitLocOpBuilder &b, Value n, int64_t threads,
                             bool interpret, function_ref<void(Value i)> body);

  ImplicitLocOpBuilder &builder() { return b; }
  /// Whether the kernel runs as host loops: a warp's collective operations
  /// (tensor-core mma) are then emulated from each thread's arrays.
  bool interpreting() const { return !threadId; }
  Value blockX() const { return blockIds[0]; }
  Value blockY() const { return blockIds[1]; }
  Value blockZ() const { return blockIds[2]; }
  Value shared(unsigned i) const { return sharedArrays[i]; }

  /// `body` for each thread of the block, then a barrier (on the GPU: this
  /// thread only; in the interpreter: a loop over the threads). The last
  /// phase of a block may skip the barrier.
  void phase(function_ref<void(Value thread)> body, bool barrier = true);

  /// Element `i` of thread `thread`'s array `array`.
  Value loadLocal(unsigned array, Value thread, int64_t i);
  void storeLocal(unsigned array, Value thread, int64_t i, Value value);

private:
  BlockKernel(ImplicitLocOpBuilder &b, const BlockKernelSpec &spec)
      : b(b), spec(spec) {}
  SmallVector<Value> localIndices(unsigned array, Value thread, int64_t i);

  ImplicitLocOpBuilder &b;
  const BlockKernelSpec &spec;
  Value blockIds[3];
  /// The GPU thread id; null in the interpreter.
  Value threadId;
  SmallVector<Value> sharedArrays, localArrays;
};

} // namespace mlir::loom

#endif // LOOM_CONVERSION_BLOCKKERNEL_H

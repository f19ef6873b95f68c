//===- Threads.cpp - The thread count of a model's parallel loops ---------===//
//
// Only models with parallel loops link LLVM's OpenMP runtime, so the
// runtime refers to it weakly: in a model without it, the call is a no-op.
//
//===----------------------------------------------------------------------===//

#include "loom-c/Runtime.h"

#include "Errors.h"

extern "C" void omp_set_num_threads(int) __attribute__((weak));

LoomStatus loom_set_num_threads(int threads) {
  if (threads < 1)
    return mlir::loom::runtime::fail(
        LOOM_ERROR_INVALID_ARGUMENT,
        "loom_set_num_threads: %d is not a thread count (>= 1)", threads);
  if (omp_set_num_threads)
    omp_set_num_threads(threads);
  return LOOM_OK;
}

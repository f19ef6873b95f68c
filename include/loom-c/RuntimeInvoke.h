/*===- loom-c/RuntimeInvoke.h - How generated entry points call in -*- C -*-===*\
|*                                                                            *|
|* Used by the C source loom-compile generates for each model, not by users:  *|
|* an entry point is described by a LoomEntrySpec (names, element types and   *|
|* shapes, -1 for a dynamic dimension) and a trampoline that calls the        *|
|* compiled function's _mlir_ciface_ wrapper with memref descriptors.         *|
\*===----------------------------------------------------------------------===*/
#ifndef LOOM_C_RUNTIMEINVOKE_H
#define LOOM_C_RUNTIMEINVOKE_H

#include "loom-c/Runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct LoomArgSpec {
  const char *name;
  LoomDType dtype;
  int64_t rank;
  const int64_t *shape; /* rank entries; -1 marks a dynamic dimension */
} LoomArgSpec;

/* Calls the compiled function. `results` points to the results' memref
 * descriptors laid out back to back (unused when there are none); `args`
 * holds one pointer to a memref descriptor per input. */
typedef void (*LoomTrampoline)(void *results, void **args);

typedef struct LoomEntrySpec {
  const char *name;
  int64_t num_inputs;
  const LoomArgSpec *inputs;
  int64_t num_outputs;
  const LoomArgSpec *outputs;
  LoomTrampoline trampoline;
  const char *signature_json;
} LoomEntrySpec;

/* Validates `inputs` against `spec`, runs it, and wraps the results into a
 * new list the caller owns. */
LOOM_EXPORT LoomStatus loom_invoke(const LoomEntrySpec *spec,
                                   const LoomTensorList *inputs,
                                   LoomTensorList **outputs);

/* The entry of `specs[0..count)` named `name`, or NULL (with an error). */
/* Sets the error "this model was compiled for a CPU with <feature>, which
 * this machine lacks" and returns LOOM_ERROR_UNSUPPORTED: the generated code
 * checks each instruction-set feature it was compiled for before any run. */
LOOM_EXPORT LoomStatus loom_cpu_lacks(const char *feature);

/* Models with GPU kernels: LOOM_OK when the CUDA driver, a device and the
 * model's kernels are usable, else LOOM_ERROR_UNSUPPORTED with the reason as
 * the last error. */
LOOM_EXPORT LoomStatus loom_gpu_ready(void);
/* LOOM_OK, or LOOM_ERROR_INTERNAL with the first GPU failure (allocation,
 * copy, launch) of this thread's run since the last call. */
LOOM_EXPORT LoomStatus loom_gpu_take_error(void);
/* Profiling (benchmarks): with enable != 0, each kernel launch is timed
 * between two events and waited for; loom_gpu_kernel_time() returns the
 * kernels' total time and launch count since the last call, and resets
 * them. */
LOOM_EXPORT void loom_gpu_profile(int enable);
LOOM_EXPORT void loom_gpu_kernel_time(double *seconds, int64_t *launches);

LOOM_EXPORT const LoomEntrySpec *loom_find_entry(const LoomEntrySpec *specs,
                                                 int64_t count,
                                                 const char *name);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_C_RUNTIMEINVOKE_H */

/* bench/gpu/harness.c: one prepared case on the GPU. Loads the case's
 * library (built by prepare.py), runs its `gemm` entry on the inputs
 * prepare.py's `inputs` also computes, checks the result against the
 * expected outputs, then times the kernels (the runtime's event profiling:
 * device time only) and whole calls (wall clock: copies and launch
 * included). Prints one JSON line.
 *
 * usage: harness LIB EXPECTED M K N TOLERANCE WEIGHT_BYTES REPS */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "loom-c/Runtime.h"

typedef LoomTensor *(*TensorCreate)(void *, const int64_t *, int64_t, LoomDType,
                                    int);
typedef LoomTensorList *(*ListCreate)(LoomTensor **, int64_t);
typedef void (*ListDestroy)(LoomTensorList *);
typedef LoomTensor *(*ListGet)(const LoomTensorList *, int64_t);
typedef void *(*TensorData)(const LoomTensor *);
typedef LoomStatus (*Run)(const char *, const LoomTensorList *,
                          LoomTensorList **);
typedef const char *(*LastError)(void);
typedef void (*Profile)(int);
typedef void (*KernelTime)(double *, int64_t *);

static void *symbol(void *library, const char *name) {
  void *s = dlsym(library, name);
  if (!s) {
    fprintf(stderr, "harness: the library lacks %s\n", name);
    exit(2);
  }
  return s;
}

/* prepare.py's inputs(): a hash of (i, j) mapped to [-1, 1). */
static float input_value(uint64_t i, uint64_t j) {
  uint64_t h = (i * 2654435761ull + j * 40503ull + 12345ull) % (1ull << 24);
  return (float)((double)h / (double)(1 << 23) - 1.0);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 9) {
    fprintf(stderr,
            "usage: harness LIB EXPECTED M K N TOLERANCE WEIGHT_BYTES REPS\n");
    return 2;
  }
  int64_t m = atoll(argv[3]), k = atoll(argv[4]), n = atoll(argv[5]);
  double tolerance = atof(argv[6]), weightBytes = atof(argv[7]);
  int reps = atoi(argv[8]);
  void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    fprintf(stderr, "harness: %s\n", dlerror());
    return 2;
  }
  TensorCreate create = (TensorCreate)symbol(library, "loom_tensor_create");
  ListCreate listCreate =
      (ListCreate)symbol(library, "loom_tensor_list_create");
  ListDestroy listDestroy =
      (ListDestroy)symbol(library, "loom_tensor_list_destroy");
  ListGet listGet = (ListGet)symbol(library, "loom_tensor_list_get");
  TensorData data = (TensorData)symbol(library, "loom_tensor_data");
  Run run = (Run)symbol(library, "loom_run");
  LastError lastError = (LastError)symbol(library, "loom_last_error");
  Profile profile = (Profile)symbol(library, "loom_gpu_profile");
  KernelTime kernelTime = (KernelTime)symbol(library, "loom_gpu_kernel_time");

  float *x = malloc(sizeof(float) * (size_t)(n * k));
  float *expected = malloc(sizeof(float) * (size_t)(n * m));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      x[i * k + j] = input_value((uint64_t)i, (uint64_t)j);
  FILE *f = fopen(argv[2], "rb");
  if (!f ||
      fread(expected, sizeof(float), (size_t)(n * m), f) != (size_t)(n * m)) {
    fprintf(stderr, "harness: cannot read %s\n", argv[2]);
    return 2;
  }
  fclose(f);
  int64_t shape[2] = {n, k};
  LoomTensor *tensor = create(x, shape, 2, LOOM_F32, 0);
  LoomTensorList *in = listCreate(&tensor, 1);

  /* The first run uploads the weights and checks the result. */
  LoomTensorList *out = NULL;
  if (run("gemm", in, &out) != LOOM_OK) {
    printf("{\"error\": \"%s\"}\n", lastError());
    return 1;
  }
  const float *y = data(listGet(out, 0));
  double maxError = 0;
  for (int64_t i = 0; i < n * m; ++i) {
    double e = fabs((double)y[i] - (double)expected[i]);
    if (!(e <= maxError))
      maxError = e; /* NaN counts */
  }
  listDestroy(out);

  profile(1);
  double kernelSeconds = 0;
  int64_t launches = 0;
  kernelTime(&kernelSeconds, &launches); /* reset */
  for (int r = 0; r < reps; ++r) {
    run("gemm", in, &out);
    listDestroy(out);
  }
  kernelTime(&kernelSeconds, &launches);
  profile(0);
  double start = now();
  for (int r = 0; r < reps; ++r) {
    run("gemm", in, &out);
    listDestroy(out);
  }
  double wall = (now() - start) / reps;
  double kernel = launches ? kernelSeconds / launches : 0;
  printf("{\"max_error\": %.6g, \"tolerance\": %.6g, \"correct\": %s, "
         "\"kernel_us\": %.3f, \"call_us\": %.3f, \"launches\": %lld, "
         "\"weight_gbps\": %.1f}\n",
         maxError, tolerance, maxError <= tolerance ? "true" : "false",
         kernel * 1e6, wall * 1e6, (long long)launches,
         kernel > 0 ? weightBytes / kernel * 1e-9 : 0.0);
  return maxError <= tolerance ? 0 : 1;
}

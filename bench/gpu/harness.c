/* bench/gpu/harness.c: one prepared case on the GPU. Loads the case's
 * library (built by prepare.py), runs its entry on the inputs prepare.py's
 * `inputs` also computes, checks the first output against the expected
 * one, then times the kernels (the runtime's event profiling: device time
 * only, all of a call's launches) and whole calls (wall clock: copies and
 * launches included). Prints one JSON line.
 *
 * usage: harness LIB ENTRY EXPECTED TOLERANCE BYTES REPS INPUT [INPUT ...]
 *   INPUT: the dimensions joined by 'x', then ':SCALE' (input i holds
 *   input_value(i, row, column) * SCALE, all leading dimensions as rows) */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loom-c/Runtime.h"

typedef LoomTensor *(*TensorCreate)(void *, const int64_t *, int64_t, LoomDType,
                                    int);
typedef LoomTensorList *(*ListCreate)(LoomTensor **, int64_t);
typedef void (*ListDestroy)(LoomTensorList *);
typedef LoomTensor *(*ListGet)(const LoomTensorList *, int64_t);
typedef void *(*TensorData)(const LoomTensor *);
typedef int64_t (*TensorElements)(const LoomTensor *);
typedef LoomStatus (*Run)(const char *, const LoomTensorList *,
                          LoomTensorList **);
typedef const char *(*LastError)(void);
typedef void (*Profile)(int);
typedef void (*KernelTime)(double *, int64_t *);

enum { kMaxInputs = 8, kMaxRank = 4 };

static void *symbol(void *library, const char *name) {
  void *s = dlsym(library, name);
  if (!s) {
    fprintf(stderr, "harness: the library lacks %s\n", name);
    exit(2);
  }
  return s;
}

/* prepare.py's inputs(): a hash of (seed, i, j) mapped to [-1, 1). */
static float input_value(uint64_t seed, uint64_t i, uint64_t j) {
  uint64_t h =
      (i * 2654435761ull + j * 40503ull + 12345ull + 7919ull * seed) %
      (1ull << 24);
  return (float)((double)h / (double)(1 << 23) - 1.0);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Input `seed` from its spec "AxBxC:SCALE"; exits on a malformed one. */
static float *make_input(const char *spec, uint64_t seed, int64_t *shape,
                         int64_t *rank) {
  const char *p = spec;
  *rank = 0;
  while (*rank < kMaxRank) {
    char *end;
    shape[(*rank)++] = strtoll(p, &end, 10);
    if (end == p || shape[*rank - 1] < 0)
      break;
    p = end;
    if (*p != 'x')
      break;
    ++p;
  }
  if (*p != ':') {
    fprintf(stderr, "harness: bad input spec '%s'\n", spec);
    exit(2);
  }
  float scale = (float)atof(p + 1);
  int64_t columns = shape[*rank - 1], count = 1;
  for (int64_t d = 0; d < *rank; ++d)
    count *= shape[d];
  float *values = malloc(sizeof(float) * (size_t)(count ? count : 1));
  for (int64_t e = 0; e < count; ++e)
    values[e] = input_value(seed, (uint64_t)(e / columns),
                            (uint64_t)(e % columns)) *
                scale;
  return values;
}

int main(int argc, char **argv) {
  if (argc < 8 || argc - 7 > kMaxInputs) {
    fprintf(stderr, "usage: harness LIB ENTRY EXPECTED TOLERANCE BYTES REPS "
                    "INPUT [INPUT ...]\n");
    return 2;
  }
  const char *entry = argv[2];
  double tolerance = atof(argv[4]), bytes = atof(argv[5]);
  int reps = atoi(argv[6]), inputs = argc - 7;
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
  TensorElements elements =
      (TensorElements)symbol(library, "loom_tensor_num_elements");
  Run run = (Run)symbol(library, "loom_run");
  LastError lastError = (LastError)symbol(library, "loom_last_error");
  Profile profile = (Profile)symbol(library, "loom_gpu_profile");
  KernelTime kernelTime = (KernelTime)symbol(library, "loom_gpu_kernel_time");

  LoomTensor *tensors[kMaxInputs];
  for (int i = 0; i < inputs; ++i) {
    int64_t shape[kMaxRank], rank;
    float *values = make_input(argv[7 + i], (uint64_t)i, shape, &rank);
    tensors[i] = create(values, shape, rank, LOOM_F32, 0);
  }
  LoomTensorList *in = listCreate(tensors, inputs);

  FILE *f = fopen(argv[3], "rb");
  if (!f || fseek(f, 0, SEEK_END) != 0) {
    fprintf(stderr, "harness: cannot read %s\n", argv[3]);
    return 2;
  }
  int64_t count = ftell(f) / (int64_t)sizeof(float);
  float *expected = malloc(sizeof(float) * (size_t)(count ? count : 1));
  rewind(f);
  if (fread(expected, sizeof(float), (size_t)count, f) != (size_t)count) {
    fprintf(stderr, "harness: cannot read %s\n", argv[3]);
    return 2;
  }
  fclose(f);

  /* The first run uploads the constant weights and checks the result. */
  LoomTensorList *out = NULL;
  if (run(entry, in, &out) != LOOM_OK) {
    printf("{\"error\": \"%s\"}\n", lastError());
    return 1;
  }
  LoomTensor *result = listGet(out, 0);
  if (elements(result) != count) {
    printf("{\"error\": \"%lld outputs, %lld expected\"}\n",
           (long long)elements(result), (long long)count);
    return 1;
  }
  const float *y = data(result);
  double maxError = 0;
  for (int64_t i = 0; i < count; ++i) {
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
    run(entry, in, &out);
    listDestroy(out);
  }
  kernelTime(&kernelSeconds, &launches);
  profile(0);
  double start = now();
  for (int r = 0; r < reps; ++r) {
    run(entry, in, &out);
    listDestroy(out);
  }
  double wall = (now() - start) / reps;
  double kernel = kernelSeconds / reps;
  printf("{\"max_error\": %.6g, \"tolerance\": %.6g, \"correct\": %s, "
         "\"kernel_us\": %.3f, \"call_us\": %.3f, \"launches\": %.2f, "
         "\"weight_gbps\": %.1f}\n",
         maxError, tolerance, maxError <= tolerance ? "true" : "false",
         kernel * 1e6, wall * 1e6, (double)launches / reps,
         kernel > 0 ? bytes / kernel * 1e-9 : 0.0);
  return maxError <= tolerance ? 0 : 1;
}

//===- FakeCudaDriver.c - A CUDA driver that counts instead of computing --===//
//
// libcuda.so.1 for tests on machines without a GPU: every driver function
// the runtime's shim binds succeeds, "device" memory is host memory, and
// kernels do not run. What it does count is what a run asks of the
// driver: launches, and copies by direction. With LOOM_FAKE_CUDA_LOG set,
// the counts are printed to stderr at exit, so a test can check how often
// a compiled model crosses the bus per call.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum { kSuccess = 0 };

static struct {
  long launches, hostToDevice, deviceToHost, deviceToDevice, uploads;
} counts;

/// The live "device" allocations, so that a copy's direction is known.
static struct Allocation {
  char *begin;
  size_t bytes;
} * allocations;
static size_t allocationCount, allocationCapacity;

static int onDevice(CUdeviceptr address) {
  const char *p = (const char *)(uintptr_t)address;
  for (size_t i = 0; i < allocationCount; ++i)
    if (p >= allocations[i].begin &&
        p < allocations[i].begin + allocations[i].bytes)
      return 1;
  return 0;
}

__attribute__((destructor)) static void report(void) {
  if (!getenv("LOOM_FAKE_CUDA_LOG"))
    return;
  fprintf(stderr,
          "fake-cuda: launches=%ld htod=%ld dtoh=%ld dtod=%ld uploads=%ld\n",
          counts.launches, counts.hostToDevice, counts.deviceToHost,
          counts.deviceToDevice, counts.uploads);
}

/// A distinct handle for each object the driver hands out.
static void *handle(void) { return malloc(1); }

CUresult cuInit(unsigned flags) { return kSuccess; }
CUresult cuDeviceGet(int *device, int ordinal) {
  *device = ordinal;
  return kSuccess;
}
CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  *context = handle();
  return kSuccess;
}
CUresult cuCtxSetCurrent(void *context) { return kSuccess; }
CUresult cuModuleLoadData(void **module, const void *image) {
  *module = handle();
  return kSuccess;
}
CUresult cuModuleUnload(void *module) {
  free(module);
  return kSuccess;
}
CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  *function = handle();
  return kSuccess;
}
CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned shared,
                        void *stream, void **params, void **extra) {
  ++counts.launches;
  return kSuccess;
}
CUresult cuStreamCreate(void **stream, unsigned flags) {
  *stream = handle();
  return kSuccess;
}
CUresult cuStreamDestroy_v2(void *stream) {
  free(stream);
  return kSuccess;
}
CUresult cuStreamSynchronize(void *stream) { return kSuccess; }

CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t bytes) {
  if (allocationCount == allocationCapacity) {
    allocationCapacity = allocationCapacity ? 2 * allocationCapacity : 64;
    allocations =
        realloc(allocations, allocationCapacity * sizeof(*allocations));
  }
  char *memory = calloc(bytes ? bytes : 1, 1);
  allocations[allocationCount++] = (struct Allocation){memory, bytes};
  *address = (CUdeviceptr)(uintptr_t)memory;
  return kSuccess;
}
CUresult cuMemFree_v2(CUdeviceptr address) {
  for (size_t i = 0; i < allocationCount; ++i)
    if (allocations[i].begin == (char *)(uintptr_t)address) {
      free(allocations[i].begin);
      allocations[i] = allocations[--allocationCount];
      break;
    }
  return kSuccess;
}
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       void *stream) {
  int toDevice = onDevice(dst), fromDevice = onDevice(src);
  if (toDevice && fromDevice)
    ++counts.deviceToDevice;
  else if (toDevice)
    ++counts.hostToDevice;
  else if (fromDevice)
    ++counts.deviceToHost;
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  return kSuccess;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  ++counts.uploads;
  memcpy((void *)(uintptr_t)dst, src, bytes);
  return kSuccess;
}
CUresult cuGetErrorName(CUresult error, const char **name) {
  *name = "CUDA_ERROR_FAKE";
  return kSuccess;
}
CUresult cuEventCreate(void **event, unsigned flags) {
  *event = handle();
  return kSuccess;
}
CUresult cuEventRecord(void *event, void *stream) { return kSuccess; }
CUresult cuEventSynchronize(void *event) { return kSuccess; }
CUresult cuEventElapsedTime_v2(float *milliseconds, void *start, void *end) {
  *milliseconds = 0;
  return kSuccess;
}
CUresult cuEventDestroy_v2(void *event) {
  free(event);
  return kSuccess;
}

//===- CudaShimTest.cpp - The GPU runtime without a GPU -------------------===//
//
// A library compiled for nvptx calls the shim's mgpu* functions from its
// constructor and its runs; without a CUDA driver each must fail softly,
// leave an error the run reports, and never crash.
//
//===----------------------------------------------------------------------===//

#include "loom-c/RuntimeInvoke.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <string>

extern "C" {
void *mgpuModuleLoadJIT(void *data, int optLevel);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void mgpuMemFree(void *pointer, void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamDestroy(void *stream);
struct MemRef1D {
  void *allocated, *aligned;
  int64_t offset, size, stride;
};
void _mlir_ciface_loom_gpu_constant_f32(MemRef1D *result, MemRef1D *host);
void _mlir_ciface_loom_gpu_constant_bf16(MemRef1D *result, MemRef1D *host);
}

namespace {

bool driverPresent() {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (library)
    dlclose(library);
  return library != nullptr;
}

TEST(CudaShim, WithoutADriverEveryCallFailsSoftly) {
  if (driverPresent())
    GTEST_SKIP() << "a CUDA driver is installed";
  EXPECT_EQ(loom_gpu_ready(), LOOM_ERROR_UNSUPPORTED);
  EXPECT_EQ(std::string(loom_last_error()),
            "this model runs on an NVIDIA GPU: no CUDA driver "
            "(libcuda.so.1 cannot be loaded)");
  // What a run's lowered code calls, in order: nothing happens, the first
  // failure is kept.
  char ptx[] = "// not loaded";
  void *module = mgpuModuleLoadJIT(ptx, 3);
  EXPECT_EQ(module, nullptr);
  EXPECT_EQ(loom_gpu_take_error(), LOOM_OK) << "a load failure is no run's";
  void *stream = mgpuStreamCreate();
  void *buffer = mgpuMemAlloc(64, stream, false);
  EXPECT_EQ(buffer, nullptr);
  float host[16] = {};
  mgpuMemcpy(buffer, host, sizeof(host), stream);
  mgpuLaunchKernel(mgpuModuleGetFunction(module, "k"), 1, 1, 1, 32, 1, 1, 0,
                   stream, nullptr, nullptr, 0);
  mgpuMemFree(buffer, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  EXPECT_EQ(loom_gpu_take_error(), LOOM_ERROR_INTERNAL);
  EXPECT_EQ(std::string(loom_last_error()),
            "GPU: creating a stream: no CUDA driver (libcuda.so.1 cannot be "
            "loaded)");
  // Taken: the next run starts clean.
  EXPECT_EQ(loom_gpu_take_error(), LOOM_OK);

  // A resident weight: a null buffer of the right size, and the error.
  float weights[8] = {};
  MemRef1D weightsOnHost = {weights, weights, 0, 8, 1}, device;
  _mlir_ciface_loom_gpu_constant_f32(&device, &weightsOnHost);
  EXPECT_EQ(device.aligned, nullptr);
  EXPECT_EQ(device.size, 8);
  EXPECT_EQ(loom_gpu_take_error(), LOOM_ERROR_INTERNAL);
  EXPECT_EQ(std::string(loom_last_error()),
            "GPU: uploading a weight: no CUDA driver (libcuda.so.1 cannot be "
            "loaded)");

  // A half-precision one (a bf16 MoE layer's experts): the same.
  uint16_t halves[6] = {};
  MemRef1D halvesOnHost = {halves, halves, 0, 6, 1};
  _mlir_ciface_loom_gpu_constant_bf16(&device, &halvesOnHost);
  EXPECT_EQ(device.aligned, nullptr);
  EXPECT_EQ(device.size, 6);
  EXPECT_EQ(loom_gpu_take_error(), LOOM_ERROR_INTERNAL);
}

} // namespace

//===- CudaShim.cpp - The GPU runtime of compiled models ------------------===//
//
// A model compiled for nvptx calls the mgpu* functions that MLIR's gpu-to-llvm
// lowering and its offloading translation emit (module load at library load,
// stream, allocation, copy, launch). This file implements them over the CUDA
// driver API, found with dlopen at run time: Loom never links libcuda, and a
// library built for the GPU still loads on a machine without one. Failures
// are recorded, never fatal: loom_gpu_ready() reports why the GPU cannot be
// used (checked before every run) and loom_gpu_take_error() what went wrong
// during one.
//
//===----------------------------------------------------------------------===//

#include "Errors.h"

#include "loom-c/RuntimeInvoke.h"

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <unordered_map>

using namespace mlir::loom::runtime;

namespace {

// The few driver API types used here (cuda.h is not needed to build Loom).
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
constexpr CUresult kSuccess = 0;

struct Driver {
  CUresult (*init)(unsigned);
  CUresult (*deviceGet)(CUdevice *, int);
  CUresult (*primaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*ctxSetCurrent)(CUcontext);
  CUresult (*moduleLoadData)(CUmodule *, const void *);
  CUresult (*moduleUnload)(CUmodule);
  CUresult (*moduleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*launchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*streamCreate)(CUstream *, unsigned);
  CUresult (*streamDestroy)(CUstream);
  CUresult (*streamSynchronize)(CUstream);
  CUresult (*memAlloc)(CUdeviceptr *, size_t);
  CUresult (*memFree)(CUdeviceptr);
  CUresult (*memcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*memcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*getErrorName)(CUresult, const char **);
  CUresult (*eventCreate)(CUevent *, unsigned);
  CUresult (*eventRecord)(CUevent, CUstream);
  CUresult (*eventSynchronize)(CUevent);
  CUresult (*eventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*eventDestroy)(CUevent);

  CUcontext context = nullptr;
  /// Why the GPU cannot be used ("" when it can).
  std::string unavailable;
};

/// Binds `slot` to `name` in `library`; false when it is missing.
template <typename T> bool bind(void *library, T &slot, const char *name) {
  slot = reinterpret_cast<T>(dlsym(library, name));
  return slot != nullptr;
}

/// The process's driver, never destroyed: the library's destructors (module
/// unload, resident weights) may run after a static would have been.
Driver &driver() {
  static Driver &d = *new Driver();
  static std::once_flag once;
  std::call_once(once, [] {
    void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      d.unavailable = "no CUDA driver (libcuda.so.1 cannot be loaded)";
      return;
    }
    bool bound =
        bind(library, d.init, "cuInit") &&
        bind(library, d.deviceGet, "cuDeviceGet") &&
        bind(library, d.primaryCtxRetain, "cuDevicePrimaryCtxRetain") &&
        bind(library, d.ctxSetCurrent, "cuCtxSetCurrent") &&
        bind(library, d.moduleLoadData, "cuModuleLoadData") &&
        bind(library, d.moduleUnload, "cuModuleUnload") &&
        bind(library, d.moduleGetFunction, "cuModuleGetFunction") &&
        bind(library, d.launchKernel, "cuLaunchKernel") &&
        bind(library, d.streamCreate, "cuStreamCreate") &&
        bind(library, d.streamDestroy, "cuStreamDestroy_v2") &&
        bind(library, d.streamSynchronize, "cuStreamSynchronize") &&
        bind(library, d.memAlloc, "cuMemAlloc_v2") &&
        bind(library, d.memFree, "cuMemFree_v2") &&
        bind(library, d.memcpyAsync, "cuMemcpyAsync") &&
        bind(library, d.memcpyHtoD, "cuMemcpyHtoD_v2") &&
        bind(library, d.getErrorName, "cuGetErrorName") &&
        bind(library, d.eventCreate, "cuEventCreate") &&
        bind(library, d.eventRecord, "cuEventRecord") &&
        bind(library, d.eventSynchronize, "cuEventSynchronize") &&
        // CUDA 13 names it _v2; older drivers have only the first.
        (bind(library, d.eventElapsedTime, "cuEventElapsedTime_v2") ||
         bind(library, d.eventElapsedTime, "cuEventElapsedTime")) &&
        bind(library, d.eventDestroy, "cuEventDestroy_v2");
    if (!bound) {
      d.unavailable = "the CUDA driver lacks a function Loom needs";
      return;
    }
    CUdevice device;
    CUresult rc = d.init(0);
    if (rc == kSuccess)
      rc = d.deviceGet(&device, 0);
    if (rc == kSuccess)
      rc = d.primaryCtxRetain(&d.context, device);
    if (rc != kSuccess) {
      const char *name = "unknown";
      d.getErrorName(rc, &name);
      d.unavailable = std::string("no usable CUDA device (") + name + ")";
    }
  });
  return d;
}

/// The first failure of a run on this thread (empty: none).
thread_local std::string pendingError;

/// Whether `rc` succeeded; records the failure of `what` otherwise.
bool check(CUresult rc, const char *what) {
  if (rc == kSuccess)
    return true;
  if (pendingError.empty()) {
    const char *name = "unknown";
    driver().getErrorName(rc, &name);
    pendingError = std::string(what) + " failed: " + name;
  }
  return false;
}

/// The driver with this thread's context current, or null (recorded).
Driver *ready(const char *what) {
  Driver &d = driver();
  if (!d.unavailable.empty()) {
    if (pendingError.empty())
      pendingError = std::string(what) + ": " + d.unavailable;
    return nullptr;
  }
  return check(d.ctxSetCurrent(d.context), "cuCtxSetCurrent") ? &d : nullptr;
}

/// Why a module failed to load at library load time, reported by every
/// loom_gpu_ready() of the process. A function's static: the modules load
/// from a constructor that runs before this file's globals are built.
std::string &moduleLoadError() {
  static std::string &error = *new std::string();
  return error;
}

/// Kernel times, when profiling (loom_gpu_profile): each launch between two
/// events, waited for.
struct Profile {
  std::mutex mutex;
  bool enabled = false;
  double seconds = 0;
  int64_t launches = 0;
};

Profile &profile() {
  static Profile p;
  return p;
}

/// A rank-1 memref descriptor, as MLIR's C interface passes it.
struct MemRef1D {
  void *allocated, *aligned;
  int64_t offset, size, stride;
};

/// The device copies of the model's constant buffers (its folded weights),
/// by host address: each crosses the bus once per process. Freed when the
/// library unloads, if the driver still runs.
class ResidentConstants {
public:
  ~ResidentConstants() {
    Driver &d = driver();
    if (d.unavailable.empty() && d.ctxSetCurrent(d.context) == kSuccess)
      for (auto &entry : buffers)
        d.memFree(entry.second);
  }

  /// The device copy of `bytes` bytes at `host`; 0 on failure (recorded).
  CUdeviceptr get(const void *host, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = buffers.find(host);
    if (found != buffers.end())
      return found->second;
    Driver *d = ready("uploading a weight");
    CUdeviceptr device = 0;
    if (!d || !check(d->memAlloc(&device, bytes), "cuMemAlloc"))
      return 0;
    if (!check(d->memcpyHtoD(device, host, bytes), "cuMemcpyHtoD")) {
      d->memFree(device);
      return 0;
    }
    buffers.emplace(host, device);
    return device;
  }

private:
  std::mutex mutex;
  std::unordered_map<const void *, CUdeviceptr> buffers;
};

void residentConstant(MemRef1D *result, const MemRef1D *host,
                      size_t elementBytes) {
  static ResidentConstants constants;
  const char *data = static_cast<const char *>(host->aligned) +
                     host->offset * static_cast<int64_t>(elementBytes);
  void *device = reinterpret_cast<void *>(
      constants.get(data, static_cast<size_t>(host->size) * elementBytes));
  *result = {device, device, 0, host->size, 1};
}

} // namespace

extern "C" {

LOOM_EXPORT LoomStatus loom_gpu_ready(void) {
  Driver &d = driver();
  if (!d.unavailable.empty())
    return fail(LOOM_ERROR_UNSUPPORTED, "this model runs on an NVIDIA GPU: %s",
                d.unavailable.c_str());
  if (!moduleLoadError().empty())
    return fail(LOOM_ERROR_UNSUPPORTED, "%s", moduleLoadError().c_str());
  return LOOM_OK;
}

LOOM_EXPORT void loom_gpu_profile(int enable) {
  Profile &p = profile();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.enabled = enable != 0;
}

LOOM_EXPORT void loom_gpu_kernel_time(double *seconds, int64_t *launches) {
  Profile &p = profile();
  std::lock_guard<std::mutex> lock(p.mutex);
  *seconds = p.seconds;
  *launches = p.launches;
  p.seconds = 0;
  p.launches = 0;
}

LOOM_EXPORT LoomStatus loom_gpu_take_error(void) {
  if (pendingError.empty())
    return LOOM_OK;
  LoomStatus status =
      fail(LOOM_ERROR_INTERNAL, "GPU: %s", pendingError.c_str());
  pendingError.clear();
  return status;
}

// The functions below have the signatures MLIR's GPU lowering calls; only
// the model in the same library calls them, so they stay hidden.

void *mgpuModuleLoad(void *data, size_t /*size*/) {
  Driver *d = ready("loading the kernels");
  CUmodule module = nullptr;
  if (d && !check(d->moduleLoadData(&module, data), "cuModuleLoadData"))
    moduleLoadError() = "the kernels do not load on this GPU: " + pendingError;
  // Not a run's failure: loom_gpu_ready() reports it.
  pendingError.clear();
  return module;
}

void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  // PTX text: the driver compiles it for the device it finds.
  return mgpuModuleLoad(data, 0);
}

void mgpuModuleUnload(void *module) {
  Driver &d = driver();
  if (module && d.unavailable.empty())
    d.moduleUnload(static_cast<CUmodule>(module));
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  Driver *d = ready("finding a kernel");
  CUfunction function = nullptr;
  if (d && !module && pendingError.empty())
    pendingError = "the kernels are not loaded";
  if (d && module)
    check(d->moduleGetFunction(&function, static_cast<CUmodule>(module), name),
          "cuModuleGetFunction");
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t sharedBytes, void *stream,
                      void **params, void **extra, size_t /*paramsCount*/) {
  Driver *d = ready("launching a kernel");
  if (!d || !function || !pendingError.empty())
    return;
  Profile &p = profile();
  CUevent start = nullptr, stop = nullptr;
  bool timed = p.enabled && check(d->eventCreate(&start, 0), "cuEventCreate") &&
               check(d->eventCreate(&stop, 0), "cuEventCreate") &&
               check(d->eventRecord(start, static_cast<CUstream>(stream)),
                     "cuEventRecord");
  check(d->launchKernel(static_cast<CUfunction>(function), gridX, gridY, gridZ,
                        blockX, blockY, blockZ, sharedBytes,
                        static_cast<CUstream>(stream), params, extra),
        "cuLaunchKernel");
  float milliseconds = 0;
  if (timed &&
      check(d->eventRecord(stop, static_cast<CUstream>(stream)),
            "cuEventRecord") &&
      check(d->eventSynchronize(stop), "cuEventSynchronize") &&
      check(d->eventElapsedTime(&milliseconds, start, stop),
            "cuEventElapsedTime")) {
    std::lock_guard<std::mutex> lock(p.mutex);
    p.seconds += milliseconds * 1e-3;
    ++p.launches;
  }
  // Either event may exist without the other when creating one failed.
  for (CUevent event : {start, stop})
    if (event)
      d->eventDestroy(event);
}

void *mgpuStreamCreate(void) {
  Driver *d = ready("creating a stream");
  CUstream stream = nullptr;
  if (d)
    check(d->streamCreate(&stream, /*CU_STREAM_NON_BLOCKING=*/1),
          "cuStreamCreate");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (Driver *d = ready("destroying a stream"); d && stream)
    check(d->streamDestroy(static_cast<CUstream>(stream)), "cuStreamDestroy");
}

void mgpuStreamSynchronize(void *stream) {
  if (Driver *d = ready("synchronizing a stream"); d && stream)
    check(d->streamSynchronize(static_cast<CUstream>(stream)),
          "cuStreamSynchronize");
}

void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/, bool /*hostShared*/) {
  Driver *d = ready("allocating device memory");
  CUdeviceptr pointer = 0;
  // cuMemAlloc refuses 0 bytes; a 0-element buffer is never touched.
  if (d && bytes > 0)
    check(d->memAlloc(&pointer, bytes), "cuMemAlloc");
  return reinterpret_cast<void *>(pointer);
}

void mgpuMemFree(void *pointer, void *stream) {
  // The stream's copies out of the buffer must finish first.
  Driver *d = ready("freeing device memory");
  if (!d || !pointer)
    return;
  if (stream)
    check(d->streamSynchronize(static_cast<CUstream>(stream)),
          "cuStreamSynchronize");
  check(d->memFree(reinterpret_cast<CUdeviceptr>(pointer)), "cuMemFree");
}

// The device copy of a constant buffer (loom-gpu-device-copies), through
// MLIR's C interface: result and argument descriptors by pointer.
void _mlir_ciface_loom_gpu_constant_f32(MemRef1D *result, MemRef1D *host) {
  residentConstant(result, host, sizeof(float));
}

void _mlir_ciface_loom_gpu_constant_i32(MemRef1D *result, MemRef1D *host) {
  residentConstant(result, host, sizeof(int32_t));
}

// Half-precision weights (f16 and bf16 alike: only their bytes move).
void _mlir_ciface_loom_gpu_constant_f16(MemRef1D *result, MemRef1D *host) {
  residentConstant(result, host, 2);
}

void _mlir_ciface_loom_gpu_constant_bf16(MemRef1D *result, MemRef1D *host) {
  residentConstant(result, host, 2);
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  Driver *d = ready("copying");
  // After a failure the buffers may be null: copy nothing more.
  if (!d || bytes == 0 || !pendingError.empty())
    return;
  check(d->memcpyAsync(reinterpret_cast<CUdeviceptr>(dst),
                       reinterpret_cast<CUdeviceptr>(src), bytes,
                       static_cast<CUstream>(stream)),
        "cuMemcpyAsync");
}

} // extern "C"

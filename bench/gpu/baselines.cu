// bench/gpu/baselines.cu: the ceilings the GPU goals are judged against,
// measured in the same run (measuring.md, "The GPU"): the HBM read
// bandwidth, and cuBLAS fp16 GEMMs (fp32 accumulation) of the same FLOPs as
// each prepared case. Prints one JSON object.
//
// usage: baselines M K N [N ...]
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK(call)                                                            \
  do {                                                                         \
    cudaError_t e = (call);                                                    \
    if (e != cudaSuccess) {                                                    \
      std::fprintf(stderr, "baselines: %s: %s\n", #call,                       \
                   cudaGetErrorString(e));                                     \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

// Every block sums a grid-stride share of the buffer, 16 bytes per load;
// the sums are written so the loads cannot be dropped.
__global__ void readAll(const float4 *data, size_t count, float *sums) {
  float acc = 0;
  for (size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < count;
       i += size_t(gridDim.x) * blockDim.x) {
    float4 v = data[i];
    acc += v.x + v.y + v.z + v.w;
  }
  sums[blockIdx.x * blockDim.x + threadIdx.x] = acc;
}

// Best of `reps` timings of `body`, in seconds.
template <typename F> double best(int reps, F body) {
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  body(); // warm-up
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    CHECK(cudaEventRecord(start));
    body();
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float ms;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    best = std::min(best, ms * 1e-3);
  }
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  return best;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: baselines M K N [N ...]\n");
    return 2;
  }
  int m = std::atoi(argv[1]), k = std::atoi(argv[2]);
  cudaDeviceProp prop;
  CHECK(cudaGetDeviceProperties(&prop, 0));

  // HBM: 4 GiB read, far past the 60 MB L2.
  size_t bytes = size_t(4) << 30, count = bytes / sizeof(float4);
  float4 *data;
  float *sums;
  int blocks = prop.multiProcessorCount * 8, threads = 512;
  CHECK(cudaMalloc(&data, bytes));
  CHECK(cudaMemset(data, 0, bytes));
  CHECK(cudaMalloc(&sums, sizeof(float) * blocks * threads));
  double hbm =
      best(10, [&] { readAll<<<blocks, threads>>>(data, count, sums); });
  CHECK(cudaFree(data));
  CHECK(cudaFree(sums));

  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "baselines: cublasCreate failed\n");
    return 1;
  }
  std::printf(
      "{\"device\": \"%s\", \"hbm_read_gbps\": %.1f, \"cublas_fp16\": [",
      prop.name, bytes / hbm * 1e-9);
  for (int a = 3; a < argc; ++a) {
    int n = std::atoi(argv[a]);
    // Y[n, m] = X[n, k] W[m, k]^T, column-major: Y^T (m x n) = W (m x k) X^T.
    __half *w, *x, *y;
    CHECK(cudaMalloc(&w, sizeof(__half) * size_t(m) * k));
    CHECK(cudaMalloc(&x, sizeof(__half) * size_t(n) * k));
    CHECK(cudaMalloc(&y, sizeof(__half) * size_t(n) * m));
    CHECK(cudaMemset(w, 0, sizeof(__half) * size_t(m) * k));
    CHECK(cudaMemset(x, 0, sizeof(__half) * size_t(n) * k));
    float one = 1, zero = 0;
    cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
    double seconds = best(50, [&] {
      status =
          cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, w,
                       CUDA_R_16F, k, x, CUDA_R_16F, k, &zero, y, CUDA_R_16F, m,
                       CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    });
    if (status != CUBLAS_STATUS_SUCCESS) {
      std::fprintf(stderr, "baselines: cublasGemmEx failed (%d)\n", status);
      return 1;
    }
    std::printf("%s{\"m\": %d, \"k\": %d, \"n\": %d, \"us\": %.3f}",
                a == 3 ? "" : ", ", m, k, n, seconds * 1e6);
    CHECK(cudaFree(w));
    CHECK(cudaFree(x));
    CHECK(cudaFree(y));
  }
  std::printf("]}\n");
  cublasDestroy(handle);
  return 0;
}

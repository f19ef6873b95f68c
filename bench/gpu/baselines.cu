// bench/gpu/baselines.cu: the ceilings the GPU goals are judged against,
// measured in the same run (measuring.md, "The GPU"): the HBM read
// bandwidth; cuBLAS fp16 GEMMs (fp32 accumulation) of the same FLOPs as
// each prepared lut case; and for each MoE case one cuBLAS GEMM of the
// layer's FLOPs (T * k rows by 3h outputs over d: both expert GEMMs of
// SwiGLU experts) and the per-expert cuBLAS loop a framework without
// grouped GEMMs runs (T * k / E rows per expert, each expert's two GEMMs).
// Prints one JSON object.
//
// usage: baselines SPEC [SPEC ...]
//   SPEC: gemm:M:K:N (Y[N, M] = X[N, K] W^T) or moe:T:E:k:d:h
#include <cublas_v2.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
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

// Y^T (m x n) = W (m x k) X^T in column-major fp16, fp32 accumulation.
static cublasStatus_t gemm(cublasHandle_t handle, int m, int n, int k,
                           const __half *w, const __half *x, __half *y) {
  float one = 1, zero = 0;
  return cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one, w,
                      CUDA_R_16F, k, x, CUDA_R_16F, k, &zero, y, CUDA_R_16F, m,
                      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
}

// A zeroed device buffer of `count` halves.
static __half *zeros(size_t count) {
  __half *p;
  CHECK(cudaMalloc(&p, sizeof(__half) * std::max<size_t>(count, 1)));
  CHECK(cudaMemset(p, 0, sizeof(__half) * std::max<size_t>(count, 1)));
  return p;
}

// Best time of `body`, which runs cuBLAS calls; exits when one fails.
template <typename F> double timeCublas(F body) {
  cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  double seconds = best(50, [&] {
    cublasStatus_t s = body();
    if (s != CUBLAS_STATUS_SUCCESS)
      status = s;
  });
  if (status != CUBLAS_STATUS_SUCCESS) {
    std::fprintf(stderr, "baselines: cublasGemmEx failed (%d)\n", status);
    std::exit(1);
  }
  return seconds;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: baselines SPEC [SPEC ...]\n");
    return 2;
  }
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
  std::string gemms, moes;
  char line[256];
  for (int a = 1; a < argc; ++a) {
    int m, k, n, t, e, slots, d, h;
    if (std::sscanf(argv[a], "gemm:%d:%d:%d", &m, &k, &n) == 3) {
      __half *w = zeros(size_t(m) * k), *x = zeros(size_t(n) * k),
             *y = zeros(size_t(n) * m);
      double seconds = timeCublas([&] { return gemm(handle, m, n, k, w, x, y); });
      std::snprintf(line, sizeof line,
                    "%s{\"m\": %d, \"k\": %d, \"n\": %d, \"us\": %.3f}",
                    gemms.empty() ? "" : ", ", m, k, n, seconds * 1e6);
      gemms += line;
      CHECK(cudaFree(w));
      CHECK(cudaFree(x));
      CHECK(cudaFree(y));
    } else if (std::sscanf(argv[a], "moe:%d:%d:%d:%d:%d", &t, &e, &slots, &d,
                           &h) == 5) {
      int rows = t * slots, perExpert = (rows + e - 1) / e;
      __half *w13 = zeros(size_t(e) * 2 * h * d), *w2 = zeros(size_t(e) * d * h),
             *x = zeros(size_t(rows) * d), *a = zeros(size_t(rows) * 2 * h),
             *y = zeros(size_t(rows) * std::max(d, 3 * h));
      double one = timeCublas(
          [&] { return gemm(handle, 3 * h, rows, d, w13, x, y); });
      double loop = timeCublas([&] {
        cublasStatus_t s = CUBLAS_STATUS_SUCCESS;
        for (int i = 0; i < e && s == CUBLAS_STATUS_SUCCESS; ++i) {
          size_t first = size_t(i) * perExpert;
          s = gemm(handle, 2 * h, perExpert, d, w13 + size_t(i) * 2 * h * d,
                   x + first * d, a + first * 2 * h);
          if (s == CUBLAS_STATUS_SUCCESS)
            s = gemm(handle, d, perExpert, h, w2 + size_t(i) * d * h,
                     a + first * 2 * h, y + first * d);
        }
        return s;
      });
      std::snprintf(line, sizeof line,
                    "%s{\"t\": %d, \"e\": %d, \"k\": %d, \"d\": %d, "
                    "\"h\": %d, \"one_gemm_us\": %.3f, "
                    "\"per_expert_us\": %.3f}",
                    moes.empty() ? "" : ", ", t, e, slots, d, h, one * 1e6,
                    loop * 1e6);
      moes += line;
      for (__half *p : {w13, w2, x, a, y})
        CHECK(cudaFree(p));
    } else {
      std::fprintf(stderr, "baselines: bad spec '%s'\n", argv[a]);
      return 2;
    }
  }
  std::printf("{\"device\": \"%s\", \"hbm_read_gbps\": %.1f, "
              "\"cublas_fp16\": [%s], \"moe\": [%s]}\n",
              prop.name, bytes / hbm * 1e-9, gemms.c_str(), moes.c_str());
  cublasDestroy(handle);
  return 0;
}

//===- OneDnnGemm.h - oneDNN's int8 matmul, a W8A8 peer of the LUT GEMM ---===//
//
// The int8 GEMM a deployment without low-bit kernels runs: weights
// quantized to int8 per output channel, activations per tensor, one
// oneDNN matmul (VNNI where the CPU has it) into f32. It reads 8 bits per
// weight where Loom's formats read 1 to 4, and it has no group scales:
// a speed peer, checked against the reference for sanity only.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BENCH_LUT_ONEDNNGEMM_H
#define LOOM_BENCH_LUT_ONEDNNGEMM_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace loom::bench {

class OneDnnInt8Gemm {
public:
  /// `weights`: M x K, row-major f32 (the format's dequantized weights),
  /// quantized here to int8 per row.
  OneDnnInt8Gemm(const std::vector<float> &weights, int64_t m, int64_t k);
  ~OneDnnInt8Gemm();

  /// Quantizes `x` (N x K, row-major) and builds the matmul for N rows,
  /// its weights reordered to the layout it chose: all outside the timing.
  void prepare(const std::vector<float> &x, int64_t n);
  /// y (N x M) = x W^T, on `threads` OpenMP threads.
  void run(float *y, int threads) const;
  /// The reordered weights, which a cold call flushes first.
  const char *weightData() const;
  size_t weightBytes() const;

private:
  struct State;
  std::unique_ptr<State> state;
};

} // namespace loom::bench

#endif // LOOM_BENCH_LUT_ONEDNNGEMM_H

//===- LutOracle.h - Plain-loop oracle for lut.mpgemm -----------*- C++ -*-===//
//
// lut.md §1 written as plain loops over logical codes, in double. It shares
// no code with the compiler.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_ORACLE_LUTORACLE_H
#define LOOM_TEST_ORACLE_LUTORACLE_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace loom::oracle {

enum class Encoding { Unsigned, Signed, Binary, Ternary };
enum class Offset { None, ZeroPoint, Min };

struct LutFormat {
  Encoding encoding;
  unsigned bits;   // 0 for ternary
  int64_t group;   // K elements per scale; 0 = per tensor, -1 = per channel
  Offset offset = Offset::None;
};

/// The value v(q) of a stored byte, masked to the encoding's width.
inline double codeValue(const LutFormat &f, uint8_t byte, uint8_t zeroPoint) {
  unsigned bits = f.encoding == Encoding::Ternary ? 2 : f.bits;
  int mask = (1 << bits) - 1;
  int q = byte & mask;
  int v = 0;
  switch (f.encoding) {
  case Encoding::Unsigned: v = q; break;
  case Encoding::Signed: v = q - (1 << (bits - 1)); break;
  case Encoding::Binary: v = 2 * q - 1; break;
  case Encoding::Ternary: v = std::min(q, 2) - 1; break;
  }
  if (f.offset == Offset::ZeroPoint)
    v -= zeroPoint & mask;
  return v;
}

/// Dequantized weights w[m*K + k]. Scales and offsets are [M or 1, groups].
inline std::vector<double> dequantize(const LutFormat &f, int64_t m, int64_t k,
                                      const std::vector<uint8_t> &codes,
                                      const std::vector<float> &scales,
                                      const std::vector<float> &offsets) {
  std::vector<double> w(m * k);
  int64_t groups = f.group > 0 ? (k + f.group - 1) / f.group : 1;
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < k; ++c) {
      int64_t sr = f.group == 0 ? 0 : r;
      int64_t sc = f.group > 0 ? c / f.group : 0;
      int64_t si = sr * groups + sc;
      uint8_t z = f.offset == Offset::ZeroPoint
                      ? static_cast<uint8_t>(offsets[si]) : 0;
      double v = codeValue(f, codes[r * k + c], z) * double(scales[si]);
      if (f.offset == Offset::Min)
        v -= offsets[si];
      w[r * k + c] = v;
    }
  return w;
}

/// Activation quantization: per block of `block` K elements of each row,
/// s = absmax / 127 (in float), q = round-half-even(x / s) clamped to ±127.
/// Returns the dequantized activations s * q.
inline std::vector<double> quantizeActivations(const std::vector<float> &x,
                                               int64_t n, int64_t k,
                                               int64_t block) {
  std::vector<double> out(n * k);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t b0 = 0; b0 < k; b0 += block) {
      float absmax = 0.f;
      for (int64_t c = b0; c < b0 + block; ++c)
        absmax = std::max(absmax, std::fabs(x[r * k + c]));
      float s = absmax / 127.0f;
      for (int64_t c = b0; c < b0 + block; ++c) {
        float q = s == 0.f ? 0.f
                           : std::clamp(std::nearbyint(x[r * k + c] / s),
                                        -127.f, 127.f);
        out[r * k + c] = double(s) * double(q);
      }
    }
  return out;
}

/// y[n, m] = sum_k x[n, k] * w[m, k], in double; also sum_k |x w| per output
/// for the error bound.
inline void gemm(const std::vector<double> &x, const std::vector<double> &w,
                 int64_t n, int64_t m, int64_t k, std::vector<double> &y,
                 std::vector<double> &magnitude) {
  y.assign(n * m, 0.0);
  magnitude.assign(n * m, 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < m; ++c) {
      double acc = 0, mag = 0;
      for (int64_t i = 0; i < k; ++i) {
        acc += x[r * k + i] * w[c * k + i];
        mag += std::fabs(x[r * k + i] * w[c * k + i]);
      }
      y[r * m + c] = acc;
      magnitude[r * m + c] = mag;
    }
}

} // namespace loom::oracle

#endif // LOOM_TEST_ORACLE_LUTORACLE_H

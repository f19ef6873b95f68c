//===- MoELowBitTest.cpp - moe.layer with lut experts vs plain loops ------===//
//
// moe.layer over !lut.stacked expert weights (bitplane layout, every bit
// width), through the reference lowerings and through the CPU pipeline's
// table-lookup kernels (tables built once per token, lut-share-tables).
// Both implement the `table_i8` contract of lut.md §2.4, so they are
// compared with each other closely, and with the oracle layer over the
// dequantized weights within that contract's table quantization error.
//
//===----------------------------------------------------------------------===//

#include "CompiledModel.h"
#include "oracle/LutOracle.h"
#include "oracle/MoEOracle.h"

#include "gtest/gtest.h"

#include <random>
#include <sstream>

using namespace mlir::loom::test;
using loom::oracle::Act;
using loom::oracle::actName;
using loom::oracle::Encoding;
using loom::oracle::LutFormat;
using loom::oracle::Offset;
using loom::oracle::RoutingConfig;

namespace {

struct LowBitCase {
  const char *name;
  LutFormat format;
  Act act;
  int experts = 4, k = 2;
  double factor = 0.0; // Tutel's capacity factor
  bool preScore = false;
  std::string isa = "avx512";
  /// > 1: the grouped layout pads each expert's rows to a multiple (the
  /// padding rows have no token).
  int rowAlign = 1;
};

void PrintTo(const LowBitCase &c, std::ostream *os) { *os << c.name; }

constexpr int kD = 64, kH = 32, kGroup = 32;
constexpr double kTableI8Bound = 3e-2;

std::string quantAttr(const LutFormat &f) {
  static const char *enc[] = {"unsigned", "signed", "binary", "ternary"};
  std::ostringstream os;
  os << "#lut.quant<" << enc[int(f.encoding)];
  if (f.encoding != Encoding::Ternary)
    os << ", bits = " << f.bits;
  os << ", group = " << kGroup;
  if (f.offset == Offset::ZeroPoint)
    os << ", offset = zero_point";
  return os.str() + ">";
}

/// A dense literal of `values` as rows of `cols`.
template <typename T>
std::string denseLiteral(const std::vector<T> &values, size_t cols) {
  std::ostringstream os;
  os << "dense<[";
  for (size_t i = 0; i < values.size(); ++i)
    os << (i == 0 ? "[" : i % cols ? ", " : "], [") << +values[i];
  return os.str() + "]]>";
}

/// One expert matrix [m, k]: codes, scales and zero points (one per group).
struct Matrix {
  std::vector<int8_t> codes, zeroPoints;
  std::vector<float> scales;
};

Matrix randomMatrix(const LutFormat &f, int m, int k, std::mt19937 &rng) {
  unsigned bits = f.encoding == Encoding::Ternary ? 2 : f.bits;
  int top = f.encoding == Encoding::Ternary ? 2 : (1 << bits) - 1;
  std::uniform_int_distribution<int> code(0, top);
  std::uniform_real_distribution<float> scale(0.02f, 0.08f);
  Matrix w;
  for (int i = 0; i < m * k; ++i)
    w.codes.push_back(int8_t(code(rng)));
  for (int i = 0; i < m * (k / kGroup); ++i) {
    w.scales.push_back(scale(rng));
    if (f.offset == Offset::ZeroPoint)
      w.zeroPoints.push_back(int8_t(code(rng)));
  }
  return w;
}

std::vector<float> dequantized(const LutFormat &f, const Matrix &w, int m,
                               int k) {
  LutFormat grouped = f;
  grouped.group = kGroup;
  std::vector<uint8_t> codes(w.codes.begin(), w.codes.end());
  std::vector<float> offsets(w.zeroPoints.begin(), w.zeroPoints.end());
  std::vector<double> v =
      loom::oracle::dequantize(grouped, m, k, codes, w.scales, offsets);
  return std::vector<float>(v.begin(), v.end());
}

/// `%name = lut.pack` of `w` as constants; returns the packed type.
std::string emitPack(std::ostream &os, const std::string &name,
                     const LutFormat &f, const Matrix &w, int m, int k) {
  std::string shape = std::to_string(m) + "x" + std::to_string(k);
  std::string scaleShape = std::to_string(m) + "x" + std::to_string(k / kGroup);
  std::string packed =
      "!lut.packed<" + shape + ", " + quantAttr(f) + ", #lut.layout<bitplane>>";
  os << "  %" << name << "_c = arith.constant " << denseLiteral(w.codes, k)
     << " : tensor<" << shape << "xi8>\n"
     << "  %" << name << "_s = arith.constant "
     << denseLiteral(w.scales, k / kGroup) << " : tensor<" << scaleShape
     << "xf32>\n";
  if (f.offset == Offset::ZeroPoint)
    os << "  %" << name << "_z = arith.constant "
       << denseLiteral(w.zeroPoints, k / kGroup) << " : tensor<" << scaleShape
       << "xi8>\n";
  os << "  %" << name << " = lut.pack %" << name << "_c, %" << name << "_s";
  if (f.offset == Offset::ZeroPoint)
    os << ", %" << name << "_z";
  os << " : tensor<" << shape << "xi8>, tensor<" << scaleShape << "xf32>";
  if (f.offset == Offset::ZeroPoint)
    os << ", tensor<" << scaleShape << "xi8>";
  os << " -> " << packed << "\n";
  return packed;
}

class MoELowBit : public ::testing::TestWithParam<LowBitCase> {};

TEST_P(MoELowBit, MatchesReferenceAndOracle) {
  const LowBitCase &c = GetParam();
  if (c.isa == "avx512" && !__builtin_cpu_supports("avx512bw"))
    GTEST_SKIP() << "the host lacks avx512bw";
  bool gatedAct = loom::oracle::gated(c.act);
  int E = c.experts, H = gatedAct ? 2 * kH : kH;
  std::mt19937 rng(int(c.act) * 31 + int(c.format.encoding) * 7 +
                   int(c.format.bits));
  std::vector<Matrix> w1, w2;
  std::vector<float> w1f, w2f;
  for (int e = 0; e < E; ++e) {
    w1.push_back(randomMatrix(c.format, H, kD, rng));
    w2.push_back(randomMatrix(c.format, kD, kH, rng));
    std::vector<float> a = dequantized(c.format, w1.back(), H, kD),
                       b = dequantized(c.format, w2.back(), kD, kH);
    w1f.insert(w1f.end(), a.begin(), a.end());
    w2f.insert(w2f.end(), b.begin(), b.end());
  }

  RoutingConfig routing;
  routing.experts = E;
  routing.k = c.k;
  routing.factor = c.factor;
  std::ostringstream os;
  std::string xT = "tensor<?x" + std::to_string(kD) + "xf32>",
              rT = "tensor<" + std::to_string(E) + "x" + std::to_string(kD) +
                   "xf32>";
  os << "func.func @layer(%x: " << xT << ", %wr: " << rT << ") -> " << xT
     << " {\n";
  std::string p1, p2;
  for (int e = 0; e < E; ++e) {
    p1 = emitPack(os, "a" + std::to_string(e), c.format, w1[e], H, kD);
    p2 = emitPack(os, "b" + std::to_string(e), c.format, w2[e], kD, kH);
  }
  std::string s1 = "!lut.stacked<" + std::to_string(E) + ", " + p1 + ">",
              s2 = "!lut.stacked<" + std::to_string(E) + ", " + p2 + ">";
  auto stack = [&](const char *name, const char *prefix, const std::string &t) {
    os << "  %" << name << " = lut.stack ";
    for (int e = 0; e < E; ++e)
      os << (e ? ", " : "") << "%" << prefix << e;
    os << " : " << t << "\n";
  };
  stack("w1", "a", s1);
  stack("w2", "b", s2);
  char factor[32];
  std::snprintf(factor, sizeof(factor), "%.9e", c.factor);
  os << "  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = " << c.k
     << ", renormalize>, capacity = #moe.capacity<factor = " << factor
     << ">, ffn = #moe.ffn<" << actName(c.act) << ">"
     << (c.preScore ? ", score_at = #moe.score_at<pre>" : "")
     << ", layout = #moe.layout<grouped, row_align = " << c.rowAlign << ">"
     << "} : (" << xT << ", " << rT << ", " << s1 << ", " << s2 << ") -> " << xT
     << "\n"
     << "  return %y : " << xT << "\n}\n";
  std::string source = os.str(), error;

  auto reference = CompiledModel::compile(source, error, Pipeline::Reference);
  ASSERT_TRUE(reference) << error;
  auto cpu = CompiledModel::compile(source, error, Pipeline::Cpu, c.isa);
  ASSERT_TRUE(cpu) << error;

  std::uniform_int_distribution<int> small(-2, 2), router(-3, 3);
  std::vector<float> wr(size_t(E) * kD);
  for (float &v : wr)
    v = router(rng);
  for (int tokens : {1, 7, 63}) {
    SCOPED_TRACE("T = " + std::to_string(tokens));
    std::vector<float> x(size_t(tokens) * kD);
    for (float &v : x)
      v = small(rng);
    loom::oracle::Routing r = loom::oracle::route(
        routing, loom::oracle::gate(routing, x, wr, tokens, kD), {}, tokens);
    std::vector<double> want = loom::oracle::layer(
        routing, c.act, c.preScore, r, x, w1f, w2f, tokens, kD, kH, {});
    auto run = [&](const CompiledModel &model) {
      LoomTensorList *out =
          model.run("layer",
                    {model.tensor(x.data(), {tokens, kD}, LOOM_F32),
                     model.tensor(wr.data(), {E, kD}, LOOM_F32)},
                    error);
      EXPECT_TRUE(out) << error;
      if (!out)
        return std::vector<float>();
      std::vector<float> y = outputValues<float>(model.api(), out, 0);
      model.api().tensor_list_destroy(out);
      return y;
    };
    std::vector<float> ref = run(*reference), got = run(*cpu);
    ASSERT_EQ(ref.size(), want.size());
    ASSERT_EQ(got.size(), want.size());
    double maxRef = 1e-30;
    for (double v : want)
      maxRef = std::max(maxRef, std::fabs(v));
    double kernelError = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_LE(std::fabs(ref[i] - want[i]), 1e-4 * maxRef)
          << "reference vs oracle at t = " << i / kD << ", j = " << i % kD;
      kernelError = std::max(kernelError, std::fabs(got[i] - want[i]) / maxRef);
    }
    // The kernels' int8 tables round each entry to a step of max |T| / 127
    // of its row and segment (lut.md §2.4), in both GEMMs.
    EXPECT_LE(kernelError, kTableI8Bound) << "kernel vs oracle, of max |y|";
  }
}

std::vector<LowBitCase> lowBitCases() {
  LutFormat binary{Encoding::Binary, 1, kGroup},
      ternary{Encoding::Ternary, 0, kGroup},
      signed2{Encoding::Signed, 2, kGroup},
      signed3{Encoding::Signed, 3, kGroup},
      signed4{Encoding::Signed, 4, kGroup},
      unsigned4{Encoding::Unsigned, 4, kGroup, Offset::ZeroPoint};
  LowBitCase padded{"signed2_swiglu_row_align4", signed2, Act::Swiglu};
  padded.rowAlign = 4;
  std::vector<LowBitCase> cases = {
      padded,
      {"binary_swiglu", binary, Act::Swiglu},
      {"ternary_gelu_prescore", ternary, Act::Gelu, 4, 2, 0.0, true},
      {"signed2_swiglu", signed2, Act::Swiglu},
      {"signed3_silu", signed3, Act::Silu},
      {"signed4_relu_cf1_drops", signed4, Act::Relu, 4, 2, 1.0},
      {"unsigned4_zero_point_geglu_top1", unsigned4, Act::Geglu, 4, 1},
      {"signed2_swiglu_generic", signed2, Act::Swiglu, 8, 2, 0.0, false,
       "generic"},
  };
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, MoELowBit, ::testing::ValuesIn(lowBitCases()),
                         [](const ::testing::TestParamInfo<LowBitCase> &info) {
                           return std::string(info.param.name);
                         });

} // namespace

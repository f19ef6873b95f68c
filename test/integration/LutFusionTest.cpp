//===- LutFusionTest.cpp - Fused table precompute vs the unfused path -----===//
//
// An RMSNorm's normalization step feeding a LUT GEMM is compiled by
// loom-cpu-pipeline twice in one module: `fused` (the precompute builds its
// tables from the norm's inputs, lut-fuse-precompute) and `norm` then
// `gemm` (the activations written out and read back). The producer's ops
// are the same IEEE operations on vectors as on scalars, so the two must
// agree to the bit, for every ISA, row count and shape; the unfused path
// itself is checked against the oracle in LutReferenceTest.
//
//===----------------------------------------------------------------------===//

#include "CompiledModel.h"

#include "loom/Support/DenseLiteral.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>
#include <sstream>

using namespace mlir::loom::test;
using mlir::loom::hexDenseLiteral;

namespace {

struct FusionCase {
  /// The weight's quant attribute and its scale shape [rows, cols].
  std::string quant;
  int64_t scaleRows, scaleCols;
  int64_t m, k;
  std::string isa;
};

std::string buildModule(const FusionCase &c, const std::vector<uint8_t> &codes,
                        const std::vector<float> &scales) {
  std::string k = std::to_string(c.k), m = std::to_string(c.m);
  std::string x = "tensor<?x" + k + "xf32>", y = "tensor<?x" + m + "xf32>";
  std::string scaleType = "tensor<" + std::to_string(c.scaleRows) + "x" +
                          std::to_string(c.scaleCols) + "xf32>";
  std::string packed = "!lut.packed<" + m + "x" + k + ", " + c.quant +
                       ", #lut.layout<bitplane>>";
  std::string inputs =
      "(%x: " + x + ", %ss: tensor<?xf32>, %g: tensor<" + k + "xf32>)";
  std::ostringstream os;
  os << "#nk = affine_map<(n, k) -> (n, k)>\n"
     << "#n = affine_map<(n, k) -> (n)>\n"
     << "#k = affine_map<(n, k) -> (k)>\n";
  auto norm = [&](const std::string &out) {
    os << "  %c0 = arith.constant 0 : index\n"
       << "  %n = tensor.dim %x, %c0 : " << x << "\n"
       << "  %e = tensor.empty(%n) : " << x << "\n"
       << "  %eps = arith.constant 1.0e-5 : f32\n"
       << "  %kf = arith.constant " << c.k << ".0 : f32\n"
       << "  %" << out
       << " = linalg.generic {indexing_maps = [#nk, #n, #k, #nk], "
          "iterator_types = [\"parallel\", \"parallel\"]} ins(%x, %ss, %g : "
       << x << ", tensor<?xf32>, tensor<" << k << "xf32>) outs(%e : " << x
       << ") {\n"
       << "  ^bb0(%a: f32, %s: f32, %gg: f32, %o: f32):\n"
       << "    %mean = arith.divf %s, %kf : f32\n"
       << "    %me = arith.addf %mean, %eps : f32\n"
       << "    %r = math.sqrt %me : f32\n"
       << "    %nrm = arith.divf %a, %r : f32\n"
       << "    %v = arith.mulf %nrm, %gg : f32\n"
       << "    linalg.yield %v : f32\n"
       << "  } -> " << x << "\n";
  };
  auto gemm = [&](const std::string &in) {
    os << "  %codes = arith.constant "
       << hexDenseLiteral(codes.data(), codes.size()) << " : tensor<" << m
       << "x" << k << "xi8>\n"
       << "  %scales = arith.constant "
       << hexDenseLiteral(scales.data(), scales.size() * 4) << " : "
       << scaleType << "\n"
       << "  %w = lut.pack %codes, %scales : tensor<" << m << "x" << k
       << "xi8>, " << scaleType << " -> " << packed << "\n"
       << "  %y = lut.mpgemm %" << in << ", %w : " << x << ", " << packed
       << " -> " << y << "\n"
       << "  return %y : " << y << "\n}\n";
  };
  os << "func.func @fused" << inputs << " -> " << y << " {\n";
  norm("h");
  gemm("h");
  os << "func.func @norm" << inputs << " -> " << x << " {\n";
  norm("h");
  os << "  return %h : " << x << "\n}\n";
  os << "func.func @gemm(%h: " << x << ") -> " << y << " {\n";
  gemm("h");
  return os.str();
}

void PrintTo(const FusionCase &c, std::ostream *os) {
  *os << c.quant << " " << c.m << "x" << c.k << " " << c.isa;
}

class LutFusion : public ::testing::TestWithParam<FusionCase> {};

TEST_P(LutFusion, MatchesUnfusedBits) {
  const FusionCase &c = GetParam();
  if ((c.isa == "avx512" && !__builtin_cpu_supports("avx512bw")) ||
      (c.isa == "avx2" && !__builtin_cpu_supports("avx2")))
    GTEST_SKIP() << "the host lacks " << c.isa;
  std::mt19937 rng(c.m * 131 + c.k);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> value(-1.f, 1.f);
  std::vector<uint8_t> codes(c.m * c.k);
  for (auto &q : codes)
    q = byte(rng); // Full bytes: the pack masks them.
  std::vector<float> scales(c.scaleRows * c.scaleCols);
  for (float &s : scales)
    s = 0.05f + 0.5f * std::abs(value(rng));

  std::string error;
  auto model = CompiledModel::compile(buildModule(c, codes, scales), error,
                                      Pipeline::CpuFullTables, c.isa);
  ASSERT_TRUE(model) << error;
  const auto &api = model->api();
  for (int64_t n : {1, 3}) {
    std::vector<float> x(n * c.k), ss(n), g(c.k);
    for (float &v : x)
      v = value(rng);
    for (int64_t row = 0; row < n; ++row) {
      ss[row] = 0;
      for (int64_t i = 0; i < c.k; ++i)
        ss[row] += x[row * c.k + i] * x[row * c.k + i];
    }
    for (float &v : g)
      v = 0.5f + value(rng);
    auto inputs = [&] {
      return std::vector<LoomTensor *>{
          model->tensor(x.data(), {n, c.k}, LOOM_F32),
          model->tensor(ss.data(), {n}, LOOM_F32),
          model->tensor(g.data(), {c.k}, LOOM_F32)};
    };
    auto single = [&](LoomTensorList *out) {
      EXPECT_TRUE(out) << error;
      std::vector<float> values =
          out ? outputValues<float>(api, out, 0) : std::vector<float>{};
      if (out)
        api.tensor_list_destroy(out);
      return values;
    };
    std::vector<float> fused = single(model->run("fused", inputs(), error));
    std::vector<float> h = single(model->run("norm", inputs(), error));
    ASSERT_EQ(h.size(), size_t(n * c.k));
    std::vector<float> unfused = single(model->run(
        "gemm", {model->tensor(h.data(), {n, c.k}, LOOM_F32)}, error));
    ASSERT_EQ(fused.size(), size_t(n * c.m));
    ASSERT_EQ(fused, unfused) << "N = " << n;
    EXPECT_TRUE(std::any_of(fused.begin(), fused.end(),
                            [](float v) { return v != 0.f; }));
  }
}

std::vector<FusionCase> allCases() {
  const struct {
    std::string quant;
    int64_t group;
  } formats[] = {
      {"#lut.quant<ternary, group = per_tensor, scale = f32>", 0},
      {"#lut.quant<signed, bits = 4, group = 32>", 32},
      {"#lut.quant<unsigned, bits = 2, group = 64>", 64},
      {"#lut.quant<binary, group = 128>", 128},
  };
  const struct { int64_t m, k; } shapes[] = {{128, 128}, {130, 256}, {7, 384}};
  std::vector<FusionCase> cases;
  for (const std::string isa : {"avx512", "avx2", "generic"})
    for (const auto &f : formats)
      for (const auto &s : shapes) {
        bool perTensor = f.group == 0;
        cases.push_back({f.quant, perTensor ? 1 : s.m,
                         perTensor ? 1 : s.k / f.group, s.m, s.k, isa});
      }
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<FusionCase> &info) {
  const FusionCase &c = info.param;
  std::string quant = c.quant.substr(c.quant.find('<') + 1);
  quant = quant.substr(0, quant.find(','));
  return quant + "_" + std::to_string(c.m) + "x" + std::to_string(c.k) + "_" +
         c.isa + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Formats, LutFusion, ::testing::ValuesIn(allCases()),
                         caseName);

} // namespace

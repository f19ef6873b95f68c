//===- LutReferenceTest.cpp - lut reference lowering vs plain loops -------===//
//
// Each case compiles one lut.pack + lut.mpgemm function with
// loom-reference-pipeline and runs it for several N against the oracle in
// oracle/LutOracle.h: every encoding and bit width, group / per-channel /
// per-tensor scales in f32, f16 and bf16, zero points and mins, fp32 and
// int8 activations (given scales, or act_quant per row and per block), and
// awkward shapes (M = 1, K not a multiple of the group, sizes not multiples
// of 8).
//
//===----------------------------------------------------------------------===//

#include "CompiledModel.h"
#include "oracle/LutOracle.h"

#include "loom/Support/DenseLiteral.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <random>
#include <sstream>

using namespace mlir::loom::test;
using loom::oracle::Encoding;
using loom::oracle::LutFormat;
using loom::oracle::Offset;
using mlir::loom::hexDenseLiteral;

namespace {

enum class ActMode { F32, ActQuantRow, ActQuantBlock, I8Row, I8Block, F16, BF16 };
enum class ScaleType { F32, F16, BF16 };

struct LutCase {
  LutFormat format;
  ScaleType scaleType;
  int64_t m, k;
  ActMode act;
  /// 0: the reference `codes` layout and pipeline; 4 or 8: a bitplane
  /// layout with that lookup group, lowered by loom-cpu-pipeline through the
  /// bit-serial table-lookup form, with full or mirrored half tables; 3: the
  /// trit3 layout of ternary weights (14-entry tables and a sign).
  int64_t lookupGroup = 0;
  bool mirror = false;
  /// With a bitplane layout: `accuracy = fp` (f32 tables) instead of the
  /// default table_i8 (int8 tables).
  bool fpTables = false;
  /// Empty: codes, scales and offsets are function arguments. Otherwise
  /// they are constants, so that convert-lut-to-vector folds the weight
  /// into its kernel, whose byte shuffle this names (avx512-vnni, avx512,
  /// avx2, generic).
  std::string isa = {};
  /// With int8 activations: the `lut.dot_from_n` decision the GEMM carries
  /// (0: none, table lookups for every N); N >= it takes the int8-dot path.
  int64_t dotFromN = 0;
};

/// The stored bytes of a weight, for cases that make it a constant.
struct WeightBytes {
  const void *codes, *scales, *offsets;
  size_t scaleBytes, offsetBytes;
};


constexpr int64_t kActBlock = 32;

std::string scaleTypeName(ScaleType t) {
  return t == ScaleType::F32 ? "f32" : t == ScaleType::F16 ? "f16" : "bf16";
}

std::string quantAttr(const LutCase &c) {
  std::ostringstream os;
  static const char *enc[] = {"unsigned", "signed", "binary", "ternary"};
  os << "#lut.quant<" << enc[int(c.format.encoding)];
  if (c.format.encoding != Encoding::Ternary)
    os << ", bits = " << c.format.bits;
  os << ", group = ";
  if (c.format.group > 0)
    os << c.format.group;
  else
    os << (c.format.group == 0 ? "per_tensor" : "per_channel");
  os << ", scale = " << scaleTypeName(c.scaleType);
  if (c.format.offset == Offset::ZeroPoint)
    os << ", offset = zero_point";
  if (c.format.offset == Offset::Min)
    os << ", offset = min";
  os << ">";
  return os.str();
}

int64_t scaleRows(const LutCase &c) { return c.format.group == 0 ? 1 : c.m; }
int64_t scaleCols(const LutCase &c) {
  return c.format.group > 0 ? (c.k + c.format.group - 1) / c.format.group : 1;
}
bool isI8(ActMode a) { return a == ActMode::I8Row || a == ActMode::I8Block; }
bool isHalf(ActMode a) { return a == ActMode::F16 || a == ActMode::BF16; }
std::string activationType(ActMode a) {
  return isI8(a) ? "i8" : a == ActMode::F16 ? "f16" : a == ActMode::BF16 ? "bf16" : "f32";
}

/// The function under test: (x, codes, scales, offsets, x_scale) -> y, with
/// the operands a case does not use still present, so that every case
/// shares one C signature.
std::string buildModule(const LutCase &c, const WeightBytes &bytes) {
  std::ostringstream os;
  std::string st = scaleTypeName(c.scaleType);
  std::string scales = "tensor<" + std::to_string(scaleRows(c)) + "x" +
                       std::to_string(scaleCols(c)) + "x" + st + ">";
  std::string offElt = c.format.offset == Offset::ZeroPoint ? "i8" : st;
  std::string offsets = c.format.offset == Offset::None
                            ? "tensor<1x1xi8>"
                            : "tensor<" + std::to_string(scaleRows(c)) + "x" +
                                  std::to_string(scaleCols(c)) + "x" + offElt +
                                  ">";
  std::string x = "tensor<?x" + std::to_string(c.k) + "x" +
                  activationType(c.act) + ">";
  std::string xs = c.act == ActMode::I8Block
                       ? "tensor<?x" + std::to_string(c.k / kActBlock) + "xf32>"
                       : "tensor<?xf32>";
  std::string layout =
      c.lookupGroup == 3 ? std::string("#lut.layout<trit3, tile_m = 128>")
      : c.lookupGroup    ? "#lut.layout<bitplane, g = " +
                          std::to_string(c.lookupGroup) +
                          ", lanes = 1x1, tile_m = " +
                          std::to_string(c.lookupGroup == 4 ? 128 : 64) + ">"
                    : "#lut.layout<codes>";
  std::string packed = "!lut.packed<" + std::to_string(c.m) + "x" +
                       std::to_string(c.k) + ", " + quantAttr(c) + ", " +
                       layout + ">";
  std::string y = "tensor<?x" + std::to_string(c.m) + "xf32>";
  os << "func.func @mpgemm(%x: " << x << ", %codes: tensor<" << c.m << "x"
     << c.k << "xi8>, %scales: " << scales << ", %offsets: " << offsets
     << ", %xs: " << xs << ") -> " << y << " {\n";
  std::string codesName = "%codes", scalesName = "%scales",
              offsetsName = "%offsets";
  if (!c.isa.empty()) {
    codesName = "%codes_c", scalesName = "%scales_c", offsetsName = "%offsets_c";
    os << "  %codes_c = arith.constant " << hexDenseLiteral(bytes.codes, c.m * c.k)
       << " : tensor<" << c.m << "x" << c.k << "xi8>\n";
    os << "  %scales_c = arith.constant "
       << hexDenseLiteral(bytes.scales, bytes.scaleBytes) << " : " << scales << "\n";
    if (c.format.offset != Offset::None)
      os << "  %offsets_c = arith.constant "
         << hexDenseLiteral(bytes.offsets, bytes.offsetBytes) << " : " << offsets
         << "\n";
  }
  os << "  %w = lut.pack " << codesName << ", " << scalesName;
  if (c.format.offset != Offset::None)
    os << ", " << offsetsName;
  os << " : tensor<" << c.m << "x" << c.k << "xi8>, " << scales;
  if (c.format.offset != Offset::None)
    os << ", " << offsets;
  os << " -> " << packed << "\n";
  os << "  %y = lut.mpgemm %x, %w";
  if (isI8(c.act))
    os << " x_scale %xs";
  std::vector<std::string> attrs;
  if (c.fpTables)
    attrs.push_back("accuracy = #lut.accuracy<fp>");
  if (c.act == ActMode::ActQuantRow)
    attrs.push_back("act_quant = #lut.act_quant<i8>");
  if (c.act == ActMode::ActQuantBlock)
    attrs.push_back("act_quant = #lut.act_quant<i8, block = " +
                    std::to_string(kActBlock) + ">");
  if (c.dotFromN)
    attrs.push_back("lut.dot_from_n = " + std::to_string(c.dotFromN) + " : i64");
  for (size_t i = 0; i < attrs.size(); ++i)
    os << (i ? ", " : " {") << attrs[i] << (i + 1 == attrs.size() ? "}" : "");
  os << " : " << x << ", " << packed;
  if (isI8(c.act))
    os << ", " << xs;
  os << " -> " << y << "\n  return %y : " << y << "\n}\n";
  return os.str();
}

/// Scales stored in the case's scale type, and the float values they hold.
struct Scales {
  std::vector<float> f32;
  std::vector<uint16_t> half;
  std::vector<float> values;
  void *data() { return f32.empty() ? (void *)half.data() : (void *)f32.data(); }
};

Scales makeScales(ScaleType t, size_t count, std::mt19937 &rng, float lo,
                  float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  Scales s;
  for (size_t i = 0; i < count; ++i) {
    float v = dist(rng);
    if (t == ScaleType::F32) {
      s.f32.push_back(v);
    } else if (t == ScaleType::F16) {
      s.half.push_back(toF16(v));
      v = fromF16(s.half.back());
    } else {
      s.half.push_back(toBF16(v));
      v = fromBF16(s.half.back());
    }
    s.values.push_back(v);
  }
  return s;
}

LoomDType dtypeOf(ScaleType t) {
  return t == ScaleType::F32 ? LOOM_F32 : t == ScaleType::F16 ? LOOM_F16 : LOOM_BF16;
}

std::string caseName(const ::testing::TestParamInfo<LutCase> &info);
void PrintTo(const LutCase &c, std::ostream *os) {
  *os << caseName(::testing::TestParamInfo<LutCase>(c, 0));
}

/// lut.md §1.4's bound for int8 tables, per output: every lookup of a
/// quantized table is off by at most tscale / 2, times the plane weight,
/// kappa and the weight scale of its segment. Segments and tscale follow
/// lut-decompose-mpgemm (at most 64 K elements when the group allows) and
/// lut.md §2.4 (max |T| / 127 per row and segment).
std::vector<double> tableBound(const LutCase &c, const std::vector<float> &x,
                               int64_t n, const std::vector<float> &scales) {
  int64_t g = c.lookupGroup;
  int64_t group = c.format.group > 0 ? c.format.group : c.k;
  int64_t segment = group > 64 && group % 64 == 0 ? 64 : group;
  bool trit3 = g == 3;
  double kappa = c.format.encoding == Encoding::Binary || trit3 ? 1.0 : 0.5;
  double planeWeights = trit3 ? 1.0
                        : c.format.encoding == Encoding::Ternary
                            ? 2.0
                            : double((1 << c.format.bits) - 1);
  int64_t segments = c.k / segment;
  // A segment's last trit3 triple may be padded with zero activations.
  int64_t groups = (segment + g - 1) / g;
  std::vector<double> tau(n * segments, 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t sgm = 0; sgm < segments; ++sgm)
      for (int64_t j = 0; j < groups; ++j)
        for (int64_t u = 0; u < (trit3 ? 14 : int64_t(1) << g); ++u) {
          double t = 0;
          for (int64_t l = 0; l < g && j * g + l < segment; ++l) {
            double sign = trit3 ? double((u + 13) /
                                         (l == 0   ? 9
                                          : l == 1 ? 3
                                                   : 1) %
                                         3) -
                                      1
                                : ((u >> l) & 1 ? 1.0 : -1.0);
            t += sign * x[r * c.k + sgm * segment + j * g + l];
          }
          double &m = tau[r * segments + sgm];
          m = std::max(m, std::fabs(t) / 127.0);
        }
  std::vector<double> bound(n * c.m, 0.0);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t row = 0; row < c.m; ++row)
      for (int64_t sgm = 0; sgm < segments; ++sgm) {
        int64_t sr = c.format.group == 0 ? 0 : row;
        int64_t sc = c.format.group > 0 ? sgm * segment / group : 0;
        double s = std::fabs(scales[sr * scaleCols(c) + sc]);
        bound[r * c.m + row] +=
            s * kappa * planeWeights * groups * tau[r * segments + sgm] / 2;
      }
  return bound;
}

class LutReference : public ::testing::TestWithParam<LutCase> {};

TEST_P(LutReference, MatchesOracle) {
  const LutCase &c = GetParam();
  if (((c.isa == "avx512-vnni" || c.isa == "avx512-vbmi") &&
       !__builtin_cpu_supports("avx512vnni")) ||
      (c.isa == "avx512-vbmi" && !__builtin_cpu_supports("avx512vbmi")) ||
      (c.isa.rfind("avx512", 0) == 0 && !__builtin_cpu_supports("avx512bw")) ||
      (c.isa == "avx2" && !__builtin_cpu_supports("avx2")))
    GTEST_SKIP() << "the host lacks " << c.isa;

  std::mt19937 rng(c.m * 7919 + c.k * 31 + int(c.act));
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<uint8_t> codes(c.m * c.k);
  for (auto &q : codes)
    q = byte(rng); // Full bytes: the masking rule is part of the contract.
  int64_t nScales = scaleRows(c) * scaleCols(c);
  Scales scales = makeScales(c.scaleType, nScales, rng, -0.5f, 0.5f);
  std::vector<float> offsetValues(nScales, 0.f);
  std::vector<uint8_t> zeroPoints(1);
  Scales mins;
  if (c.format.offset == Offset::ZeroPoint) {
    zeroPoints.resize(nScales);
    for (int64_t i = 0; i < nScales; ++i)
      offsetValues[i] = zeroPoints[i] = byte(rng);
  } else if (c.format.offset == Offset::Min) {
    mins = makeScales(c.scaleType, nScales, rng, -1.f, 1.f);
    offsetValues = mins.values;
  }
  std::vector<double> w = loom::oracle::dequantize(
      c.format, c.m, c.k, codes, scales.values, offsetValues);

  size_t scaleWidth = c.scaleType == ScaleType::F32 ? 4 : 2;
  WeightBytes bytes{codes.data(), scales.data(),
                    c.format.offset == Offset::ZeroPoint ? (void *)zeroPoints.data()
                                                         : mins.data(),
                    nScales * scaleWidth,
                    nScales * (c.format.offset == Offset::ZeroPoint ? 1 : scaleWidth)};
  std::string source = buildModule(c, bytes), error;
  auto model = CompiledModel::compile(
      source, error,
      !c.lookupGroup ? Pipeline::Reference
      : c.mirror     ? Pipeline::Cpu
                     : Pipeline::CpuFullTables,
      c.isa.empty() ? "generic" : c.isa);
  ASSERT_TRUE(model) << error << "\n" << source;

  for (int64_t n : {1, 3, 8, 33}) {
    SCOPED_TRACE("N = " + std::to_string(n));
    std::uniform_real_distribution<float> act(-2.f, 2.f);
    std::vector<float> xf(n * c.k), xs(n * (c.act == ActMode::I8Block
                                                 ? c.k / kActBlock
                                                 : 1));
    std::vector<int8_t> xi(n * c.k);
    std::vector<uint16_t> xh(n * c.k);
    std::vector<double> xRef(n * c.k);
    if (isI8(c.act)) {
      for (auto &s : xs)
        s = std::uniform_real_distribution<float>(0.001f, 0.05f)(rng);
      int64_t block = c.act == ActMode::I8Block ? kActBlock : c.k;
      for (int64_t i = 0; i < n * c.k; ++i) {
        xi[i] = static_cast<int8_t>(byte(rng) - 128);
        int64_t r = i / c.k, col = i % c.k;
        xRef[i] = double(xi[i]) * double(xs[r * (c.k / block) + col / block]);
      }
    } else {
      for (int64_t i = 0; i < n * c.k; ++i) {
        xf[i] = act(rng);
        if (isHalf(c.act)) { // The values the half-precision input holds.
          xh[i] = c.act == ActMode::F16 ? toF16(xf[i]) : toBF16(xf[i]);
          xf[i] = c.act == ActMode::F16 ? fromF16(xh[i]) : fromBF16(xh[i]);
        }
      }
      if (c.act == ActMode::ActQuantRow)
        xRef = loom::oracle::quantizeActivations(xf, n, c.k, c.k);
      else if (c.act == ActMode::ActQuantBlock)
        xRef = loom::oracle::quantizeActivations(xf, n, c.k, kActBlock);
      else
        xRef.assign(xf.begin(), xf.end());
    }
    std::vector<double> yRef, magnitude;
    loom::oracle::gemm(xRef, w, n, c.m, c.k, yRef, magnitude);

    bool i8 = isI8(c.act);
    int64_t rows = scaleRows(c), cols = scaleCols(c);
    auto run = [&](std::vector<float> &y) {
      LoomTensor *offsets =
          c.format.offset == Offset::None
              ? model->tensor(zeroPoints.data(), {1, 1}, LOOM_I8)
          : c.format.offset == Offset::ZeroPoint
              ? model->tensor(zeroPoints.data(), {rows, cols}, LOOM_I8)
              : model->tensor(mins.data(), {rows, cols}, dtypeOf(c.scaleType));
      LoomTensor *xScale =
          c.act == ActMode::I8Block
              ? model->tensor(xs.data(), {n, c.k / kActBlock}, LOOM_F32)
              : model->tensor(xs.data(), {n}, LOOM_F32);
      LoomTensorList *out = model->run(
          "mpgemm",
          {i8 ? model->tensor(xi.data(), {n, c.k}, LOOM_I8)
           : c.act == ActMode::F16
               ? model->tensor(xh.data(), {n, c.k}, LOOM_F16)
           : c.act == ActMode::BF16
               ? model->tensor(xh.data(), {n, c.k}, LOOM_BF16)
               : model->tensor(xf.data(), {n, c.k}, LOOM_F32),
           model->tensor(codes.data(), {c.m, c.k}, LOOM_I8),
           model->tensor(scales.data(), {rows, cols}, dtypeOf(c.scaleType)),
           offsets, xScale},
          error);
      ASSERT_TRUE(out) << error;
      const LoomTensor *result = model->api().tensor_list_get(out, 0);
      ASSERT_EQ(model->api().tensor_shape(result)[0], n);
      ASSERT_EQ(model->api().tensor_shape(result)[1], c.m);
      y = outputValues<float>(model->api(), out, 0);
      model->api().tensor_list_destroy(out);
    };
    std::vector<float> y;
    ASSERT_EQ(model->api().set_num_threads(2), LOOM_OK);
    ASSERT_NO_FATAL_FAILURE(run(y));
    if (!c.isa.empty()) {
      // Threads split the rows, never a sum: one thread gives the same bits.
      std::vector<float> single;
      ASSERT_EQ(model->api().set_num_threads(1), LOOM_OK);
      ASSERT_NO_FATAL_FAILURE(run(single));
      ASSERT_EQ(y, single) << "1 and 2 threads disagree";
    }
    // The reference rounds an f64 sum once; the table-lookup form sums f32
    // tables in f32, within lut.md's `fp` bound gamma_K * sum |x w|, plus
    // the table quantization bound with int8 tables.
    double bound = c.lookupGroup ? 2.0 * c.k * 0x1p-24 : 1e-6;
    std::vector<double> quantization(n * c.m, 0.0);
    bool exactTables = isI8(c.act) || c.act == ActMode::ActQuantRow ||
                       c.act == ActMode::ActQuantBlock;
    if (c.lookupGroup && !c.fpTables && !exactTables)
      quantization = tableBound(c, xf, n, scales.values);
    for (int64_t i = 0; i < n * c.m; ++i)
      ASSERT_NEAR(y[i], yRef[i],
                  bound * magnitude[i] + 1.01 * quantization[i] + 1e-30)
          << "at n = " << i / c.m << ", m = " << i % c.m << "\n"
          << source;
  }
}

std::vector<LutCase> allCases() {
  const std::vector<LutFormat> formats = {
      {Encoding::Unsigned, 1, 0},  {Encoding::Unsigned, 2, 0},
      {Encoding::Unsigned, 3, 0},  {Encoding::Unsigned, 4, 0},
      {Encoding::Unsigned, 2, 0, Offset::ZeroPoint},
      {Encoding::Unsigned, 4, 0, Offset::Min},
      {Encoding::Signed, 2, 0},    {Encoding::Signed, 3, 0},
      {Encoding::Signed, 4, 0},    {Encoding::Binary, 1, 0},
      {Encoding::Ternary, 0, 0}};
  const int64_t groups[] = {32, 64, 128, -1, 0};
  struct Shape { int64_t m, k; };
  // K = 96 and 160 end in a partial group of 64 / 128; M = 1 and odd M.
  const Shape shapes[] = {{1, 128}, {13, 96}, {8, 256}, {33, 160}};
  const ActMode acts[] = {ActMode::F32,   ActMode::ActQuantRow,
                          ActMode::ActQuantBlock, ActMode::I8Row,
                          ActMode::I8Block, ActMode::F16, ActMode::BF16};
  std::vector<LutCase> cases;
  int rotate = 0;
  // Every format with every group kind, shapes, scale types and activation
  // modes rotating.
  for (const LutFormat &base : formats)
    for (int64_t g : groups) {
      LutFormat f = base;
      f.group = g;
      const Shape &s = shapes[rotate % 4];
      cases.push_back({f, ScaleType(rotate % 3), s.m, s.k, acts[rotate % 7]});
      ++rotate;
    }
  // Ternary and W4 (the example model's formats): every shape and mode.
  for (LutFormat f : {LutFormat{Encoding::Ternary, 0, 0},
                      LutFormat{Encoding::Signed, 4, 32}})
    for (const Shape &s : shapes)
      for (ActMode a : acts)
        cases.push_back({f, ScaleType::F32, s.m, s.k, a});
  // The bit-serial table-lookup form (fp activations): every format, group
  // kinds whose segments are whole lookup groups, g = 4 and 8.
  const Shape tileable[] = {{1, 128}, {8, 256}, {33, 384}};
  for (const LutFormat &base : formats)
    for (int64_t g : groups) {
      LutFormat f = base;
      f.group = g;
      const Shape &s = tileable[rotate % 3];
      // Activations: f32 (fp or int8 tables), f16/bf16, int8 with per-row /
      // per-block scales, or act_quant (exact integer tables).
      const ActMode bitplaneActs[] = {
          ActMode::F32,         ActMode::I8Row,   ActMode::ActQuantRow,
          ActMode::F32,         ActMode::I8Block, ActMode::ActQuantBlock,
          rotate % 2 ? ActMode::BF16 : ActMode::F16};
      ActMode act = bitplaneActs[rotate % 7];
      cases.push_back({f, ScaleType(rotate % 3), s.m, s.k, act,
                       rotate % 2 ? 8 : 4, rotate % 4 < 2,
                       rotate % 3 == 0 && act != ActMode::ActQuantRow &&
                           act != ActMode::ActQuantBlock && !isI8(act)});
      ++rotate;
    }
  // trit3: ternary weights; segments of whole triples (K a multiple of 3)
  // and segments whose last triple is padded (groups of 32, 64, 128 and
  // per-tensor scales over K = 2^n, split into segments of 64).
  const Shape triples[] = {{1, 96}, {8, 192}, {33, 384}};
  const Shape padded[] = {{1, 128}, {8, 256}, {33, 384}, {5, 512}};
  const ActMode trit3Acts[] = {ActMode::F32, ActMode::I8Row,
                               ActMode::ActQuantRow, ActMode::BF16};
  int t3 = 0;
  auto addTrit3 = [&](int64_t g, const Shape &s, ActMode act) {
    LutFormat f{Encoding::Ternary, 0, g};
    bool exact = act != ActMode::F32 && act != ActMode::BF16;
    cases.push_back(
        {f, ScaleType(t3 % 3), s.m, s.k, act, 3, false, !exact && t3 % 2 == 0});
    ++t3;
  };
  for (int64_t g : {int64_t(48), int64_t(96), int64_t(-1), int64_t(0)})
    for (ActMode act : trit3Acts)
      addTrit3(g, triples[t3 % 3], act);
  for (int64_t g : {int64_t(32), int64_t(64), int64_t(128), int64_t(0)})
    for (ActMode act : trit3Acts)
      addTrit3(g, padded[t3 % 4], act);
  // The vector kernels over constant weights: every format and group kind
  // with int8 tables (fp activations), group 32 and per-channel with exact
  // int16 tables (int8 activations, given or act_quant); M with and without
  // a partial row block, each byte shuffle.
  const Shape vectorShapes[] = {{128, 128}, {130, 256}, {200, 384}, {7, 128}};
  const char *isas[] = {"avx512", "avx2", "generic"};
  const std::vector<ActMode> fpActs = {ActMode::F32, ActMode::F16,
                                       ActMode::BF16};
  const std::vector<ActMode> exactActs = {ActMode::ActQuantRow, ActMode::I8Row,
                                          ActMode::ActQuantBlock,
                                          ActMode::I8Block};
  const std::vector<int64_t> allGroups(std::begin(groups), std::end(groups));
  int v = 0;
  for (auto [vectorGroups, acts] :
       {std::pair{allGroups, fpActs},
        std::pair{std::vector<int64_t>{32, -1}, exactActs}})
    for (const LutFormat &base : formats)
      for (int64_t g : vectorGroups) {
        LutFormat f = base;
        f.group = g;
        const Shape &s = vectorShapes[v % 4];
        LutCase vc{f, ScaleType(v % 3), s.m, s.k, acts[v % acts.size()], 4};
        vc.isa = isas[v % 3];
        cases.push_back(vc);
        ++v;
      }
  // The int8-dot path (lut.md §4.2) for every format with int8 activations:
  // always (dot_from_n = 1), or from N = 4 on, a run-time choice that sends
  // N = 1 and 3 to the table lookups; trit3 weights too.
  const char *dotIsas[] = {"avx512-vnni", "avx512", "avx2", "generic"};
  int d = 0;
  for (const LutFormat &base : formats)
    for (int64_t g : {int64_t(32), int64_t(-1), int64_t(0)}) {
      LutFormat f = base;
      f.group = g;
      const Shape &s = vectorShapes[d % 4];
      LutCase dc{f, ScaleType(d % 3), s.m, s.k, exactActs[d % 4], 4};
      dc.isa = dotIsas[d % 4];
      dc.dotFromN = d % 2 ? 4 : 1;
      cases.push_back(dc);
      ++d;
    }
  for (int64_t g : {int64_t(96), int64_t(-1)}) {
    LutCase tc{LutFormat{Encoding::Ternary, 0, g}, ScaleType::F16, 33, 384,
               ActMode::I8Row, 3};
    tc.isa = "avx512-vnni";
    tc.dotFromN = g < 0 ? 1 : 4;
    cases.push_back(tc);
  }
  // trit3 over constant weights: the vector table precompute and lookups
  // for whole and padded triples, int8 tables of fp activations and exact
  // int16 tables of int8 ones (activation blocks of 32: padded segments).
  const Shape trit3Shapes[] = {{128, 384}, {130, 768}, {7, 384}, {200, 384}};
  std::vector<ActMode> trit3VectorActs = fpActs;
  trit3VectorActs.insert(trit3VectorActs.end(), exactActs.begin(),
                         exactActs.end());
  int tv = 0;
  for (int64_t g : {32, 48, 64, 96, 128, -1, 0})
    for (int repeat = 0; repeat < 2; ++repeat) {
      const Shape &s = trit3Shapes[tv % 4];
      LutCase tc{LutFormat{Encoding::Ternary, 0, g},
                 ScaleType(tv % 3),
                 s.m,
                 s.k,
                 trit3VectorActs[tv % trit3VectorActs.size()],
                 3};
      tc.isa = isas[tv % 3];
      cases.push_back(tc);
      ++tv;
    }
  // The P64 kernel (avx512-vbmi): every encoding with one plane per byte
  // (1 and 3 bits, trit3) in every group kind, partial row blocks, fp
  // activations; int16 tables and even plane counts keep S16 there.
  int pv = 0;
  for (const LutFormat &base : formats)
    for (int64_t g : allGroups) {
      bool oddPlanes = base.encoding != Encoding::Ternary && base.bits % 2 == 1;
      if (!oddPlanes && pv % 5 != 0) {
        ++pv;
        continue;
      }
      LutFormat f = base;
      f.group = g;
      const Shape &s = vectorShapes[pv % 4];
      LutCase qc{f, ScaleType(pv % 3), s.m, s.k, fpActs[pv % 3], 4};
      qc.isa = "avx512-vbmi";
      cases.push_back(qc);
      ++pv;
    }
  for (int64_t g : {32, 48, 64, 96, 128, -1, 0}) {
    const Shape &s = trit3Shapes[pv % 4];
    LutCase qc{LutFormat{Encoding::Ternary, 0, g},
               ScaleType(pv % 3),
               s.m,
               s.k,
               pv % 2 ? fpActs[pv % 3] : ActMode::ActQuantRow,
               3};
    qc.isa = "avx512-vbmi";
    cases.push_back(qc);
    ++pv;
  }
  // K = 4096: a block of columns holds 32 columns' tables (table-budget), so
  // N = 33 takes two blocks, the second a single left-over column.
  for (const LutFormat &f : {LutFormat{Encoding::Ternary, 0, 0},
                             LutFormat{Encoding::Signed, 4, 32}}) {
    LutCase wide{f, ScaleType::F16, 130, 4096, ActMode::F32, 4};
    wide.isa = "avx512";
    cases.push_back(wide);
  }
  LutCase wideTrit3{LutFormat{Encoding::Ternary, 0, 0},
                    ScaleType::F32,
                    130,
                    4096,
                    ActMode::F32,
                    3};
  wideTrit3.isa = "avx512";
  cases.push_back(wideTrit3);
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<LutCase> &info) {
  const LutCase &c = info.param;
  static const char *enc[] = {"U", "S", "B", "T"};
  static const char *act[] = {"f32", "aqrow", "aqblk", "i8row",
                              "i8blk", "f16",   "bf16"};
  std::ostringstream os;
  os << info.index << "_" << enc[int(c.format.encoding)] << c.format.bits
     << "_g" << (c.format.group < 0 ? std::string("ch")
                                    : std::to_string(c.format.group))
     << "_" << scaleTypeName(c.scaleType) << "_" << c.m << "x" << c.k << "_"
     << act[int(c.act)];
  if (c.lookupGroup == 3)
    os << "_trit3" << (c.fpTables ? "_fp" : "");
  else if (c.lookupGroup)
    os << "_bitplane" << c.lookupGroup << (c.mirror ? "_mirror" : "")
       << (c.fpTables ? "_fp" : "_i8");
  if (!c.isa.empty())
    os << "_vector_" << c.isa;
  if (c.dotFromN)
    os << "_dot" << c.dotFromN;
  std::string name = os.str();
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Formats, LutReference,
                         ::testing::ValuesIn(allCases()), caseName);

} // namespace

//===- MoEReferenceTest.cpp - moe reference lowering vs plain loops -------===//
//
// Routing: moe.topk + moe.assign on given scores, compared bit for bit with
// oracle/MoEOracle.h (ids, weights, locations, counts, offsets, row map,
// capacity) for top-1/top-2/top-k = E, capacity factors > 0, = 0, < 0 and
// C = 0, alignments, padded and grouped layouts, batch-prioritized routing
// with ties, skewed routing that drops tokens, group-limited routing with a
// selection bias, and T from 0 to 513.
// Layer: moe.layer end to end for every FFN kind, pre- and post-score, shared
// experts with and without their gate, within 1e-4 of the oracle.
//
//===----------------------------------------------------------------------===//

#include "CompiledModel.h"
#include "oracle/MoEOracle.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

using namespace mlir::loom::test;
using loom::oracle::Act;
using loom::oracle::actName;
using loom::oracle::RoutingConfig;

namespace {

/// A float literal MLIR parses as a float (always with an exponent).
std::string floatLiteral(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9e", v);
  return buffer;
}

std::string capacityAttr(const RoutingConfig &c) {
  return "#moe.capacity<factor = " + floatLiteral(c.factor) +
         ", align = " + std::to_string(c.align) + ">";
}

std::string layoutAttr(const RoutingConfig &c) {
  return c.padded ? "#moe.layout<padded>"
                  : "#moe.layout<grouped, row_align = " +
                        std::to_string(c.rowAlign) + ">";
}

//===----------------------------------------------------------------------===//
// Routing decisions
//===----------------------------------------------------------------------===//

enum class Scores { Uniform, Ties, Skewed };

struct RouteCase {
  const char *name;
  RoutingConfig config;
  Scores scores;
  bool bias = false;
};

void PrintTo(const RouteCase &c, std::ostream *os) { *os << c.name; }


std::string routeModule(const RouteCase &rc) {
  const RoutingConfig &c = rc.config;
  int E = c.experts, k = c.k;
  std::ostringstream os;
  std::string pT = "tensor<?x" + std::to_string(E) + "xf32>";
  std::string idsT = "tensor<?x" + std::to_string(k) + "xi32>";
  std::string wT = "tensor<?x" + std::to_string(k) + "xf32>";
  std::string cntT = "tensor<" + std::to_string(E) + "xi32>";
  std::string offT = "tensor<" + std::to_string(E + 1) + "xi32>";
  std::string biasT = "tensor<" + std::to_string(E) + "xf32>";
  os << "func.func @route(%p: " << pT << ", %prio: tensor<?xf32>, %bias: "
     << biasT << ") -> (" << idsT << ", " << wT << ", " << idsT << ", "
     << cntT << ", " << offT << ", tensor<?xi32>, tensor<1xi64>) {\n";
  os << "  %ids, %w = moe.topk %p" << (rc.bias ? " select_bias %bias" : "")
     << " {k = " << k << " : i64" << (c.renormalize ? ", renormalize" : "")
     << ", scale = " << floatLiteral(c.scale) << " : f64, groups = " << c.groups
     << " : i64, group_topk = " << c.groupTopk << " : i64, group_score = "
     << (c.top2Sum ? "#moe.group_score<top2_sum>" : "#moe.group_score<max>")
     << "} : " << pT << (rc.bias ? ", " + biasT : "") << " -> " << idsT
     << ", " << wT << "\n";
  os << "  %loc, %cnt, %off, %rows, %c = moe.assign %ids"
     << (c.prioritized ? " priority %prio" : "") << " {num_experts = " << E
     << " : i64, capacity = " << capacityAttr(c)
     << ", layout = " << layoutAttr(c) << "} : (" << idsT
     << (c.prioritized ? ", tensor<?xf32>" : "") << ") -> (" << idsT << ", "
     << cntT << ", " << offT << ", tensor<?xi32>, index)\n";
  os << "  %c64 = arith.index_cast %c : index to i64\n"
     << "  %capacity = tensor.from_elements %c64 : tensor<1xi64>\n";
  os << "  return %ids, %w, %loc, %cnt, %off, %rows, %capacity : " << idsT
     << ", " << wT << ", " << idsT << ", " << cntT << ", " << offT
     << ", tensor<?xi32>, tensor<1xi64>\n}\n";
  return os.str();
}

std::vector<float> makeScores(Scores kind, int tokens, int experts,
                              std::mt19937 &rng) {
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::uniform_int_distribution<int> q(0, 3);
  std::vector<float> p(size_t(tokens) * experts);
  for (int t = 0; t < tokens; ++t)
    for (int e = 0; e < experts; ++e) {
      float &v = p[size_t(t) * experts + e];
      switch (kind) {
      case Scores::Uniform: v = u(rng); break;
      case Scores::Ties: v = q(rng) / 4.f; break;
      case Scores::Skewed: v = e == 0 ? 0.9f : 0.5f * u(rng); break;
      }
    }
  return p;
}

class MoERouting : public ::testing::TestWithParam<RouteCase> {};

/// Routing decisions through `pipeline` against the oracle.
void checkRouting(const RouteCase &rc, Pipeline pipeline) {
  const RoutingConfig &c = rc.config;
  std::string source = routeModule(rc), error;
  auto model = CompiledModel::compile(source, error, pipeline);
  ASSERT_TRUE(model) << error << "\n" << source;
  const ::mlir::loom::RuntimeApi &api = model->api();
  std::mt19937 rng(c.experts * 131 + c.k);
  for (int tokens : {0, 1, 7, 63, 256, 513}) {
    SCOPED_TRACE("T = " + std::to_string(tokens));
    std::vector<float> p = makeScores(rc.scores, tokens, c.experts, rng);
    std::vector<float> prio(tokens);
    for (int t = 0; t < tokens; ++t)
      prio[t] = *std::max_element(&p[size_t(t) * c.experts],
                                  &p[size_t(t) * c.experts] + c.experts);
    std::vector<float> bias(c.experts, 0.f);
    if (rc.bias)
      for (int e = 0; e < c.experts; ++e)
        bias[e] = 0.05f * (e % 5);
    loom::oracle::Routing want = loom::oracle::route(
        c, p, rc.bias ? bias : std::vector<float>{}, tokens);

    LoomTensorList *out = model->run(
        "route",
        {model->tensor(p.data(), {tokens, c.experts}, LOOM_F32),
         model->tensor(prio.data(), {tokens}, LOOM_F32),
         model->tensor(bias.data(), {c.experts}, LOOM_F32)},
        error);
    ASSERT_TRUE(out) << error;
    EXPECT_EQ(outputValues<int64_t>(api, out, 6)[0], want.capacity);
    EXPECT_EQ(outputValues<int32_t>(api, out, 0), want.ids);
    EXPECT_EQ(outputValues<float>(api, out, 1), want.weights);
    EXPECT_EQ(outputValues<int32_t>(api, out, 2), want.loc);
    EXPECT_EQ(outputValues<int32_t>(api, out, 3), want.counts);
    EXPECT_EQ(outputValues<int32_t>(api, out, 4), want.offsets);
    EXPECT_EQ(outputValues<int32_t>(api, out, 5), want.rows);
    api.tensor_list_destroy(out);
    if (::testing::Test::HasFailure())
      FAIL() << source;
  }
}

TEST_P(MoERouting, DecisionsMatchOracle) {
  checkRouting(GetParam(), Pipeline::Reference);
}

// The CPU pipeline: top-k (without groups) as vector selection rounds.
TEST_P(MoERouting, VectorDecisionsMatchOracle) {
  checkRouting(GetParam(), Pipeline::Cpu);
}

RoutingConfig routing(int experts, int k, double factor) {
  RoutingConfig c;
  c.experts = experts;
  c.k = k;
  c.factor = factor;
  return c;
}

std::vector<RouteCase> routeCases() {
  std::vector<RouteCase> cases;
  auto add = [&](const char *name, RoutingConfig c, Scores s, bool bias = false) {
    cases.push_back({name, c, s, bias});
  };
  add("top1_dropless", routing(8, 1, 0.0), Scores::Uniform);
  add("top2_dropless", routing(8, 2, 0.0), Scores::Uniform);
  add("top2_cf1_skewed", routing(8, 2, 1.0), Scores::Skewed);
  add("top1_cf1_skewed", routing(8, 1, 1.0), Scores::Skewed);
  RoutingConfig padded = routing(8, 2, 1.25);
  padded.padded = true;
  add("top2_cf125_padded", padded, Scores::Uniform);
  add("top2_cf125_padded_skewed", padded, Scores::Skewed);
  RoutingConfig adaptive = routing(8, 2, -1.25);
  adaptive.rowAlign = 4;
  add("top2_adaptive_rowalign4", adaptive, Scores::Skewed);
  add("top2_adaptive_uniform", adaptive, Scores::Uniform);
  RoutingConfig bpr = routing(8, 2, 0.0);
  bpr.prioritized = true;
  add("bpr_dropless_ties", bpr, Scores::Ties);
  RoutingConfig bprDrop = routing(8, 2, 0.5);
  bprDrop.prioritized = true;
  bprDrop.align = 2;
  add("bpr_cf05_align2_ties", bprDrop, Scores::Ties);
  add("bpr_cf05_align2_skewed", bprDrop, Scores::Skewed);
  add("capacity_zero", routing(8, 2, 0.01), Scores::Uniform);
  RoutingConfig noRenorm = routing(8, 2, 0.0);
  noRenorm.renormalize = false;
  add("no_renormalize_ties", noRenorm, Scores::Ties);
  RoutingConfig ds = routing(64, 8, 0.0);
  ds.groups = 8;
  ds.groupTopk = 4;
  ds.top2Sum = true;
  ds.scale = 2.5f;
  add("deepseek_groups_bias", ds, Scores::Uniform, /*bias=*/true);
  RoutingConfig grpMax = routing(16, 2, 1.0);
  grpMax.groups = 4;
  grpMax.groupTopk = 2;
  add("groups_max_ties", grpMax, Scores::Ties);
  add("one_expert", routing(1, 1, 0.0), Scores::Uniform);
  // 64 experts: four vectors of lanes per token; ties across them.
  add("fine_top8_ties_bias", routing(64, 8, 0.0), Scores::Ties,
      /*bias=*/true);
  RoutingConfig scaled = routing(6, 3, 0.0);
  scaled.scale = 2.5f;
  add("odd_experts_scaled", scaled, Scores::Uniform);
  add("k_equals_e", routing(4, 4, 0.0), Scores::Ties);
  return cases;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MoERouting, ::testing::ValuesIn(routeCases()),
    [](const ::testing::TestParamInfo<RouteCase> &info) {
      return std::string(info.param.name);
    });

//===----------------------------------------------------------------------===//
// Whole layers
//===----------------------------------------------------------------------===//

struct LayerCase {
  const char *name;
  RoutingConfig config;
  Act act;
  bool preScore = false;
  int sharedH = 0; // 0: no shared expert
  bool sharedGate = false;
  int d = 24, h = 40; // model and expert widths
  // A #moe.strategy for moe-decompose (none: moe-select-strategy's choice
  // in the CPU pipeline, grouped in the reference one).
  const char *strategy = nullptr;
  bool dense() const {
    return strategy &&
           std::string(strategy).find("<dense") != std::string::npos;
  }
};

void PrintTo(const LayerCase &c, std::ostream *os) { *os << c.name; }

std::string layerModule(const LayerCase &lc) {
  const RoutingConfig &c = lc.config;
  const int kD = lc.d, kH = lc.h;
  int E = c.experts, H = loom::oracle::gated(lc.act) ? 2 * kH : kH;
  int hs = std::max(lc.sharedH, 1),
      Hs = loom::oracle::gated(lc.act) ? 2 * hs : hs;
  auto t = [](std::initializer_list<int> dims) {
    std::string s = "tensor<";
    for (int d : dims)
      s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
    return s + "f32>";
  };
  std::string xT = t({-1, kD}), rT = t({E, kD}), w1T = t({E, H, kD}),
              w2T = t({E, kD, kH}), s1T = t({Hs, kD}), s2T = t({kD, hs}),
              gT = t({kD});
  std::ostringstream os;
  os << "func.func @layer(%x: " << xT << ", %wr: " << rT << ", %w1: " << w1T
     << ", %w2: " << w2T << ", %s1: " << s1T << ", %s2: " << s2T
     << ", %g: " << gT << ") -> " << xT << " {\n";
  os << "  %y = moe.layer %x, %wr, %w1, %w2";
  if (lc.sharedH)
    os << " shared(%s1, %s2)";
  if (lc.sharedGate)
    os << " shared_gate %g";
  os << " {routing = #moe.routing<k = " << c.k
     << (c.sigmoid ? ", scoring = sigmoid" : "")
     << (c.renormalize ? ", renormalize" : "")
     << (c.prioritized ? ", prioritized" : "")
     << ">, capacity = " << capacityAttr(c) << ", ffn = #moe.ffn<"
     << actName(lc.act) << ">";
  if (!lc.dense()) // a dense layer has no row layout
    os << ", layout = " << layoutAttr(c);
  if (lc.strategy)
    os << ", strategy = " << lc.strategy;
  os << (lc.preScore ? ", score_at = #moe.score_at<pre>" : "") << "} : (" << xT
     << ", " << rT << ", " << w1T << ", " << w2T;
  if (lc.sharedH)
    os << ", " << s1T << ", " << s2T;
  if (lc.sharedGate)
    os << ", " << gT;
  os << ") -> " << xT << "\n  return %y : " << xT << "\n}\n";
  return os.str();
}

class MoELayer : public ::testing::TestWithParam<LayerCase> {};

/// The layer through `pipeline` against the oracle, for T = 1, 7, 63.
void checkLayer(const LayerCase &lc, Pipeline pipeline) {
  const RoutingConfig &c = lc.config;
  const int kD = lc.d, kH = lc.h;
  std::string source = layerModule(lc), error;
  auto model = CompiledModel::compile(source, error, pipeline);
  ASSERT_TRUE(model) << error << "\n" << source;

  std::mt19937 rng(int(lc.act) * 17 + c.k);
  std::uniform_int_distribution<int> small(-2, 2), router(-3, 3);
  std::uniform_real_distribution<float> weight(-0.3f, 0.3f);
  int E = c.experts, H = loom::oracle::gated(lc.act) ? 2 * kH : kH;
  int hs = std::max(lc.sharedH, 1),
      Hs = loom::oracle::gated(lc.act) ? 2 * hs : hs;
  // Integer x and router: logits are integers, so decisions cannot hinge on
  // summation order or the exp implementation (moe.md §1.10).
  std::vector<float> wr(size_t(E) * kD), w1(size_t(E) * H * kD),
      w2(size_t(E) * kD * kH), s1(size_t(Hs) * kD), s2(size_t(kD) * hs),
      g(kD);
  for (float &v : wr) v = router(rng);
  for (float &v : w1) v = weight(rng);
  for (float &v : w2) v = weight(rng);
  for (float &v : s1) v = weight(rng);
  for (float &v : s2) v = weight(rng);
  for (float &v : g) v = 0.1f * small(rng);

  for (int tokens : {1, 7, 63}) {
    SCOPED_TRACE("T = " + std::to_string(tokens));
    std::vector<float> x(size_t(tokens) * kD);
    for (float &v : x) v = small(rng);
    std::vector<float> p = loom::oracle::gate(c, x, wr, tokens, kD);
    loom::oracle::Routing r = loom::oracle::route(c, p, {}, tokens);
    loom::oracle::SharedExpert shared;
    if (lc.sharedH) {
      shared.w1 = &s1;
      shared.w2 = &s2;
      shared.h = lc.sharedH;
      if (lc.sharedGate)
        shared.gate = &g;
    }
    std::vector<double> want = loom::oracle::layer(
        c, lc.act, lc.preScore, r, x, w1, w2, tokens, kD, kH, shared);

    LoomTensorList *out = model->run(
        "layer",
        {model->tensor(x.data(), {tokens, kD}, LOOM_F32),
         model->tensor(wr.data(), {E, kD}, LOOM_F32),
         model->tensor(w1.data(), {E, H, kD}, LOOM_F32),
         model->tensor(w2.data(), {E, kD, kH}, LOOM_F32),
         model->tensor(s1.data(), {Hs, kD}, LOOM_F32),
         model->tensor(s2.data(), {kD, hs}, LOOM_F32),
         model->tensor(g.data(), {kD}, LOOM_F32)},
        error);
    ASSERT_TRUE(out) << error;
    std::vector<float> got = outputValues<float>(model->api(), out, 0);
    model->api().tensor_list_destroy(out);
    ASSERT_EQ(got.size(), want.size());
    double maxRef = 0;
    for (double v : want)
      maxRef = std::max(maxRef, std::fabs(v));
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_LE(std::fabs(got[i] - want[i]), 1e-4 * maxRef + 1e-30)
          << "at t = " << i / kD << ", j = " << i % kD << "\n" << source;
  }
}

TEST_P(MoELayer, ReferenceMatchesOracle) {
  checkLayer(GetParam(), Pipeline::Reference);
}

// The CPU pipeline: the grouped GEMMs (shared expert included) run as the
// vector kernel of convert-moe-to-vector; d = 24 and h = 40 leave a partial
// K step and partial column tiles, T = 1, 7, 63 partial row tiles.
TEST_P(MoELayer, VectorKernelMatchesOracle) {
  checkLayer(GetParam(), Pipeline::Cpu);
}

std::vector<LayerCase> layerCases() {
  std::vector<LayerCase> cases;
  const Act acts[] = {Act::Relu, Act::Gelu, Act::GeluTanh,
                      Act::Silu, Act::Swiglu, Act::Geglu};
  const char *names[] = {"relu_top2_dropless", "gelu_top2_dropless",
                         "gelu_tanh_top2_dropless", "silu_top2_dropless",
                         "swiglu_top2_dropless", "geglu_top2_dropless"};
  for (int i = 0; i < 6; ++i)
    cases.push_back({names[i], routing(8, 2, 0.0), acts[i]});
  cases.push_back({"swiglu_top1_cf1", routing(4, 1, 1.0), Act::Swiglu});
  RoutingConfig adaptive = routing(8, 2, -1.25);
  adaptive.prioritized = true;
  cases.push_back({"swiglu_adaptive_bpr", adaptive, Act::Swiglu});
  RoutingConfig padded = routing(8, 2, 1.0);
  padded.padded = true;
  cases.push_back({"relu_padded_cf1", padded, Act::Relu});
  cases.push_back({"silu_prescore", routing(8, 2, 0.0), Act::Silu, true});
  RoutingConfig sig = routing(8, 2, 0.0);
  sig.sigmoid = true;
  cases.push_back({"swiglu_sigmoid_shared", sig, Act::Swiglu, false, 24});
  cases.push_back({"swiglu_shared_gated", routing(8, 2, 0.0), Act::Swiglu,
                   false, 24, true});
  // Long K: the kernel's weight panels exceed their L1 budget, so both
  // GEMMs sum K in chunks (gated and linear epilogues), K = 1040 and 1100
  // leave partial chunks and partial K steps.
  cases.push_back({"swiglu_chunked_k", routing(4, 2, 0.0), Act::Swiglu, false,
                   0, false, 1040, 1100});
  cases.push_back({"gelu_chunked_k", routing(4, 1, 0.0), Act::Gelu, false, 0,
                   false, 1100, 1040});
  // Many small experts: at T = 7 every expert is below the one-thread
  // threshold but all of them together are above it, so the threads split
  // the column tiles and run every expert in theirs (T = 1 and 63 take the
  // expert-by-expert forms).
  cases.push_back({"swiglu_many_small_experts", routing(16, 2, 0.0),
                   Act::Swiglu, false, 0, false, 256, 512});
  RoutingConfig smallCapacity = routing(16, 2, 1.0);
  smallCapacity.padded = true;
  cases.push_back({"relu_many_small_experts_padded", smallCapacity, Act::Relu,
                   false, 24, true, 256, 1024});
  // moe-decompose's other forms: every expert on every token with masked
  // combine weights (the shared expert as its init), and register tiles
  // other than the default, with partial row and column tiles.
  const char *dense =
      "#moe.strategy<dense, tile = <rows = 4, weight_rows = 6>>";
  LayerCase denseShared{
      "swiglu_dense_shared", routing(8, 2, 0.0), Act::Swiglu, false, 24, true};
  denseShared.strategy = dense;
  cases.push_back(denseShared);
  LayerCase denseTop1{"gelu_dense_top1", routing(4, 1, 0.0), Act::Gelu};
  denseTop1.strategy = dense;
  cases.push_back(denseTop1);
  LayerCase tile5x4{"swiglu_tile_5x4", routing(8, 2, 0.0), Act::Swiglu};
  tile5x4.strategy =
      "#moe.strategy<grouped, tile = <rows = 5, weight_rows = 4>>";
  cases.push_back(tile5x4);
  LayerCase tile1x16{"relu_padded_tile_1x16", padded, Act::Relu};
  tile1x16.strategy =
      "#moe.strategy<padded, tile = <rows = 1, weight_rows = 16>>";
  cases.push_back(tile1x16);
  return cases;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MoELayer, ::testing::ValuesIn(layerCases()),
    [](const ::testing::TestParamInfo<LayerCase> &info) {
      return std::string(info.param.name);
    });

//===----------------------------------------------------------------------===//
// Malformed routing data
//===----------------------------------------------------------------------===//

// moe.dispatch called directly with routing data moe.assign would never
// produce — ids out of range, negative locations, rows past the buffer, a
// negative row count — drops those slots (or yields no rows) instead of
// reading or writing out of bounds, in both pipelines.
TEST(MoEMalformed, DispatchDropsInvalidSlots) {
  const std::string source = R"(
func.func @dispatch(%x: tensor<?x20xf32>, %ids: tensor<?x2xi32>, %loc: tensor<?x2xi32>, %off: tensor<3xi32>) -> tensor<?x20xf32> {
  %b = moe.dispatch %x, %ids, %loc, %off : (tensor<?x20xf32>, tensor<?x2xi32>, tensor<?x2xi32>, tensor<3xi32>) -> tensor<?x20xf32>
  return %b : tensor<?x20xf32>
})";
  for (Pipeline pipeline : {Pipeline::Reference, Pipeline::Cpu}) {
    std::string error;
    auto model = CompiledModel::compile(source, error, pipeline);
    ASSERT_TRUE(model) << error;
    std::vector<float> x(3 * 20);
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = float(i);
    // Token 0: expert 5 (out of range), expert 0 row 0. Token 1: expert 1
    // at location -1, expert 1 row 1 + 2 = 3. Token 2: expert 1 at
    // location 9 (past R = 4), expert 0 row 1.
    std::vector<int32_t> ids = {5, 0, 1, 1, 1, 0}, loc = {0, 0, -1, 2, 9, 1};
    for (auto [offsets, rows] :
         {std::pair{std::vector<int32_t>{0, 1, 4}, 4},
          std::pair{std::vector<int32_t>{0, 1, -3}, 0}}) {
      LoomTensorList *out = model->run(
          "dispatch",
          {model->tensor(x.data(), {3, 20}, LOOM_F32),
           model->tensor(ids.data(), {3, 2}, LOOM_I32),
           model->tensor(loc.data(), {3, 2}, LOOM_I32),
           model->tensor(offsets.data(), {3}, LOOM_I32)},
          error);
      ASSERT_TRUE(out) << error;
      std::vector<float> got = outputValues<float>(model->api(), out, 0);
      model->api().tensor_list_destroy(out);
      ASSERT_EQ(got.size(), size_t(rows) * 20);
      if (rows == 0)
        continue;
      // Row 0 <- token 0, row 1 <- token 2 (expert 0's second location is
      // 1, which lies past its segment but inside the buffer), row 2
      // untouched, row 3 <- token 1.
      const int source[] = {0, 2, -1, 1};
      for (int r = 0; r < 4; ++r)
        for (int j = 0; j < 20; ++j)
          ASSERT_EQ(got[r * 20 + j], source[r] < 0 ? 0.f : x[source[r] * 20 + j])
              << "row " << r << ", column " << j;
    }
  }
}

// Batch-prioritized routing whose priorities include NaN (a NaN score):
// NaN tokens come after every number, in token order, so every kept slot
// still gets a distinct location and row, in both pipelines.
TEST(MoEMalformed, PriorityNaNKeepsAPermutation) {
  const std::string source = R"(
func.func @assign(%ids: tensor<?x1xi32>, %prio: tensor<?xf32>) -> (tensor<?x1xi32>, tensor<?xi32>) {
  %loc, %cnt, %off, %rows, %c = moe.assign %ids priority %prio {num_experts = 2 : i64, capacity = #moe.capacity<factor = 0.0>, layout = #moe.layout<grouped>} : (tensor<?x1xi32>, tensor<?xf32>) -> (tensor<?x1xi32>, tensor<2xi32>, tensor<3xi32>, tensor<?xi32>, index)
  return %loc, %rows : tensor<?x1xi32>, tensor<?xi32>
})";
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Expert 0: tokens 0, 2, 4, 6 with priorities NaN, 2, NaN, 3; expert 1:
  // tokens 1, 3, 5 with 1, 1, 5.
  std::vector<int32_t> ids = {0, 1, 0, 1, 0, 1, 0};
  std::vector<float> prio = {nan, 1, 2, 1, nan, 5, 3};
  // Order 5, 6, 2, 1, 3 (tie: lower t first), then the NaN tokens 0, 4.
  const std::vector<int32_t> wantLoc = {2, 1, 1, 2, 3, 0, 0};
  for (Pipeline pipeline : {Pipeline::Reference, Pipeline::Cpu}) {
    std::string error;
    auto model = CompiledModel::compile(source, error, pipeline);
    ASSERT_TRUE(model) << error;
    LoomTensorList *out =
        model->run("assign",
                   {model->tensor(ids.data(), {7, 1}, LOOM_I32),
                    model->tensor(prio.data(), {7}, LOOM_F32)},
                   error);
    ASSERT_TRUE(out) << error;
    std::vector<int32_t> loc = outputValues<int32_t>(model->api(), out, 0),
                         rows = outputValues<int32_t>(model->api(), out, 1);
    model->api().tensor_list_destroy(out);
    EXPECT_EQ(loc, wantLoc);
    std::vector<int32_t> sortedRows = rows;
    std::sort(sortedRows.begin(), sortedRows.end());
    EXPECT_EQ(sortedRows, (std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6}));
  }
}

// Scores no router produces — NaN (in lane 0 and elsewhere), +-inf, all
// equal — give the vector top-k exactly the reference lowering's ids and
// weights.
TEST(MoETopK, VectorMatchesReferenceOnNaNAndInf) {
  const std::string source = R"(
func.func @topk(%p: tensor<?x20xf32>) -> (tensor<?x3xi32>, tensor<?x3xf32>) {
  %ids, %w = moe.topk %p {k = 3 : i64, renormalize} : tensor<?x20xf32> -> tensor<?x3xi32>, tensor<?x3xf32>
  return %ids, %w : tensor<?x3xi32>, tensor<?x3xf32>
})";
  constexpr int kT = 6, kE = 20;
  const float nan = std::numeric_limits<float>::quiet_NaN(),
              inf = std::numeric_limits<float>::infinity();
  std::vector<float> p(kT * kE, 0.25f);
  p[0 * kE + 0] = nan;            // token 0: NaN in lane 0
  p[1 * kE + 3] = nan;            // token 1: NaN elsewhere, 0.25 ties
  p[1 * kE + 7] = 0.5f;
  for (int e = 0; e < kE; ++e)    // token 2: all NaN
    p[2 * kE + e] = nan;
  p[3 * kE + 5] = inf;            // token 3: +inf and -inf
  p[3 * kE + 0] = -inf;
  for (int e = 0; e < kE; ++e)    // token 4: all -inf
    p[4 * kE + e] = -inf;
  p[5 * kE + 19] = 0.75f;         // token 5: the last lane wins
  std::vector<std::vector<int32_t>> ids;
  std::vector<std::vector<uint32_t>> weightBits;
  for (Pipeline pipeline : {Pipeline::Reference, Pipeline::Cpu}) {
    std::string error;
    auto model = CompiledModel::compile(source, error, pipeline);
    ASSERT_TRUE(model) << error;
    LoomTensorList *out = model->run(
        "topk", {model->tensor(p.data(), {kT, kE}, LOOM_F32)}, error);
    ASSERT_TRUE(out) << error;
    ids.push_back(outputValues<int32_t>(model->api(), out, 0));
    std::vector<uint32_t> bits;
    for (float w : outputValues<float>(model->api(), out, 1)) {
      uint32_t u;
      std::memcpy(&u, &w, sizeof u);
      bits.push_back(u);
    }
    weightBits.push_back(bits);
    model->api().tensor_list_destroy(out);
  }
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(weightBits[0], weightBits[1]);
  // Token 5's first choice is lane 19, then the lowest tied lanes.
  EXPECT_EQ(std::vector<int32_t>(ids[1].begin() + 15, ids[1].end()),
            (std::vector<int32_t>{19, 0, 1}));
}

// moe.grouped_matmul's fused forms with maps moe-fuse would never build:
// rows whose gather index is outside x are 0 (or add nothing), rows whose
// scatter index is outside the output add nothing, in both pipelines.
TEST(MoEMalformed, GatherScatterSkipInvalidRows) {
  const std::string source = R"(
func.func @gathered(%x: tensor<?x20xf32>, %w: tensor<2x18x20xf32>, %off: tensor<3xi32>, %cnt: tensor<2xi32>, %g: tensor<?xi32>) -> tensor<?x18xf32> {
  %y = moe.grouped_matmul %x, %w, %off, %cnt gather %g : (tensor<?x20xf32>, tensor<2x18x20xf32>, tensor<3xi32>, tensor<2xi32>, tensor<?xi32>) -> tensor<?x18xf32>
  return %y : tensor<?x18xf32>
}
func.func @scattered(%x: tensor<?x20xf32>, %w: tensor<2x18x20xf32>, %off: tensor<3xi32>, %cnt: tensor<2xi32>, %g: tensor<?xi32>, %s: tensor<?xi32>, %init: tensor<?x18xf32>) -> tensor<?x18xf32> {
  %y = moe.grouped_matmul %x, %w, %off, %cnt gather %g scatter %s into %init : (tensor<?x20xf32>, tensor<2x18x20xf32>, tensor<3xi32>, tensor<2xi32>, tensor<?xi32>, tensor<?xi32>, tensor<?x18xf32>) -> tensor<?x18xf32>
  return %y : tensor<?x18xf32>
})";
  constexpr int kT = 3, kK = 20, kN = 18, kR = 5;
  std::vector<float> x(kT * kK), w(2 * kN * kK), init(kT * kN);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(i % 7) - 3;
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(i % 5) - 2;
  for (size_t i = 0; i < init.size(); ++i)
    init[i] = float(i);
  std::vector<int32_t> offsets = {0, 2, 5}, counts = {2, 3},
                       gather = {0, 7, 2, -1, 1}, scatter = {1, 0, 5, 2, 0};
  // The plain loops of the op's definition.
  std::vector<float> gathered(kR * kN, 0.f), scattered(init);
  for (int e = 0; e < 2; ++e)
    for (int r = offsets[e]; r < offsets[e] + counts[e]; ++r) {
      int src = gather[r], dst = scatter[r];
      if (src < 0 || src >= kT)
        continue;
      for (int n = 0; n < kN; ++n) {
        float y = 0;
        for (int i = 0; i < kK; ++i)
          y += x[src * kK + i] * w[(e * kN + n) * kK + i];
        gathered[r * kN + n] = y;
        if (dst >= 0 && dst < kT)
          scattered[dst * kN + n] += y;
      }
    }
  for (Pipeline pipeline : {Pipeline::Reference, Pipeline::Cpu}) {
    std::string error;
    auto model = CompiledModel::compile(source, error, pipeline);
    ASSERT_TRUE(model) << error;
    auto run = [&](const char *entry, bool scatterToo) {
      std::vector<LoomTensor *> args = {
          model->tensor(x.data(), {kT, kK}, LOOM_F32),
          model->tensor(w.data(), {2, kN, kK}, LOOM_F32),
          model->tensor(offsets.data(), {3}, LOOM_I32),
          model->tensor(counts.data(), {2}, LOOM_I32),
          model->tensor(gather.data(), {kR}, LOOM_I32)};
      if (scatterToo) {
        args.push_back(model->tensor(scatter.data(), {kR}, LOOM_I32));
        args.push_back(model->tensor(init.data(), {kT, kN}, LOOM_F32));
      }
      LoomTensorList *out = model->run(entry, args, error);
      EXPECT_TRUE(out) << error;
      if (!out)
        return std::vector<float>();
      std::vector<float> got = outputValues<float>(model->api(), out, 0);
      model->api().tensor_list_destroy(out);
      return got;
    };
    EXPECT_EQ(run("gathered", false), gathered);
    EXPECT_EQ(run("scattered", true), scattered);
  }
}

} // namespace

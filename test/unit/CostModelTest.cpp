//===- CostModelTest.cpp - Knob spaces, roofline and the tree evaluator ---===//

#include "loom/CostModel/CostModel.h"
#include "loom/CostModel/Decide.h"
#include "loom/CostModel/Knobs.h"
#include "loom/CostModel/Roofline.h"
#include "loom/CostModel/ShippedModels.h"
#include "loom/CostModel/TargetInfo.h"
#include "loom/CostModel/TreeEnsemble.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir::loom::cost;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(KnobSpace, EnumeratesTheLegalProductInCanonicalOrder) {
  KnobSpace space({{"tile", {int64_t(1), int64_t(2), int64_t(4)}},
                   {"layout", {std::string("row"), std::string("col")}}},
                  [](const KnobSpace &s, const Candidate &c) {
                    return !(s.intValue(c, "tile") == 4 &&
                             std::get<std::string>(s.value(c, "layout")) ==
                                 "col");
                  });
  llvm::SmallVector<Candidate> all = space.enumerate();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(space.describe(all[0]), "tile=1 layout=row");
  EXPECT_EQ(space.describe(all[1]), "tile=1 layout=col");
  EXPECT_EQ(space.describe(all[2]), "tile=2 layout=row");
  EXPECT_EQ(space.describe(all[4]), "tile=4 layout=row");
}

TEST(KnobSpace, ThinsToEveryKthCandidate) {
  llvm::SmallVector<KnobValue> ten;
  for (int64_t i = 0; i < 10; ++i)
    ten.push_back(i);
  KnobSpace space({{"a", ten}, {"b", ten}});
  EXPECT_EQ(space.enumerate(0).size(), 100u);
  llvm::SmallVector<Candidate> thinned = space.enumerate(30);
  // 100 candidates, at most 30: every 4th, from the first.
  ASSERT_EQ(thinned.size(), 25u);
  EXPECT_EQ(space.describe(thinned[1]), "a=0 b=4");
  EXPECT_EQ(space.describe(thinned[24]), "a=9 b=6");
}

TEST(Knob, FindsAWrittenValueAmongItsOptions) {
  Knob layout{"layout", {std::string("codes"), std::string("bitplane")}};
  Knob tile{"tile", {int64_t(2), int64_t(4), int64_t(8)}};
  EXPECT_EQ(layout.indexOf(std::string("bitplane")), 1u);
  EXPECT_EQ(tile.indexOf(int64_t(8)), 2u);
  // A name is never a number, nor a number not offered an option.
  EXPECT_EQ(tile.indexOf(std::string("8")), std::nullopt);
  EXPECT_EQ(tile.indexOf(int64_t(3)), std::nullopt);
  EXPECT_EQ(layout.describeOptions(), "codes, bitplane");
}

TEST(FeatureSchema, HashCoversVersionAndOrder) {
  llvm::StringRef ab[] = {"a", "b"}, ba[] = {"b", "a"}, split[] = {"ab", ""};
  FeatureSchema s1{"lut.gemm", 1, ab}, s2{"lut.gemm", 2, ab},
      s3{"lut.gemm", 1, ba}, s4{"lut.gemm", 1, split};
  EXPECT_EQ(s1.hash(), (FeatureSchema{"lut.gemm", 1, ab}).hash());
  EXPECT_NE(s1.hash(), s2.hash());
  EXPECT_NE(s1.hash(), s3.hash());
  EXPECT_NE(s1.hash(), s4.hash());
  EXPECT_EQ(s1.hashString().size(), 16u);
  EXPECT_EQ(s3.indexOf("a"), 1u);
  EXPECT_EQ(s3.indexOf("c"), std::nullopt);
}

TEST(Roofline, IsTheSlowestBoundPlusOverheads) {
  MachineThroughput machine{{1e9, 4e9}, {100e9, 10e9}};
  RooflineTime compute = rooflineTime({{2e9, 4e9}, {1e9, 1e9}, 0}, machine);
  EXPECT_DOUBLE_EQ(compute.seconds, 2.0);
  EXPECT_FALSE(compute.memoryBound);
  RooflineTime memory = rooflineTime({{1e6}, {1e9, 40e9}, 0.5}, machine);
  EXPECT_DOUBLE_EQ(memory.seconds, 4.5);
  EXPECT_TRUE(memory.memoryBound);
  // More bytes never make it faster.
  EXPECT_GE(rooflineTime({{1e6}, {1e9, 41e9}, 0.5}, machine).seconds,
            memory.seconds);
}

TEST(CostModel, RooflineRanksByItsFeatureAndKeepsTiesInOrder) {
  llvm::StringRef names[] = {"tile", "roofline_log2_s"};
  FeatureSchema schema{"test", 1, names};
  RooflineCostModel model(schema, 1);
  llvm::SmallVector<FeatureVector> rows = {{1, -3}, {2, -5}, {3, -3}, {4, -9}};
  EXPECT_EQ(model.rank(rows), (llvm::SmallVector<unsigned>{3, 1, 0, 2}));
  EXPECT_EQ(model.info().source, CostModelInfo::Source::Roofline);
  EXPECT_TRUE(model.info().absolute);
}

using Costs = llvm::SmallVector<llvm::SmallVector<double>>;
using Choices = llvm::SmallVector<size_t>;

TEST(ChooseWithChangeCost, IsEachPositionsBestWhenChangesAreFree) {
  Costs cost = {{1, 0, 2}, {0, 1, 2}, {2, 1, 0}};
  EXPECT_EQ(chooseWithChangeCost(cost, 0), (Choices{1, 0, 2}));
  EXPECT_EQ(chooseWithChangeCost({}, 0.3), Choices{});
  EXPECT_EQ(chooseWithChangeCost(Costs{{0.5, 0.2}}, 0.3), Choices{1});
}

TEST(ChooseWithChangeCost, IsOneCandidateWhenChangesCostTooMuch) {
  // Sums per candidate: 3, 2, 4.
  Costs cost = {{1, 0, 2}, {0, 1, 2}, {2, 1, 0}};
  EXPECT_EQ(chooseWithChangeCost(cost, 10), (Choices{1, 1, 1}));
}

TEST(ChooseWithChangeCost, ChoosesTheRunsTogether) {
  // The MoE anchor layer's buckets under a learned model (costs above
  // each bucket's best): candidate 0 leads at position 0 only, by 0.04;
  // candidate 1 leads at every later one, by 0.05-0.14. Keeping position
  // 0's choice while each next position ranks it near its best would
  // never change; together, candidate 1 takes every position.
  Costs cost = {{0, 0.036}, {0.047, 0}, {0.104, 0}, {0.140, 0}, {0.060, 0}};
  EXPECT_EQ(chooseWithChangeCost(cost, 0.3), (Choices{1, 1, 1, 1, 1}));
  // A change pays once it gains more than it costs over the positions it
  // serves.
  Costs twoRuns = {{0, 0.5}, {0, 0.5}, {0.4, 0}, {0.4, 0}};
  EXPECT_EQ(chooseWithChangeCost(twoRuns, 0.3), (Choices{0, 0, 1, 1}));
  EXPECT_EQ(chooseWithChangeCost(twoRuns, 0.9), (Choices{0, 0, 0, 0}));
}

TEST(ChooseWithChangeCost, KeepsThePreviousCandidateOnATie) {
  // Changing at position 1 gains exactly its cost, from either candidate.
  EXPECT_EQ(chooseWithChangeCost(Costs{{0, 1}, {0.25, 0}}, 0.25),
            (Choices{0, 0}));
  EXPECT_EQ(chooseWithChangeCost(Costs{{1, 0}, {0, 0.25}}, 0.25),
            (Choices{1, 1}));
  // Equal candidates: the earlier one.
  EXPECT_EQ(chooseWithChangeCost(Costs{{1, 1}, {1, 1}}, 0.3), (Choices{0, 0}));
}

/// Two trees over three features, written the way XGBoost 1.7 saves them.
/// Tree 0: f0 < 0.5 (missing: left) ? (f2 < 3 (missing: right) ? -0.5 : 1.5)
/// : 0.25. Tree 1: f1 < -1 (missing: right) ? 2 : -2. Base score 0.5.
std::string twoTreeModel(llvm::StringRef objective = "rank:pairwise",
                         llvm::StringRef version = "1, 7, 4",
                         llvm::StringRef numFeature = "3",
                         llvm::StringRef rootSplit = "0",
                         llvm::StringRef rootLeft = "1") {
  return (R"({"learner": {"attributes": {}, "feature_names": [],
   "gradient_booster": {"name": "gbtree", "model": {
     "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": "2"},
     "tree_info": [0, 0],
     "trees": [
      {"id": 0, "tree_param": {"num_nodes": "5", "num_feature": "3"},
       "left_children": [)" +
          rootLeft + R"(, 3, -1, -1, -1], "right_children": [2, 4, -1, -1, -1],
       "split_indices": [)" +
          rootSplit + R"(, 2, 0, 0, 0],
       "split_conditions": [0.5, 3.0, 0.25, -0.5, 1.5],
       "default_left": [1, 0, 0, 0, 0], "split_type": [0, 0, 0, 0, 0]},
      {"id": 1, "tree_param": {"num_nodes": "3", "num_feature": "3"},
       "left_children": [1, -1, -1], "right_children": [2, -1, -1],
       "split_indices": [1, 0, 0], "split_conditions": [-1.0, 2.0, -2.0],
       "default_left": [false, false, false], "split_type": [0, 0, 0]}]}},
   "learner_model_param": {"base_score": "5E-1", "num_class": "0",
     "num_feature": ")" +
          numFeature + R"(", "num_target": "1"},
   "objective": {"name": ")" +
          objective + R"("}},
  "version": [)" +
          version + "]}")
      .str();
}

llvm::StringRef kThree[] = {"f0", "f1", "f2"};
const FeatureSchema kSchema{"test", 3, kThree};
const FeatureSchema kRegressionSchema{"test", 3, kThree,
                                      FeatureSchema::Objective::Regression};

TEST(TreeEnsemble, WalksEveryTreeWithMissingValuesAndTies) {
  auto model = TreeEnsembleCostModel::parse(twoTreeModel(), "m.json", kSchema,
                                            "x86/test@0");
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  EXPECT_EQ((*model)->getNumTrees(), 2u);
  EXPECT_DOUBLE_EQ((*model)->evaluate({0, 0, 0}), -2.0);
  EXPECT_DOUBLE_EQ((*model)->evaluate({1, -2, 5}), 2.75);
  EXPECT_DOUBLE_EQ((*model)->evaluate({kNaN, kNaN, 4}), 0.0);
  // x == threshold goes right, as in XGBoost.
  EXPECT_DOUBLE_EQ((*model)->evaluate({0.5, -1, 3}), -1.25);
  // A ranking model's margin is higher for faster candidates.
  llvm::SmallVector<FeatureVector> rows = {{0, 0, 0}, {1, -2, 5}};
  EXPECT_EQ((*model)->rank(rows), (llvm::SmallVector<unsigned>{1, 0}));
  EXPECT_FALSE((*model)->info().absolute);
  EXPECT_EQ((*model)->info().modelId, "x86/test@0");

  auto regression = TreeEnsembleCostModel::parse(
      twoTreeModel("reg:squarederror"), "r.json", kRegressionSchema, "r");
  ASSERT_TRUE(bool(regression)) << llvm::toString(regression.takeError());
  EXPECT_EQ((*regression)->rank(rows), (llvm::SmallVector<unsigned>{0, 1}));
  EXPECT_TRUE((*regression)->info().absolute);
}

TEST(TreeEnsemble, RefusesAnObjectiveItsSchemaDoesNotPredict) {
  auto ranking = TreeEnsembleCostModel::parse(twoTreeModel("reg:squarederror"),
                                              "r.json", kSchema, "r");
  ASSERT_FALSE(bool(ranking));
  EXPECT_NE(llvm::toString(ranking.takeError())
                .find("objective 'reg:squarederror' does not fit test, which "
                      "ranks candidates"),
            std::string::npos);
  auto regression = TreeEnsembleCostModel::parse(twoTreeModel(), "m.json",
                                                 kRegressionSchema, "m");
  ASSERT_FALSE(bool(regression));
  EXPECT_NE(llvm::toString(regression.takeError())
                .find("does not fit test, which predicts log2 seconds"),
            std::string::npos);
}

TEST(TreeEnsemble, NamesFeaturesOutsideItsTrainingRange) {
  std::string meta = R"({"schema_hash": ")" + kSchema.hashString() +
                     R"(", "feature_ranges": [[0, 1], [-2, 2], [0, 3]]})";
  auto model = loadModel(twoTreeModel(), meta, kSchema, "built-in", "m", "id");
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  EXPECT_TRUE((*model)->outOfRange({0.5, 0, 3}).empty());
  EXPECT_EQ((*model)->outOfRange({2, -3, kNaN}),
            (llvm::SmallVector<unsigned>{0, 1}));
  std::string bad = R"({"schema_hash": ")" + kSchema.hashString() +
                    R"(", "feature_ranges": [[0, 1]]})";
  auto refused = loadModel(twoTreeModel(), bad, kSchema, "built-in", "m", "id");
  ASSERT_FALSE(bool(refused));
  EXPECT_EQ(llvm::toString(refused.takeError()),
            "m.meta.json: one feature range per feature expected");
}

// Its roofline feature moves with the throughputs: a model trained with
// other ones is stale.
TEST(TreeEnsemble, IsStaleUnderAnotherCalibration) {
  std::string meta = R"({"schema_hash": ")" + kSchema.hashString() +
                     R"(", "calibration": "target.json@0000abcd"})";
  EXPECT_TRUE(bool(loadModel(twoTreeModel(), meta, kSchema,
                             "target.json@0000abcd", "m", "id")));
  auto refused =
      loadModel(twoTreeModel(), meta, kSchema, "built-in", "m", "id");
  ASSERT_FALSE(bool(refused));
  EXPECT_EQ(llvm::toString(refused.takeError()),
            "m is stale: its roofline features were computed with the "
            "target.json@0000abcd throughputs, the compiler's are "
            "built-in (loom-tune refeaturize, then train)");
  // Models that name none were trained with the built-in figures.
  std::string old = R"({"schema_hash": ")" + kSchema.hashString() + R"("})";
  EXPECT_TRUE(
      bool(loadModel(twoTreeModel(), old, kSchema, "built-in", "m", "id")));
}

std::string parseError(const std::string &json) {
  auto model = TreeEnsembleCostModel::parse(json, "bad.json", kSchema, "b");
  if (model)
    return "parsed";
  return llvm::toString(model.takeError());
}

TEST(TreeEnsemble, RejectsWhatItCannotEvaluate) {
  EXPECT_NE(parseError("{\"learner\": ").find("bad.json: malformed JSON"),
            std::string::npos);
  EXPECT_EQ(parseError(twoTreeModel("rank:pairwise", "2, 0, 0")),
            "bad.json: XGBoost major version 2 is not supported (1.x is)");
  EXPECT_EQ(parseError(twoTreeModel("binary:logistic")),
            "bad.json: objective 'binary:logistic' is not supported "
            "(rank:pairwise, reg:squarederror are)");
  EXPECT_EQ(parseError(twoTreeModel("rank:pairwise", "1, 7, 4", "4")),
            "bad.json: the model has 4 features, schema test v3 has 3");
  EXPECT_EQ(
      parseError(twoTreeModel("rank:pairwise", "1, 7, 4", "3", "7")),
      "bad.json: tree 0 node 0 splits on feature 7, beyond the 3 features");
  // A child before its parent would loop.
  EXPECT_EQ(parseError(twoTreeModel("rank:pairwise", "1, 7, 4", "3", "0", "0")),
            "bad.json: tree 0 node 0 has an invalid child");
  EXPECT_EQ(parseError("[1]"), "bad.json: expected a JSON object");
  EXPECT_EQ(parseError(R"({"version": [1, 7, 4]})"),
            "bad.json: expected an object 'learner'");
}

// Every model under models/: its schema is the compiler's (not stale), its
// file under costmodel.md's 2 MB, and the evaluator reproduces the probe
// rows XGBoost scored when it was trained.
TEST(ShippedModels, ReproduceTheirProbeRows) {
  ASSERT_FALSE(shippedModels().empty()) << "models/ ships no model";
  for (const ShippedModel &shipped : shippedModels()) {
    SCOPED_TRACE((shipped.targetClass + "/" + shipped.decision).str());
    const FeatureSchema *schema = schemaFor(shipped.decision);
    ASSERT_NE(schema, nullptr);
    auto model = loadModel(shipped.model, shipped.meta, *schema,
                           calibrationOf(shipped.targetClass), "shipped", "id");
    ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
    EXPECT_LT(shipped.model.size(), 2'000'000u);
    auto meta = llvm::json::parse(shipped.meta);
    ASSERT_TRUE(bool(meta)) << llvm::toString(meta.takeError());
    const llvm::json::Array *probes =
        meta->getAsObject()->getArray("probe_rows");
    ASSERT_TRUE(probes && probes->size() >= 16);
    for (const llvm::json::Value &probe : *probes) {
      const llvm::json::Object *row = probe.getAsObject();
      FeatureVector features;
      for (const llvm::json::Value &f : *row->getArray("features"))
        features.push_back(f.getAsNumber() ? float(*f.getAsNumber()) : kNaN);
      double margin = *row->getNumber("margin");
      // predict() negates a ranking model's margin into a cost.
      double cost = (*model)->predict({features})[0];
      double got = (*model)->info().absolute ? cost : -cost;
      EXPECT_NEAR(got, margin, 1e-5 * std::max(1.0, std::fabs(margin)));
    }
  }
}

} // namespace

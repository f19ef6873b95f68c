//===- CostModelXGBoostTest.cpp - The evaluator against XGBoost itself ----===//
//
// Trains small models with XGBoost's C API (the way loom-tune trains), saves
// them as JSON and checks that the in-tree evaluator predicts what XGBoost
// predicts, on rows with missing values and values on split thresholds.
//
//===----------------------------------------------------------------------===//

#include "loom/CostModel/TreeEnsemble.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <random>
#include <string>
#include <unistd.h>

using namespace mlir::loom::cost;

namespace {

#define XGB_CHECK(call) ASSERT_EQ((call), 0) << XGBGetLastError()

constexpr int kRows = 600, kFeatures = 6, kGroup = 30;

/// Random rows, a tenth of the values missing, and a noisy cost to learn.
void makeData(std::vector<float> &x, std::vector<float> &y) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-4, 4), unit(0, 1);
  x.resize(kRows * kFeatures);
  y.resize(kRows);
  for (int r = 0; r < kRows; ++r) {
    float *row = &x[r * kFeatures];
    for (int f = 0; f < kFeatures; ++f)
      row[f] = unit(rng) < 0.1f ? NAN : std::round(value(rng) * 4) / 4;
    float a = std::isnan(row[0]) ? 0 : row[0];
    float b = std::isnan(row[1]) ? 1 : row[1];
    y[r] = a * b + (row[2] > 0 ? 2 : 0) + 0.1f * unit(rng);
  }
}

void checkObjective(const char *objective) {
  std::vector<float> x, y;
  makeData(x, y);
  DMatrixHandle data;
  XGB_CHECK(XGDMatrixCreateFromMat(x.data(), kRows, kFeatures, NAN, &data));
  XGB_CHECK(XGDMatrixSetFloatInfo(data, "label", y.data(), kRows));
  std::vector<unsigned> groups(kRows / kGroup, kGroup);
  if (std::string(objective) == "rank:pairwise") {
    // Ranking labels: a candidate's rank within its task.
    for (int g = 0; g < kRows / kGroup; ++g)
      for (int i = 0; i < kGroup; ++i)
        y[g * kGroup + i] = std::floor(y[g * kGroup + i]);
    XGB_CHECK(XGDMatrixSetFloatInfo(data, "label", y.data(), kRows));
    XGB_CHECK(
        XGDMatrixSetUIntInfo(data, "group", groups.data(), groups.size()));
  }
  BoosterHandle booster;
  XGB_CHECK(XGBoosterCreate(&data, 1, &booster));
  for (auto [key, value] : {std::pair{"objective", objective},
                            {"tree_method", "hist"},
                            {"max_depth", "6"},
                            {"eta", "0.1"},
                            {"seed", "0"},
                            {"nthread", "1"}})
    XGB_CHECK(XGBoosterSetParam(booster, key, value));
  for (int round = 0; round < 50; ++round)
    XGB_CHECK(XGBoosterUpdateOneIter(booster, round, data));

  std::string path = ::testing::TempDir() + "/loom-xgb-" +
                     std::to_string(getpid()) + "-" + objective + ".json";
  for (char &c : path)
    if (c == ':')
      c = '_';
  XGB_CHECK(XGBoosterSaveModel(booster, path.c_str()));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer));
  std::remove(path.c_str());

  llvm::StringRef names[] = {"f0", "f1", "f2", "f3", "f4", "f5"};
  FeatureSchema schema{"test", 1, names,
                       llvm::StringRef(objective) == "rank:pairwise"
                           ? FeatureSchema::Objective::Rank
                           : FeatureSchema::Objective::Regression};
  auto model =
      TreeEnsembleCostModel::parse((*buffer)->getBuffer(), path, schema, "xgb");
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  EXPECT_EQ((*model)->getNumTrees(), 50u);

  bst_ulong count;
  const float *expected;
  XGB_CHECK(XGBoosterPredict(booster, data, /*option_mask=*/1,
                             /*ntree_limit=*/0, /*training=*/0, &count,
                             &expected));
  ASSERT_EQ(count, bst_ulong(kRows));
  for (int r = 0; r < kRows; ++r) {
    double got =
        (*model)->evaluate(llvm::ArrayRef<float>(&x[r * kFeatures], kFeatures));
    // XGBoost accumulates in float; the evaluator in double.
    EXPECT_NEAR(got, expected[r], 1e-5 * std::max(1.0, std::fabs(got)))
        << objective << " row " << r;
  }
  XGB_CHECK(XGBoosterFree(booster));
  XGB_CHECK(XGDMatrixFree(data));
}

TEST(TreeEnsembleAgainstXGBoost, Ranking) { checkObjective("rank:pairwise"); }

TEST(TreeEnsembleAgainstXGBoost, Regression) {
  checkObjective("reg:squarederror");
}

} // namespace

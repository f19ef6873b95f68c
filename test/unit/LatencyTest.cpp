//===- LatencyTest.cpp - wf.latency's features and estimates --------------===//

#include "loom/CostModel/Latency.h"
#include "loom/CostModel/Schemas/WfLatency.h"
#include "loom/InitAllDialects.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cost::wf_latency;

namespace {

class LatencyTest : public ::testing::Test {
protected:
  LatencyTest() : target(*cost::TargetInfo::forIsa("avx512")) {
    registerAllDialects(context);
    context.loadAllAvailableDialects();
  }

  /// The body of @f in `text`.
  Region &body(StringRef text) {
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    return module->lookupSymbol<func::FuncOp>("f").getBody();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  cost::TargetInfo target;
};

// 64 x 4096 f32 in and out; two adds and a call into a function with a
// third: three elementwise ops of 256 K elements, each moving 2 MB in and
// 1 MB out (1 MB = 2^20 bytes).
constexpr const char *kAdds = R"(
func.func private @g(%a: tensor<64x4096xf32>) -> tensor<64x4096xf32> {
  %b = arith.mulf %a, %a : tensor<64x4096xf32>
  return %b : tensor<64x4096xf32>
}
func.func @f(%x: tensor<64x4096xf32>) -> tensor<64x4096xf32> {
  %c = arith.constant dense<1.0> : tensor<64x4096xf32>
  %y = arith.addf %x, %c : tensor<64x4096xf32>
  %z = func.call @g(%y) : (tensor<64x4096xf32>) -> tensor<64x4096xf32>
  %w = arith.addf %z, %y : tensor<64x4096xf32>
  return %w : tensor<64x4096xf32>
})";

TEST_F(LatencyTest, SumsTheWorkOfEveryOpFollowingCalls) {
  Region &region = body(kAdds);
  std::optional<cost::FeatureVector> row =
      cost::latencyFeatures(region, target);
  ASSERT_TRUE(row);
  auto decode = [](float encoded) { return std::exp2(double(encoded)) - 1; };
  EXPECT_NEAR(decode((*row)[F32Ops]), 3 * 262144.0, 1);
  EXPECT_NEAR(decode((*row)[DramBytes]), 9 * 1048576.0, 16);
  EXPECT_NEAR(decode((*row)[BytesIn]), 1048576.0, 1);
  EXPECT_NEAR(decode((*row)[BytesOut]), 1048576.0, 1);
  // The constant is free and not counted; the call is followed once.
  EXPECT_NEAR(decode((*row)[Ops]), 3, 1e-5);
  EXPECT_NEAR(decode((*row)[OtherOps]), 3, 1e-5);
  EXPECT_NEAR(decode((*row)[LutOps]), 0, 1e-5);
  EXPECT_NEAR(decode((*row)[Calls]), 1, 1e-5);
  // Elementwise ops stream memory: all their time is memory-bound, and the
  // three are alike.
  EXPECT_FLOAT_EQ((*row)[ComputeBoundLog2Seconds], float(std::log2(1e-9)));
  EXPECT_NEAR((*row)[LargestOpShare], 1.0 / 3, 1e-6);
  std::optional<double> seconds = cost::estimateSeconds(region, target);
  ASSERT_TRUE(seconds);
  EXPECT_NEAR((*row)[RooflineLog2Seconds], std::log2(*seconds), 1e-5);
  EXPECT_NEAR((*row)[MemoryBoundLog2Seconds], std::log2(*seconds), 1e-5);
}

TEST_F(LatencyTest, HasNoFeaturesForADynamicSize) {
  Region &region = body(R"(
func.func @f(%x: tensor<?x4096xf32>) -> tensor<?x4096xf32> {
  %y = arith.addf %x, %x : tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
})");
  EXPECT_FALSE(cost::latencyFeatures(region, target));
  EXPECT_FALSE(cost::estimateSeconds(region, target));
}

TEST_F(LatencyTest, RooflineModelIsTheAnalyticalEstimateExactly) {
  std::string passedOver;
  auto model = cost::LatencyModel::select("roofline", target, passedOver);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  EXPECT_EQ(model->info().modelId, "roofline");
  Region &region = body(kAdds);
  EXPECT_EQ(model->seconds(region), cost::estimateSeconds(region, target));
}

TEST_F(LatencyTest, ShippedModelPredictsFromTheRooflineUp) {
  std::string passedOver;
  auto model = cost::LatencyModel::select("auto", target, passedOver);
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  EXPECT_EQ(passedOver, "");
  ASSERT_EQ(model->info().source, cost::CostModelInfo::Source::Learned);
  Region &region = body(kAdds);
  std::optional<double> learned = model->seconds(region);
  std::optional<double> analytical = cost::estimateSeconds(region, target);
  ASSERT_TRUE(learned && analytical);
  // A correction of the roofline, not a different scale.
  EXPECT_GT(*learned, *analytical / 16);
  EXPECT_LT(*learned, *analytical * 16);
}

} // namespace

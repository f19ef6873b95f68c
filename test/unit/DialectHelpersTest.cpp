//===- DialectHelpersTest.cpp - C++ APIs of Loom's attributes and types ---===//

#include "loom/Dialect/Lut/IR/LutDialect.h"
#include "loom/Dialect/Lut/IR/LutOps.h"
#include "loom/Dialect/Lut/Transforms/StrategyModel.h"
#include "loom/Dialect/MoE/IR/MoEDialect.h"
#include "loom/Dialect/Workflow/IR/WorkflowDialect.h"
#include "loom/InitAllDialects.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

class DialectHelpers : public ::testing::Test {
protected:
  DialectHelpers() {
    registerAllDialects(context);
    context.loadAllAvailableDialects();
  }

  template <typename T> T parse(StringRef text) {
    return cast<T>(parseAttribute(text, &context));
  }

  MLIRContext context;
};

TEST_F(DialectHelpers, QuantScaleShapes) {
  auto group = parse<lut::QuantAttr>(
      "#lut.quant<signed, bits = 4, group = 32, scale = f16>");
  EXPECT_EQ(group.getScaleShape(64, 128), (SmallVector<int64_t>{64, 4}));
  // A partial last group still gets its own scale.
  EXPECT_EQ(group.getScaleShape(64, 100), (SmallVector<int64_t>{64, 4}));
  EXPECT_EQ(group.getGroupSizeFor(128), 32);
  EXPECT_EQ(group.getNumPlanes(), 4u);

  auto channel = parse<lut::QuantAttr>(
      "#lut.quant<unsigned, bits = 2, group = per_channel, offset = min>");
  EXPECT_EQ(channel.getScaleShape(8, 256), (SmallVector<int64_t>{8, 1}));
  EXPECT_EQ(channel.getGroupSizeFor(256), 256);

  auto tensor =
      parse<lut::QuantAttr>("#lut.quant<ternary, group = per_tensor>");
  EXPECT_EQ(tensor.getScaleShape(8, 256), (SmallVector<int64_t>{1, 1}));
  EXPECT_EQ(tensor.getNumPlanes(), 2u);
  EXPECT_TRUE(tensor.getScaleType().isF32());
}

TEST_F(DialectHelpers, LookupValues) {
  // sum_i pw_i (2 bit_i - 1): what a code adds per unit of activation to the
  // lookup sums, and so what the int8-dot path multiplies by.
  auto packed = [&](StringRef quant, StringRef layout) {
    return cast<lut::PackedType>(
        parseType(("!lut.packed<128x96, " + quant + ", " + layout + ">").str(),
                  &context));
  };
  StringRef bitplane = "#lut.layout<bitplane>";
  auto w4 = packed("#lut.quant<signed, bits = 4, group = 32>", bitplane);
  EXPECT_EQ(w4.getLookupValue(0), -15);
  EXPECT_EQ(w4.getLookupValue(8), 1);
  EXPECT_EQ(w4.getLookupValue(15), 15);
  auto ternary = packed("#lut.quant<ternary, group = 32>", bitplane);
  EXPECT_EQ(ternary.getLookupValue(0), -2);
  EXPECT_EQ(ternary.getLookupValue(1), 0);
  EXPECT_EQ(ternary.getLookupValue(2), 2);
  EXPECT_EQ(ternary.getLookupValue(3), 2); // clamped to +1
  auto binary = packed("#lut.quant<binary, group = 32>", bitplane);
  EXPECT_EQ(binary.getLookupValue(0), -1);
  EXPECT_EQ(binary.getLookupValue(1), 1);
  // The dot kernel's index width: as few bits as the values need, as the
  // segment's steps (32, 16, 8 K) allow.
  EXPECT_EQ(binary.getDotIndexBits(32), 1);
  EXPECT_EQ(binary.getDotIndexBits(16), 2);
  EXPECT_EQ(ternary.getDotIndexBits(32), 2);
  EXPECT_EQ(ternary.getDotIndexBits(8), 4);
  EXPECT_EQ(w4.getDotIndexBits(32), 4);
  EXPECT_EQ(w4.getDotIndexBits(12), 0);
  auto trit3 = packed("#lut.quant<ternary, group = 96>",
                      "#lut.layout<trit3, tile_m = 128>");
  EXPECT_EQ(trit3.getLookupValue(0), -1);
  EXPECT_EQ(trit3.getLookupValue(2), 1);
}

TEST(StrategyModel, CrossoverFollowsTheRoofline) {
  // 20 GB/s; lookup steps of 2 ns (plane pairs) and 4 ns (single planes);
  // dot steps of 0.5 ns (lut-select-strategy.mlir works these cases out).
  lut::HostThroughput host{20, 2, 4, 0.5};
  EXPECT_EQ(lut::dotCrossover(256, 256, 2, 4, host), 4);
  EXPECT_EQ(lut::dotCrossover(256, 256, 4, 4, host), 2);
  EXPECT_EQ(lut::dotCrossover(256, 256, 3, 4, host), 2);
  // Dot steps emulated without VNNI: ternary's lookups win at every N.
  lut::HostThroughput noVnni{20, 2, 4, 1.5};
  EXPECT_EQ(lut::dotCrossover(256, 256, 2, 4, noVnni), std::nullopt);
  // 2-bit value indices halve the dot stream: ternary's dot path then
  // streams as many bytes as its lookups; both are streaming-bound at N = 1
  // (a tie keeps the lookups) and the dot path wins from N = 2.
  EXPECT_EQ(lut::dotCrossover(256, 256, 2, 2, host), 2);

  // Bytes: 2 bits per weight for ternary's planes, 4 for the dot stream.
  EXPECT_EQ(lut::lookupPathCost(4096, 4096, 2, 1, host).weightBytes,
            4096.0 * 4096 / 4);
  EXPECT_EQ(lut::dotPathCost(4096, 4096, 1, 4, host).weightBytes,
            4096.0 * 4096 / 2);
  EXPECT_EQ(lut::dotPathCost(4096, 4096, 1, 2, host).weightBytes,
            4096.0 * 4096 / 4);
  // Streaming-bound at N = 1, issue-bound at large N.
  lut::PathCost one = lut::dotPathCost(4096, 4096, 1, 4, host);
  lut::PathCost many = lut::dotPathCost(4096, 4096, 128, 4, host);
  EXPECT_DOUBLE_EQ(one.nanoseconds(host), one.weightBytes / 20);
  EXPECT_DOUBLE_EQ(many.nanoseconds(host), many.steps * 0.5);
}

TEST_F(DialectHelpers, LayoutRowBlocks) {
  auto s16 = parse<lut::LayoutAttr>(
      "#lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>");
  auto p64 = parse<lut::LayoutAttr>(
      "#lut.layout<bitplane, g = 4, lanes = 2x2, tile_m = 64>");
  auto h128 = parse<lut::LayoutAttr>(
      "#lut.layout<bitplane, g = 8, lanes = 1x2, tile_m = 32>");
  auto trit3 = parse<lut::LayoutAttr>("#lut.layout<trit3, tile_m = 256>");
  EXPECT_EQ(s16.getRowBlock(), 128);
  EXPECT_EQ(p64.getRowBlock(), 32);
  EXPECT_EQ(h128.getRowBlock(), 32);
  EXPECT_EQ(trit3.getRowBlock(), 128);
  EXPECT_EQ(trit3.getLookupGroup(), 3);
  EXPECT_EQ(lut::LayoutAttr::getCodes(&context).getLookupGroup(), 1);
}

TEST_F(DialectHelpers, PackedLogicalTypes) {
  Type type = parseType("!lut.packed<8x64, #lut.quant<unsigned, bits = 2, "
                        "group = 32, scale = bf16, offset = zero_point>>",
                        &context);
  auto packed = cast<lut::PackedType>(type);
  SmallVector<Type> logical = packed.getLogicalTypes();
  ASSERT_EQ(logical.size(), 3u);
  EXPECT_EQ(logical[0], parseType("tensor<8x64xi8>", &context));
  EXPECT_EQ(logical[1], parseType("tensor<8x2xbf16>", &context));
  EXPECT_EQ(logical[2], parseType("tensor<8x2xi8>", &context));
}

TEST_F(DialectHelpers, InvalidPackedTypeIsRejected) {
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  Type type = parseType("!lut.packed<128x64, #lut.quant<signed, bits = 2, "
                        "group = 32>, #lut.layout<trit3>>",
                        &context);
  EXPECT_FALSE(type);
  EXPECT_EQ(message, "the 'trit3' layout only holds ternary weights");
}

TEST_F(DialectHelpers, RoutingParams) {
  auto noError = [&] { return emitError(UnknownLoc::get(&context)); };
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(succeeded(moe::verifyRoutingParams(noError, 2, 1.0, 8, 4)));
  EXPECT_TRUE(failed(moe::verifyRoutingParams(noError, 2, 0.0, 1, 1)));
  EXPECT_EQ(message, "routing scale must be finite and positive, got 0");
  EXPECT_TRUE(failed(moe::verifyRoutingParams(noError, 2, 1.0, 4, 0)));

  auto routing = parse<moe::RoutingAttr>(
      "#moe.routing<k = 8, scoring = sigmoid, scale = 2.5, groups = 8, "
      "group_topk = 4, group_score = top2_sum>");
  EXPECT_EQ(routing.getK(), 8);
  EXPECT_EQ(routing.getScoring(), moe::Scoring::Sigmoid);
  EXPECT_EQ(routing.getScale().convertToDouble(), 2.5);
  EXPECT_EQ(routing.getGroupScore(), moe::GroupScore::Top2Sum);
  EXPECT_FALSE(routing.getRenormalize());
  // group_topk defaults to all groups.
  EXPECT_EQ(
      parse<moe::RoutingAttr>("#moe.routing<k = 2, groups = 4>").getGroupTopk(),
      4);
}

TEST_F(DialectHelpers, WorkflowSegments) {
  auto text = parse<wf::SegAttr>("#wf.seg<text \"Q: \">");
  EXPECT_EQ(text.getKind(), wf::SegKind::Text);
  EXPECT_EQ(text.getText(), "Q: ");
  auto operand = parse<wf::SegAttr>("#wf.seg<operand 2>");
  EXPECT_EQ(operand.getIndex(), 2);
  auto param = parse<wf::SegAttr>("#wf.seg<param @prompt>");
  EXPECT_EQ(param.getParam().getValue(), "prompt");
}

} // namespace

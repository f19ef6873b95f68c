//===- ContractionTilingTest.cpp - linalg.tile's view of contractions -----===//

#include "loom/Transforms/ContractionTiling.h"
#include "loom/CostModel/Schemas/LinalgTile.h"
#include "loom/CostModel/TargetInfo.h"
#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/InitAllDialects.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;

namespace {

class ContractionTilingTest : public ::testing::Test {
protected:
  ContractionTilingTest() {
    registerAllDialects(context);
    context.loadAllAvailableDialects();
  }

  /// The one linalg op of `body`, a func.func's body over `args`.
  linalg::LinalgOp parse(StringRef args, StringRef result, StringRef body) {
    std::string text =
        ("func.func @f(" + args + ") -> " + result + " {\n" + body + "\n}")
            .str();
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    linalg::LinalgOp found;
    module->walk([&](linalg::LinalgOp op) { found = op; });
    return found;
  }

  /// A mul-add linalg.generic over `loops` with the operands' letters.
  linalg::LinalgOp einsum(StringRef lhs, StringRef rhs, StringRef out,
                          StringRef loops, StringRef lhsType, StringRef rhsType,
                          StringRef outType) {
    auto map = [&](StringRef letters) {
      std::string text = "affine_map<(";
      for (size_t i = 0; i < loops.size(); ++i)
        text += (i ? ", d" : "d") + std::to_string(i);
      text += ") -> (";
      for (size_t i = 0; i < letters.size(); ++i)
        text += (i ? ", d" : "d") + std::to_string(loops.find(letters[i]));
      return text + ")>";
    };
    std::string iterators;
    for (char letter : loops)
      iterators += std::string(iterators.empty() ? "" : ", ") +
                   (out.contains(letter) ? "\"parallel\"" : "\"reduction\"");
    std::string body =
        ("%r = linalg.generic {indexing_maps = [" + map(lhs) + ", " + map(rhs) +
         ", " + map(out) + "], iterator_types = [" + iterators +
         "]} ins(%a, %b : " + lhsType + ", " + rhsType +
         ") outs(%c : " + outType +
         ") {\n^bb0(%x: f32, %y: f32, %s: f32):\n  %p = arith.mulf %x, %y : "
         "f32\n  %t = arith.addf %s, %p : f32\n  linalg.yield %t : f32\n} -> " +
         outType + "\nreturn %r : " + outType)
            .str();
    return parse(
        ("%a: " + lhsType + ", %b: " + rhsType + ", %c: " + outType).str(),
        outType, body);
  }

  /// A linalg.matmul of tensors of the three types.
  linalg::LinalgOp matmul(const std::string &lhs, const std::string &rhs,
                          const std::string &out) {
    return parse("%a: " + lhs + ", %b: " + rhs + ", %c: " + out, out,
                 "%r = linalg.matmul ins(%a, %b : " + lhs + ", " + rhs +
                     ") outs(%c : " + out + ") -> " + out +
                     "\nreturn %r : " + out);
  }

  /// The feature rows of `contraction`'s tile m x n x k along `dim` on
  /// `target`.
  static SmallVector<cost::FeatureVector>
  featuresOf(cost::TunableOpInterface contraction,
             const cost::TargetInfo &target, int64_t m, int64_t n, int64_t k,
             StringRef dim) {
    cost::KnobSpace space = contraction.getKnobSpace(target);
    for (const cost::Candidate &c : space.enumerate())
      if (space.intValue(c, "tile_m") == m &&
          space.intValue(c, "tile_n") == n &&
          space.intValue(c, "tile_k") == k &&
          std::get<std::string>(space.value(c, "vector_dim")) == dim)
        return contraction.getFeatures(space, c, target);
    ADD_FAILURE() << "no candidate " << m << " x " << n << " x " << k
                  << " along " << dim.str();
    return {cost::FeatureVector()};
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(ContractionTilingTest, MatmulTilesItsThreeLoops) {
  linalg::LinalgOp op = einsum("mk", "kn", "mn", "mnk", "tensor<64x128xf32>",
                               "tensor<128x96xf32>", "tensor<64x96xf32>");
  FailureOr<ContractionTiling> tiling = ContractionTiling::of(op);
  ASSERT_TRUE(succeeded(tiling));
  EXPECT_EQ(tiling->m, 64);
  EXPECT_EQ(tiling->n, 96);
  EXPECT_EQ(tiling->k, 128);
  EXPECT_EQ(tiling->outerIterations, 1);
  EXPECT_TRUE(tiling->lhsContiguousK);
  EXPECT_TRUE(tiling->rhsContiguousN);
  EXPECT_FALSE(tiling->rhsContiguousK);
  EXPECT_TRUE(tiling->outContiguousN);
  EXPECT_EQ(tiling->interchange, (SmallVector<int64_t>{0, 1, 2}));
  EXPECT_EQ(tiling->tileSizes(8, 32, 4), (SmallVector<int64_t>{8, 32, 4}));
  EXPECT_EQ(tiling->multiplyAdds(), 64.0 * 96 * 128);
}

TEST_F(ContractionTilingTest, AttentionScoresRunTheirHeadsOutside) {
  // Loops (n, h, s, e): h is a batch dim, outermost; keys are laid out
  // along k (e), not n (s).
  linalg::LinalgOp op =
      einsum("nhe", "she", "nhs", "nhse", "tensor<4x8x64xf32>",
             "tensor<32x8x64xf32>", "tensor<4x8x32xf32>");
  FailureOr<ContractionTiling> tiling = ContractionTiling::of(op);
  ASSERT_TRUE(succeeded(tiling));
  EXPECT_EQ(tiling->mDim, 0u);
  EXPECT_EQ(tiling->nDim, 2u);
  EXPECT_EQ(tiling->kDim, 3u);
  EXPECT_EQ(tiling->outerIterations, 8);
  EXPECT_FALSE(tiling->rhsContiguousN);
  EXPECT_TRUE(tiling->rhsContiguousK);
  EXPECT_EQ(tiling->interchange, (SmallVector<int64_t>{1, 0, 2, 3}));
  EXPECT_EQ(tiling->tileSizes(2, 16, 4), (SmallVector<int64_t>{2, 1, 16, 4}));
}

TEST_F(ContractionTilingTest, OnlyTheRowsMayBeDynamic) {
  linalg::LinalgOp rows = einsum("mk", "kn", "mn", "mnk", "tensor<?x64xf32>",
                                 "tensor<64x32xf32>", "tensor<?x32xf32>");
  FailureOr<ContractionTiling> tiling = ContractionTiling::of(rows);
  ASSERT_TRUE(succeeded(tiling));
  EXPECT_TRUE(ShapedType::isDynamic(tiling->m));
  EXPECT_EQ(tiling->multiplyAdds(), 64.0 * 32);
  EXPECT_TRUE(failed(
      ContractionTiling::of(einsum("mk", "kn", "mn", "mnk", "tensor<8x?xf32>",
                                   "tensor<?x32xf32>", "tensor<8x32xf32>"))));
}

TEST_F(ContractionTilingTest, DynamicRowsSplitWhereTheTileDividesThem) {
  using Parts = SmallVector<std::pair<int64_t, int64_t>, 4>;
  // (rows, tile_m) of each part: whole tiles, then the rest in tiles of
  // halving powers of two.
  EXPECT_EQ(splitDynamicRows(16, 4), (Parts{{16, 4}}));
  EXPECT_EQ(splitDynamicRows(18, 4), (Parts{{16, 4}, {2, 2}}));
  EXPECT_EQ(splitDynamicRows(3, 4), (Parts{{2, 2}, {1, 1}}));
  EXPECT_EQ(splitDynamicRows(128, 6), (Parts{{126, 6}, {2, 2}}));
  EXPECT_EQ(splitDynamicRows(64, 6), (Parts{{60, 6}, {4, 4}}));
  EXPECT_EQ(splitDynamicRows(15, 8), (Parts{{8, 8}, {4, 4}, {2, 2}, {1, 1}}));
  EXPECT_EQ(splitDynamicRows(5, 1), (Parts{{5, 1}}));
  EXPECT_EQ(dynamicRowTiles(6), (SmallVector<int64_t, 4>{6, 4, 2, 1}));
  EXPECT_EQ(dynamicRowTiles(8), (SmallVector<int64_t, 4>{8, 4, 2, 1}));
  EXPECT_EQ(dynamicRowTiles(1), (SmallVector<int64_t, 4>{1}));
}

TEST_F(ContractionTilingTest, DynamicRowsAreJudgedAtTheTilesThatRunThem) {
  auto op = cast<cost::TunableOpInterface>(
      einsum("mk", "kn", "mn", "mnk", "tensor<?x64xf32>", "tensor<64x32xf32>",
             "tensor<?x32xf32>")
          .getOperation());
  cost::TargetInfo target = *cost::TargetInfo::forIsa("avx512");
  namespace lt = cost::linalg_tile;
  auto rowsOf = [&](int64_t m) {
    return featuresOf(op, target, m, 16, 1, "n");
  };
  // Tiles of several rows are legal; each is judged at 1, 16 and 128 rows.
  SmallVector<cost::FeatureVector> one = rowsOf(1), six = rowsOf(6);
  ASSERT_EQ(six.size(), 3u);
  // One row runs one row at a time whatever the tile: the same features.
  EXPECT_EQ(six[0], one[0]);
  // 16 rows: 12 in tiles of 6, the other 4 in one tile of 4.
  EXPECT_EQ(six[1][lt::TileM], 6);
  EXPECT_EQ(six[1][lt::RemainderParts], 1);
  EXPECT_DOUBLE_EQ(six[1][lt::RemainderShare], 4.0 / 16);
  EXPECT_EQ(rowsOf(8)[2][lt::RemainderParts], 0);
  // Where one row has its own copy (loom-version-decode-rows), the
  // contraction is judged at 16 and 128 rows only.
  op->setAttr(kMinRowsAttrName,
              IntegerAttr::get(IntegerType::get(&context, 64), 2));
  SmallVector<cost::FeatureVector> fromTwo = rowsOf(6);
  ASSERT_EQ(fromTwo.size(), 2u);
  EXPECT_EQ(fromTwo[0], six[1]);
  EXPECT_EQ(fromTwo[1], six[2]);
  // Six rows per tile load each rhs vector once for six FMAs.
  EXPECT_LT(six[2][lt::RooflineLog2Seconds], one[2][lt::RooflineLog2Seconds]);
}

TEST_F(ContractionTilingTest, PacksARhsLaidOutAlongKForTilesAlongN) {
  // Attention's scores: keys [s, h, e] laid out along k (e).
  auto scores = [&](StringRef rows) {
    return einsum(
        "nhe", "she", "nhs", "nhse", ("tensor<" + rows + "x8x64xf32>").str(),
        "tensor<32x8x64xf32>", ("tensor<" + rows + "x8x32xf32>").str());
  };
  cost::TargetInfo avx512 = *cost::TargetInfo::forIsa("avx512");
  ContractionTiling tiling = *ContractionTiling::of(scores("64"));
  EXPECT_EQ(tiling.rhsElements, 32 * 8 * 64);
  // Full vectors along n pack from the first row tile, a narrower vector
  // from the second; a one-column tile and tiles along k never.
  EXPECT_EQ(rhsPackingRows(tiling, {8, 16, 4, /*alongK=*/false}, avx512), 1);
  EXPECT_EQ(rhsPackingRows(tiling, {8, 8, 4, false}, avx512), 9);
  EXPECT_EQ(rhsPackingRows(tiling, {8, 1, 4, false}, avx512), std::nullopt);
  EXPECT_EQ(rhsPackingRows(tiling, {8, 16, 4, /*alongK=*/true}, avx512),
            std::nullopt);
  // 16 lanes are half a vector of f16 arithmetic (AVX512-FP16), a full one
  // where f16 sums in f32.
  ContractionTiling half = *ContractionTiling::of(parse(
      "%a: tensor<64x128xf16>, %b: tensor<96x128xf16>, %c: tensor<64x96xf16>",
      "tensor<64x96xf16>",
      "%r = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
      "affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] "
      "ins(%a, %b : tensor<64x128xf16>, tensor<96x128xf16>) "
      "outs(%c : tensor<64x96xf16>) -> tensor<64x96xf16>\n"
      "return %r : tensor<64x96xf16>"));
  EXPECT_EQ(
      rhsPackingRows(half, {8, 16, 4, false},
                     *cost::TargetInfo::forIsa("avx512-vbmi", "emeraldrapids")),
      9);
  EXPECT_EQ(rhsPackingRows(half, {8, 16, 4, false},
                           *cost::TargetInfo::forIsa("avx512-vbmi", "znver4")),
            1);
  EXPECT_TRUE(packsRhs(tiling, {8, 16, 4, false}, avx512));
  EXPECT_FALSE(packsRhs(tiling, {64, 8, 4, false}, avx512));
  EXPECT_TRUE(packsRhs(tiling, {16, 8, 4, false}, avx512));
  EXPECT_FALSE(packsRhs(tiling, {8, 16, 4, /*alongK=*/true}, avx512));
  // Rows known at run time: from rhsPackingRows of them, in a version of
  // their own where that is more than one (loom-tile-linalg-pack.mlir), not
  // at compile time.
  ContractionTiling dynamic = *ContractionTiling::of(scores("?"));
  EXPECT_FALSE(packsRhs(dynamic, {8, 8, 4, false}, avx512));
  EXPECT_EQ(rhsPackingRows(dynamic, {8, 8, 4, false}, avx512), 9);
  // A rhs laid out along n: never.
  EXPECT_FALSE(packsRhs(*ContractionTiling::of(einsum(
                            "mk", "kn", "mn", "mnk", "tensor<64x128xf32>",
                            "tensor<128x96xf32>", "tensor<64x96xf32>")),
                        {4, 16, 1, false}, avx512));

  // The cost model judges a packed tile as reading a rhs laid out along n,
  // plus the copy.
  auto op = cast<cost::TunableOpInterface>(scores("64").getOperation());
  cost::TargetInfo target = *cost::TargetInfo::forIsa("avx512");
  namespace lt = cost::linalg_tile;
  cost::FeatureVector packed = featuresOf(op, target, 8, 16, 4, "n").front(),
                      alongK = featuresOf(op, target, 2, 8, 16, "k").front();
  EXPECT_EQ(packed[lt::RhsContiguousN], 1);
  EXPECT_EQ(packed[lt::ShufflesPerFma], 0);
  EXPECT_EQ(alongK[lt::RhsContiguousN], 0);

  // Dynamic rows are judged packed at the row counts that pack: of 1, 16
  // and 128 rows, from 5 rows for 4-row tiles of half vectors.
  SmallVector<cost::FeatureVector> rows =
      featuresOf(cast<cost::TunableOpInterface>(scores("?").getOperation()),
                 target, 4, 8, 4, "n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][lt::RhsContiguousN], 0);
  EXPECT_EQ(rows[1][lt::RhsContiguousN], 1);
  EXPECT_EQ(rows[2][lt::RhsContiguousN], 1);
}

TEST_F(ContractionTilingTest, TakesHalfPrecisionOperands) {
  for (std::string type : {"f16", "bf16"}) {
    std::string lhs = "tensor<8x16x" + type + ">",
                rhs = "tensor<16x32x" + type + ">";
    // The sums in the operands' type, or in f32.
    for (std::string out :
         {"tensor<8x32x" + type + ">", std::string("tensor<8x32xf32>")}) {
      FailureOr<ContractionTiling> tiling =
          ContractionTiling::of(matmul(lhs, rhs, out));
      ASSERT_TRUE(succeeded(tiling)) << lhs << " x " << rhs << " -> " << out;
      // The arithmetic in the result's type; the rhs streams in its own.
      EXPECT_EQ(tiling->elementBytes,
                out.find("f32") != std::string::npos ? 4u : 2u);
      EXPECT_EQ(tiling->rhsElementBytes, 2u);
    }
  }
}

TEST_F(ContractionTilingTest, HalfPrecisionIsJudgedInTheLanesItRunsIn) {
  namespace lt = cost::linalg_tile;
  auto matmulOf = [&](const std::string &type) {
    return cast<cost::TunableOpInterface>(matmul("tensor<64x128x" + type + ">",
                                                 "tensor<128x96x" + type + ">",
                                                 "tensor<64x96x" + type + ">")
                                              .getOperation());
  };
  // Sapphire and Emerald Rapids do f16 arithmetic in their vectors (32
  // lanes); Zen 4 widens it to f32 (16 lanes), as every x86 CPU does bf16.
  cost::TargetInfo halfVectors =
      *cost::TargetInfo::forIsa("avx512-vbmi", "emeraldrapids");
  cost::TargetInfo widening =
      *cost::TargetInfo::forIsa("avx512-vbmi", "znver4");
  ASSERT_TRUE(halfVectors.halfArithmetic);
  ASSERT_FALSE(widening.halfArithmetic);
  ASSERT_FALSE(cost::TargetInfo::forIsa("avx512-vbmi")->halfArithmetic);

  // A 4 x 32 tile along n: one f16 vector per row where the vectors do
  // f16 arithmetic, two f32-sized ones where it is widened.
  auto tileFeatures = [&](const std::string &type,
                          const cost::TargetInfo &target) {
    return featuresOf(matmulOf(type), target, 4, 32, 1, "n").front();
  };
  struct Expected {
    const char *type;
    const cost::TargetInfo *target;
    double elementBytes, promoted, accumulators;
  };
  for (const Expected &e : {Expected{"f16", &halfVectors, 2, 0, 4},
                            Expected{"f16", &widening, 2, 1, 8},
                            Expected{"bf16", &halfVectors, 2, 1, 8},
                            Expected{"f32", &halfVectors, 4, 0, 8}}) {
    cost::FeatureVector row = tileFeatures(e.type, *e.target);
    EXPECT_EQ(row[lt::ElementBytes], e.elementBytes) << e.type;
    EXPECT_EQ(row[lt::PromotedArithmetic], e.promoted) << e.type;
    EXPECT_EQ(row[lt::AccumulatorRegisters], e.accumulators) << e.type;
    EXPECT_EQ(row[lt::LaneFill], 1) << e.type;
  }
  cost::FeatureVector f16 = tileFeatures("f16", halfVectors);
  // Summed in f32, the same tile takes longer than in f16 vectors, and
  // less than twice f32's time: its operands' conversions issue beside the
  // FMAs, like loads (each multiply-add widened and rounded by LLVM took
  // four times f32's). In f16 the rhs is half the bytes.
  double widened = tileFeatures("f16", widening)[lt::RooflineLog2Seconds];
  EXPECT_GT(widened, f16[lt::RooflineLog2Seconds]);
  EXPECT_LT(widened,
            tileFeatures("f32", widening)[lt::RooflineLog2Seconds] + 1);
  EXPECT_LT(f16[lt::RhsBytes], tileFeatures("f32", halfVectors)[lt::RhsBytes]);
}

TEST_F(ContractionTilingTest, RefusesWhatIsNotAFloatContraction) {
  EXPECT_TRUE(failed(ContractionTiling::of(parse(
      "%a: tensor<8x16xf64>, %b: tensor<16x4xf64>, %c: tensor<8x4xf64>",
      "tensor<8x4xf64>",
      "%r = linalg.matmul ins(%a, %b : tensor<8x16xf64>, tensor<16x4xf64>) "
      "outs(%c : tensor<8x4xf64>) -> tensor<8x4xf64>\n"
      "return %r : tensor<8x4xf64>"))));
  // A matrix-vector product has no n dim to vectorize along.
  EXPECT_TRUE(failed(
      ContractionTiling::of(einsum("mk", "k", "m", "mk", "tensor<8x16xf32>",
                                   "tensor<16xf32>", "tensor<8xf32>"))));
}

TEST_F(ContractionTilingTest, KnobSpaceFollowsTheTargetsRegisters) {
  auto op = cast<cost::TunableOpInterface>(
      einsum("mk", "kn", "mn", "mnk", "tensor<48x128xf32>",
             "tensor<128x64xf32>", "tensor<48x64xf32>")
          .getOperation());
  ASSERT_TRUE(op.hasDecision());
  EXPECT_EQ(op.getDecisionKind(), "linalg.tile");
  cost::TargetInfo avx512 = *cost::TargetInfo::forIsa("avx512");
  cost::TargetInfo avx2 = *cost::TargetInfo::forIsa("avx2");
  cost::KnobSpace wide = op.getKnobSpace(avx512);
  cost::KnobSpace narrow = op.getKnobSpace(avx2);
  // 8 rows of four zmm accumulators (8 x 64 along n) do not fit; 6 x 64
  // does (24 + 4 + 1 registers). On AVX2's 16 registers of 8 lanes, a 64-
  // wide row is 8 vectors: even 1 x 64 takes 8 + 8 + 1.
  auto candidate = [](const cost::KnobSpace &space, int64_t m, int64_t n,
                      int64_t k, StringRef dim) {
    cost::Candidate c;
    for (const cost::Knob &knob : space.getKnobs()) {
      cost::KnobValue value = knob.name == "tile_m"   ? cost::KnobValue(m)
                              : knob.name == "tile_n" ? cost::KnobValue(n)
                              : knob.name == "tile_k"
                                  ? cost::KnobValue(k)
                                  : cost::KnobValue(dim.str());
      c.push_back(llvm::find(knob.options, value) - knob.options.begin());
    }
    return c;
  };
  EXPECT_FALSE(wide.isLegal(candidate(wide, 8, 64, 1, "n")));
  EXPECT_TRUE(wide.isLegal(candidate(wide, 6, 64, 1, "n")));
  EXPECT_FALSE(narrow.isLegal(candidate(narrow, 1, 64, 1, "n")));
  EXPECT_TRUE(narrow.isLegal(candidate(narrow, 1, 32, 1, "n")));
  // Along k the tile must be wider than one element.
  EXPECT_FALSE(wide.isLegal(candidate(wide, 1, 8, 1, "k")));
  EXPECT_TRUE(wide.isLegal(candidate(wide, 1, 8, 16, "k")));
  EXPECT_LT(narrow.enumerate().size(), wide.enumerate().size());
}

TEST_F(ContractionTilingTest, FeaturesCarryTheRooflineAndTheTransposes) {
  auto op = cast<cost::TunableOpInterface>(
      einsum("nhe", "she", "nhs", "nhse", "tensor<1x8x64xf32>",
             "tensor<512x8x64xf32>", "tensor<1x8x512xf32>")
          .getOperation());
  cost::TargetInfo target = *cost::TargetInfo::forIsa("avx512");
  namespace lt = cost::linalg_tile;
  cost::FeatureVector alongN = featuresOf(op, target, 1, 8, 4, "n").front(),
                      alongK = featuresOf(op, target, 1, 8, 4, "k").front();
  ASSERT_EQ(alongN.size(), lt::schema().size());
  // Along n, keys laid out along k are transposed: a shuffle per element
  // (half vectors of one row tile read them as they lie).
  EXPECT_GT(alongN[lt::ShufflesPerFma], 0);
  EXPECT_EQ(alongK[lt::ShufflesPerFma], 0);
  EXPECT_EQ(alongK[lt::VectorAlongK], 1);
  // The roofline prefers the partial sums here, as the measurements do.
  EXPECT_LT(alongK[lt::RooflineLog2Seconds], alongN[lt::RooflineLog2Seconds]);
  EXPECT_TRUE(std::isfinite(alongN[lt::RooflineLog2Seconds]));
}

} // namespace

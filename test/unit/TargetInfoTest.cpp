//===- TargetInfoTest.cpp - Built-in and calibrated throughputs -----------===//

#include "loom/CostModel/TargetInfo.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/CostModel/ShippedModels.h"

#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

using namespace mlir::loom::cost;

namespace {

constexpr const char *kCalibration = R"({
  "format": 1, "target_class": "x86_64-avx512", "isa": "avx512-vbmi",
  "ops_per_second": {"f32_fma": 1.5e11, "int8_dot": 1.4e11,
                     "int8_dot_emulated": 7e10},
  "bytes_per_second": {"l2": 2.7e11, "dram": 3.8e10}})";

std::string applyError(llvm::StringRef isa, const std::string &json) {
  TargetInfo target = *TargetInfo::builtinForIsa(isa);
  llvm::Error error = applyCalibration(target, json, "t.json");
  return error ? llvm::toString(std::move(error)) : "applied";
}

TEST(Calibration, ReplacesTheFiguresItHas) {
  TargetInfo builtin = *TargetInfo::builtinForIsa("avx512-vbmi");
  TargetInfo target = builtin;
  ASSERT_FALSE(bool(applyCalibration(target, kCalibration, "t.json")));
  EXPECT_EQ(target.throughput.opsPerSecond[kF32Fma], 1.5e11);
  EXPECT_EQ(target.throughput.opsPerSecond[kInt8Dot], 1.4e11);
  EXPECT_EQ(target.throughput.bytesPerSecond[kL2], 2.7e11);
  EXPECT_EQ(target.throughput.bytesPerSecond[kDram], 3.8e10);
  // What it does not measure stays built in.
  EXPECT_EQ(target.throughput.opsPerSecond[kByteLookup],
            builtin.throughput.opsPerSecond[kByteLookup]);
  EXPECT_EQ(target.throughput.bytesPerSecond[kL1],
            builtin.throughput.bytesPerSecond[kL1]);
  EXPECT_EQ(builtin.calibration, "built-in");
  EXPECT_TRUE(llvm::StringRef(target.calibration).starts_with("target.json@"));
}

TEST(Calibration, GivesAnIsaWithoutVnniTheEmulatedDot) {
  TargetInfo target = *TargetInfo::builtinForIsa("avx512");
  ASSERT_FALSE(bool(applyCalibration(target, kCalibration, "t.json")));
  EXPECT_EQ(target.throughput.opsPerSecond[kInt8Dot], 7e10);
}

TEST(Calibration, RefusesWhatItCannotUse) {
  EXPECT_NE(applyError("avx512", "{").find("t.json: malformed JSON"),
            std::string::npos);
  EXPECT_EQ(applyError("avx512", R"({"format": 2})"),
            "t.json: expected format 1");
  EXPECT_EQ(applyError("avx2", kCalibration),
            "t.json: calibrates another class than x86_64-avx2");
  EXPECT_EQ(applyError("avx512", R"({"format": 1,
      "target_class": "x86_64-avx512", "bytes_per_second": {}})"),
            "t.json: expected an object 'ops_per_second'");
  EXPECT_EQ(applyError("avx512", R"({"format": 1,
      "target_class": "x86_64-avx512", "ops_per_second": {"f64_fma": 1},
      "bytes_per_second": {}})"),
            "t.json: unknown figure ops_per_second.f64_fma");
  EXPECT_EQ(applyError("avx512", R"({"format": 1,
      "target_class": "x86_64-avx512", "ops_per_second": {},
      "bytes_per_second": {"dram": -1}})"),
            "t.json: bytes_per_second.dram is not a positive number");
}

// Every committed target.json applies to its class, and forIsa uses it.
TEST(Calibration, ShippedOnesApply) {
  for (const ShippedCalibration &shipped : shippedCalibrations()) {
    SCOPED_TRACE(shipped.targetClass.str());
    std::string isa = shipped.targetClass == "x86_64-avx512" ? "avx512-vbmi"
                      : shipped.targetClass == "x86_64-avx2" ? "avx2"
                                                             : "generic";
    TargetInfo target = *TargetInfo::builtinForIsa(isa);
    ASSERT_FALSE(bool(applyCalibration(target, shipped.json, "shipped")));
    EXPECT_EQ(TargetInfo::forIsa(isa)->throughput.opsPerSecond,
              target.throughput.opsPerSecond);
    EXPECT_EQ(TargetInfo::forIsa(isa)->calibration,
              calibrationOf(shipped.targetClass));
  }
}

TEST(TargetInfo, KnowsTheKernelIsasOnly) {
  EXPECT_EQ(TargetInfo::builtinForIsa("avx512-vbmi")->targetClass,
            "x86_64-avx512");
  EXPECT_EQ(TargetInfo::builtinForIsa("avx512-vnni")->targetClass,
            "x86_64-avx512");
  EXPECT_EQ(TargetInfo::builtinForIsa("avx512")->targetClass, "x86_64-avx512");
  EXPECT_EQ(TargetInfo::builtinForIsa("avx2")->targetClass, "x86_64-avx2");
  EXPECT_EQ(TargetInfo::builtinForIsa("generic")->targetClass,
            "x86_64-generic");
  for (const char *isa : {"avx512-foo", "avx512vnni", "sse2", ""})
    EXPECT_FALSE(TargetInfo::builtinForIsa(isa)) << isa;
}

std::string decisionTargetError(llvm::StringRef isa, llvm::StringRef model) {
  llvm::Expected<TargetInfo> target = decisionTarget(isa, model);
  return target ? "ok" : llvm::toString(target.takeError());
}

TEST(DecisionTarget, NamesWhatIsWrong) {
  EXPECT_EQ(decisionTargetError("sse2", "auto"),
            "unknown isa 'sse2' (have avx512-vbmi, avx512-vnni, avx512, avx2, "
            "generic)");
  EXPECT_EQ(decisionTargetError("avx2", "oracle"),
            "cost-model must be auto, roofline or a directory of models, got "
            "'oracle'");
}

// auto and roofline price with the shipped calibration; a model directory
// without a target.json with the figures its models were featurized with.
TEST(DecisionTarget, TakesTheCalibrationOfTheModels) {
  for (const char *model : {"auto", "roofline"})
    EXPECT_EQ(decisionTarget("avx512-vbmi", model)->calibration,
              TargetInfo::forIsa("avx512-vbmi")->calibration);
  llvm::SmallString<64> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("models", dir));
  EXPECT_EQ(decisionTarget("avx512-vbmi", dir)->calibration,
            TargetInfo::builtinForIsa("avx512-vbmi")->calibration);
  llvm::sys::fs::remove(dir);
}

} // namespace

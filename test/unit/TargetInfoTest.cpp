//===- TargetInfoTest.cpp - Built-in and calibrated throughputs -----------===//

#include "loom/CostModel/TargetInfo.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/CostModel/ShippedModels.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

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

/// An ISA of the ISA class `targetClass` starts with, and the CPU of a
/// CPU class (empty for an ISA class).
std::pair<std::string, std::string> isaAndCpuOf(llvm::StringRef targetClass) {
  for (const char *isa : {"avx512-vbmi", "avx2", "generic"}) {
    llvm::StringRef cpu = targetClass;
    if (cpu.consume_front(TargetInfo::builtinForIsa(isa)->targetClass) &&
        (cpu.empty() || cpu.consume_front("-")))
      return {isa, cpu.str()};
  }
  return {};
}

// Every committed target.json applies to its class, and forIsa uses it: a
// CPU's own class for that CPU, the ISA's for any other.
TEST(Calibration, ShippedOnesApply) {
  for (const ShippedCalibration &shipped : shippedCalibrations()) {
    SCOPED_TRACE(shipped.targetClass.str());
    auto [isa, cpu] = isaAndCpuOf(shipped.targetClass);
    ASSERT_FALSE(isa.empty());
    TargetInfo target = *TargetInfo::builtinForIsa(isa);
    target.targetClass = shipped.targetClass.str();
    ASSERT_FALSE(bool(applyCalibration(target, shipped.json, "shipped")));
    std::optional<TargetInfo> chosen = TargetInfo::forIsa(isa, cpu);
    EXPECT_EQ(chosen->targetClass, shipped.targetClass);
    EXPECT_EQ(chosen->cpu, cpu);
    EXPECT_EQ(chosen->throughput.opsPerSecond, target.throughput.opsPerSecond);
    EXPECT_EQ(chosen->calibration, calibrationOf(shipped.targetClass));
  }
}

TEST(TargetInfo, TakesTheCpuClassWhereOneIsCalibrated) {
  EXPECT_EQ(TargetInfo::forIsa("avx512-vbmi")->targetClass, "x86_64-avx512");
  std::optional<TargetInfo> unknown =
      TargetInfo::forIsa("avx512-vbmi", "no-such-cpu");
  EXPECT_EQ(unknown->targetClass, "x86_64-avx512");
  EXPECT_EQ(unknown->cpu, "no-such-cpu");
  EXPECT_EQ(unknown->calibration, TargetInfo::forIsa("avx512")->calibration);
  EXPECT_EQ(cpuClass("x86_64-avx512", ""), "x86_64-avx512");
  EXPECT_EQ(cpuClass("x86_64-avx512", "emeraldrapids"),
            "x86_64-avx512-emeraldrapids");
}

// The shipped Emerald Rapids class has a model of every decision, so a
// compile for that CPU takes none of the ISA class's (the per-decision
// fallback is tested on a model directory below).
TEST(DecisionTarget, TakesTheShippedCpuClassForEveryDecision) {
  for (const char *decision :
       {"linalg.tile", "lut.gemm", "moe.dispatch", "wf.latency"})
    for (const char *model : {"auto", "roofline"})
      EXPECT_EQ(decisionTarget("avx512-vbmi", "emeraldrapids", model, decision)
                    ->targetClass,
                "x86_64-avx512-emeraldrapids")
          << decision << " " << model;
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
  llvm::Expected<TargetInfo> target =
      decisionTarget(isa, "", model, "lut.gemm");
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
    EXPECT_EQ(decisionTarget("avx512-vbmi", "", model, "lut.gemm")->calibration,
              TargetInfo::forIsa("avx512-vbmi")->calibration);
  llvm::SmallString<64> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("models", dir));
  EXPECT_EQ(decisionTarget("avx512-vbmi", "", dir, "lut.gemm")->calibration,
            TargetInfo::builtinForIsa("avx512-vbmi")->calibration);
  llvm::sys::fs::remove(dir);
}

std::string classIn(llvm::StringRef isa, llvm::StringRef cpu,
                    llvm::StringRef dir, llvm::StringRef decision) {
  return decisionTarget(isa, cpu, dir, decision)->targetClass;
}

// A model directory's class is the CPU's where it has one, else the ISA's;
// a decision the CPU's class has no model of and the ISA's has takes the
// ISA's.
TEST(DecisionTarget, TakesTheCpuClassOfAModelDirectory) {
  llvm::SmallString<64> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("models", dir));
  EXPECT_EQ(classIn("avx512-vbmi", "testcpu", dir, "lut.gemm"),
            "x86_64-avx512");
  std::string cpuDir = (dir + "/x86_64-avx512-testcpu").str();
  std::string isaDir = (dir + "/x86_64-avx512").str();
  ASSERT_FALSE(llvm::sys::fs::create_directory(cpuDir));
  EXPECT_EQ(classIn("avx512-vbmi", "testcpu", dir, "lut.gemm"),
            "x86_64-avx512-testcpu");
  EXPECT_EQ(classIn("avx512-vbmi", "othercpu", dir, "lut.gemm"),
            "x86_64-avx512");
  EXPECT_EQ(classIn("avx2", "testcpu", dir, "lut.gemm"), "x86_64-avx2");
  ASSERT_FALSE(llvm::sys::fs::create_directory(isaDir));
  std::string isaModel = isaDir + "/linalg.tile.json";
  std::error_code error;
  llvm::raw_fd_ostream(isaModel, error) << "{}";
  ASSERT_FALSE(error);
  EXPECT_EQ(classIn("avx512-vbmi", "testcpu", dir, "linalg.tile"),
            "x86_64-avx512");
  EXPECT_EQ(classIn("avx512-vbmi", "testcpu", dir, "lut.gemm"),
            "x86_64-avx512-testcpu");
  EXPECT_EQ(classIn("avx512-vbmi", "testcpu", "roofline", "linalg.tile"),
            "x86_64-avx512");
  llvm::sys::fs::remove(isaModel);
  llvm::sys::fs::remove(isaDir);
  llvm::sys::fs::remove(cpuDir);
  llvm::sys::fs::remove(dir);
}

} // namespace

//===- TargetInfo.cpp - What the cost model knows of the target -----------===//

#include "loom/CostModel/TargetInfo.h"

#include "loom/CostModel/ShippedModels.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include "llvm/TargetParser/X86TargetParser.h"

#include <cmath>

using namespace mlir::loom::cost;

static bool hasVnni(llvm::StringRef isa) {
  return isa == "avx512-vnni" || isa == "avx512-vbmi";
}

std::optional<TargetInfo> TargetInfo::builtinForIsa(llvm::StringRef isa) {
  bool avx512 =
      llvm::is_contained({"avx512", "avx512-vnni", "avx512-vbmi"}, isa);
  if (!avx512 && isa != "avx2" && isa != "generic")
    return std::nullopt;
  TargetInfo target;
  target.isa = isa.str();
  target.targetClass = avx512          ? "x86_64-avx512"
                       : isa == "avx2" ? "x86_64-avx2"
                                       : "x86_64-generic";
  // Two vector FMA ports at ~3 GHz; one byte shuffle per cycle over a
  // vector; int8 dot products at one vector per cycle (emulated without
  // VNNI at a third of that). DRAM: one core's streaming read, ~43 GB/s on
  // the development VM (bench/run lut's read probe), rounded down.
  target.vectorBytes = avx512 ? 64 : isa == "avx2" ? 32 : 16;
  target.vectorRegisters = avx512 ? 32 : 16;
  double lanes = target.vectorBytes;
  target.throughput.opsPerSecond.resize(kNumCompute);
  target.throughput.opsPerSecond[kF32Fma] = 2 * (lanes / 4) * 3e9;
  target.throughput.opsPerSecond[kByteLookup] = lanes * 3e9;
  target.throughput.opsPerSecond[kInt8Dot] =
      lanes * 3e9 / (hasVnni(isa) ? 1 : 3);
  target.throughput.bytesPerSecond.resize(kNumLevels);
  target.throughput.bytesPerSecond[kL1] = 2 * lanes * 3e9;
  target.throughput.bytesPerSecond[kL2] = lanes * 3e9 / 2;
  target.throughput.bytesPerSecond[kDram] = 40e9;
  return target;
}

/// The calibration shipped for `targetClass`, if any.
static const ShippedCalibration *
shippedCalibration(llvm::StringRef targetClass) {
  for (const ShippedCalibration &shipped : shippedCalibrations())
    if (shipped.targetClass == targetClass)
      return &shipped;
  return nullptr;
}

std::optional<CalibrationText>
mlir::loom::cost::directoryCalibration(llvm::StringRef dir,
                                       llvm::StringRef targetClass) {
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, targetClass, "target.json");
  auto file = llvm::MemoryBuffer::getFile(path);
  if (!file)
    return std::nullopt;
  return CalibrationText{(*file)->getBuffer().str(), path.str().str()};
}

std::optional<CalibrationText>
mlir::loom::cost::findCalibration(llvm::StringRef targetClass,
                                  llvm::StringRef calibrationDir) {
  if (!calibrationDir.empty())
    if (std::optional<CalibrationText> own =
            directoryCalibration(calibrationDir, targetClass))
      return own;
  if (const ShippedCalibration *shipped = shippedCalibration(targetClass))
    return CalibrationText{shipped->json.str(),
                           "models/" + targetClass.str() + "/target.json"};
  return std::nullopt;
}

llvm::Expected<std::string>
mlir::loom::cost::calibratedIsa(const CalibrationText &calibration) {
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse(calibration.json);
  if (!parsed)
    return llvm::createStringError(calibration.source + ": malformed JSON: " +
                                   llvm::toString(parsed.takeError()));
  std::optional<llvm::StringRef> isa;
  if (const llvm::json::Object *object = parsed->getAsObject())
    isa = object->getString("isa");
  if (!isa)
    return llvm::createStringError(calibration.source + " names no isa");
  return isa->str();
}

/// "target.json@<hash of the file>": the same figures wherever the file
/// lies.
static std::string calibrationId(llvm::StringRef json) {
  std::string id;
  llvm::raw_string_ostream(id)
      << "target.json@"
      << llvm::format_hex_no_prefix(llvm::xxh3_64bits(json) >> 32, 8);
  return id;
}

std::string mlir::loom::cost::calibrationOf(llvm::StringRef targetClass) {
  const ShippedCalibration *shipped = shippedCalibration(targetClass);
  return shipped ? calibrationId(shipped->json) : "built-in";
}

std::string mlir::loom::cost::cpuClass(llvm::StringRef isaClass,
                                       llvm::StringRef cpu) {
  return cpu.empty() ? isaClass.str() : (isaClass + "-" + cpu).str();
}

std::optional<TargetInfo> TargetInfo::forIsa(llvm::StringRef isa,
                                             llvm::StringRef cpu) {
  std::optional<TargetInfo> target = builtinForIsa(isa);
  if (!target)
    return std::nullopt;
  target->cpu = cpu.str();
  // getFeaturesForCPU requires a CPU LLVM knows.
  if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) != llvm::X86::CK_None) {
    llvm::SmallVector<llvm::StringRef> cpuFeatures;
    llvm::X86::getFeaturesForCPU(cpu, cpuFeatures);
    target->halfArithmetic = llvm::is_contained(cpuFeatures, "avx512fp16");
  }
  // A CPU class exists where it is calibrated: its models' features need
  // its figures.
  std::string ownClass = cpuClass(target->targetClass, cpu);
  if (shippedCalibration(ownClass))
    target->targetClass = ownClass;
  if (std::optional<CalibrationText> shipped =
          findCalibration(target->targetClass))
    // Committed and checked by LoomCostModelTest: a build defect otherwise.
    if (llvm::Error error =
            applyCalibration(*target, shipped->json, shipped->source))
      llvm::report_fatal_error(std::move(error));
  return target;
}

llvm::StringRef mlir::loom::cost::computeClassName(ComputeClass kind) {
  static const char *const names[] = {"f32_fma", "byte_lookup", "int8_dot"};
  static_assert(std::size(names) == kNumCompute);
  return names[kind];
}

llvm::StringRef mlir::loom::cost::memoryLevelName(MemoryLevel level) {
  static const char *const names[] = {"l1", "l2", "dram"};
  static_assert(std::size(names) == kNumLevels);
  return names[level];
}

/// The figures of `section` by name: each must be one of `known` and a
/// positive number.
static llvm::Expected<llvm::StringMap<double>>
readSection(const llvm::json::Object &calibration, llvm::StringRef section,
            llvm::ArrayRef<llvm::StringRef> known, llvm::StringRef source) {
  const llvm::json::Object *entries = calibration.getObject(section);
  if (!entries)
    return llvm::createStringError(source + ": expected an object '" + section +
                                   "'");
  llvm::StringMap<double> figures;
  for (const auto &[key, value] : *entries) {
    if (!llvm::is_contained(known, key.str()))
      return llvm::createStringError(source + ": unknown figure " + section +
                                     "." + key.str());
    std::optional<double> figure = value.getAsNumber();
    if (!figure || !std::isfinite(*figure) || *figure <= 0)
      return llvm::createStringError(source + ": " + section + "." + key.str() +
                                     " is not a positive number");
    figures[key.str()] = *figure;
  }
  return figures;
}

llvm::Error mlir::loom::cost::applyCalibration(TargetInfo &target,
                                               llvm::StringRef json,
                                               llvm::StringRef source) {
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(json);
  if (!parsed)
    return llvm::createStringError(
        source + ": malformed JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *calibration = parsed->getAsObject();
  if (!calibration || calibration->getInteger("format") != 1)
    return llvm::createStringError(source + ": expected format 1");
  if (calibration->getString("target_class") != target.targetClass)
    return llvm::createStringError(source + ": calibrates another class than " +
                                   target.targetClass);

  auto ops =
      readSection(*calibration, "ops_per_second",
                  {computeClassName(kF32Fma), computeClassName(kByteLookup),
                   computeClassName(kInt8Dot), kEmulatedInt8DotName},
                  source);
  if (!ops)
    return ops.takeError();
  auto bytes = readSection(
      *calibration, "bytes_per_second",
      {memoryLevelName(kL1), memoryLevelName(kL2), memoryLevelName(kDram)},
      source);
  if (!bytes)
    return bytes.takeError();

  MachineThroughput &throughput = target.throughput;
  for (unsigned kind = 0; kind < kNumCompute; ++kind) {
    // An ISA of the class without VNNI runs the three-instruction sequence.
    llvm::StringRef name = kind == kInt8Dot && !hasVnni(target.isa)
                               ? llvm::StringRef(kEmulatedInt8DotName)
                               : computeClassName(ComputeClass(kind));
    if (ops->contains(name))
      throughput.opsPerSecond[kind] = ops->lookup(name);
  }
  for (unsigned level = 0; level < kNumLevels; ++level)
    if (bytes->contains(memoryLevelName(MemoryLevel(level))))
      throughput.bytesPerSecond[level] =
          bytes->lookup(memoryLevelName(MemoryLevel(level)));
  target.calibration = calibrationId(json);
  return llvm::Error::success();
}

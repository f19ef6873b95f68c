//===- TargetInfo.h - What the cost model knows of the target ---*- C++ -*-===//
//
// Built once per compile from the kernels' ISA and CPU (loom-compile passes
// its target machine's). Models are trained and shipped per target class;
// the roofline reads the throughputs.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_TARGETINFO_H
#define LOOM_COSTMODEL_TARGETINFO_H

#include "loom/CostModel/Roofline.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir::loom::cost {

/// Compute classes of MachineThroughput::opsPerSecond.
enum ComputeClass : unsigned { kF32Fma, kByteLookup, kInt8Dot, kNumCompute };
/// Memory levels of MachineThroughput::bytesPerSecond.
enum MemoryLevel : unsigned { kL1, kL2, kDram, kNumLevels };

/// A WorkEstimate with every compute class and memory level at zero.
inline WorkEstimate zeroWork() {
  WorkEstimate work;
  work.ops.assign(kNumCompute, 0);
  work.bytes.assign(kNumLevels, 0);
  return work;
}

struct TargetInfo {
  /// The class models are shipped for: the ISA's ("x86_64-avx512",
  /// "x86_64-avx2", "x86_64-generic"), or the CPU's own
  /// ("x86_64-avx512-emeraldrapids", cpuClass) where Loom has one: cores
  /// of one ISA differ several-fold in lookup and DRAM throughput, and so
  /// in which candidate wins.
  std::string targetClass;
  /// The CPU the kernels are for, by LLVM's name ("znver5",
  /// "emeraldrapids"; -mcpu); empty for any CPU of the ISA.
  std::string cpu;
  /// The vector ISA of the kernels (convert-lut-to-vector's `isa`).
  std::string isa;
  /// Bytes per vector register of the ISA, and how many there are.
  unsigned vectorBytes = 16;
  unsigned vectorRegisters = 16;
  /// Whether the CPU's vectors do f16 arithmetic (AVX512-FP16). Elsewhere
  /// LLVM widens each f16 operation to f32 and rounds its result back, as
  /// it always does for bf16. Known from `cpu` only: false for any CPU of
  /// the ISA.
  bool halfArithmetic = false;
  /// One core's throughputs: the kernels' thread count is a run-time
  /// setting, so candidates are compared per core.
  MachineThroughput throughput;
  /// Where constant weights are expected to come from at run time: DRAM
  /// (a model whose weights outgrow the caches: the decode case) or the
  /// caches (a small model, or one layer called again and again). A
  /// compile cannot see it, so it is an assumption loom-decide states.
  bool weightsFromDram = true;
  /// Where `throughput` comes from: "built-in", or a calibration as
  /// "target.json@<hash of the file>". Models record it: their roofline
  /// features depend on it.
  std::string calibration = "built-in";

  /// The figures for an x86-64 core of `isa` on `cpu`: the CPU's class
  /// where a calibration is shipped for it, else the ISA's; that class's
  /// shipped calibration (costmodel.md §4.5) where there is one,
  /// conservative built-in figures elsewhere. Returns std::nullopt for an
  /// ISA it does not know.
  static std::optional<TargetInfo> forIsa(llvm::StringRef isa,
                                          llvm::StringRef cpu = {});
  /// The built-in figures alone.
  static std::optional<TargetInfo> builtinForIsa(llvm::StringRef isa);
};

/// The class of `cpu` within the ISA class `isaClass`:
/// "x86_64-avx512-emeraldrapids"; `isaClass` itself for no CPU.
std::string cpuClass(llvm::StringRef isaClass, llvm::StringRef cpu);

/// The TargetInfo::calibration of every ISA of `targetClass`.
std::string calibrationOf(llvm::StringRef targetClass);

/// target.json's names of the compute classes and memory levels, and of
/// the int8 dot steps of ISAs without VNNI (the kInt8Dot figure there).
llvm::StringRef computeClassName(ComputeClass kind);
llvm::StringRef memoryLevelName(MemoryLevel level);
constexpr llvm::StringLiteral kEmulatedInt8DotName = "int8_dot_emulated";

/// A calibration (loom-tune calibrate's target.json) and where it lies,
/// for errors.
struct CalibrationText {
  std::string json, source;
};

/// The calibration of `targetClass` in the model directory `dir`
/// (`<dir>/<class>/target.json`), if it has one.
std::optional<CalibrationText>
directoryCalibration(llvm::StringRef dir, llvm::StringRef targetClass);

/// The calibration of `targetClass`: `calibrationDir`'s
/// (directoryCalibration) where a model directory is given and has one,
/// else the build's shipped one; std::nullopt where there is neither.
std::optional<CalibrationText>
findCalibration(llvm::StringRef targetClass,
                llvm::StringRef calibrationDir = {});

/// The kernel ISA `calibration` was measured with (its "isa").
llvm::Expected<std::string> calibratedIsa(const CalibrationText &calibration);

/// Overlays a calibration (loom-tune calibrate's target.json) for `target`'s
/// class: the figures it has replace the built-in ones; its int8 dot figure
/// is `int8_dot` where the ISA has VNNI, `int8_dot_emulated` elsewhere.
/// Errors name `source`.
llvm::Error applyCalibration(TargetInfo &target, llvm::StringRef json,
                             llvm::StringRef source);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_TARGETINFO_H

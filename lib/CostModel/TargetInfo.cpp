//===- TargetInfo.cpp - What the cost model knows of the target -----------===//

#include "loom/CostModel/TargetInfo.h"

using namespace mlir::loom::cost;

std::optional<TargetInfo> TargetInfo::forIsa(llvm::StringRef isa) {
  bool avx512 = isa.starts_with("avx512");
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
  bool vnni = isa == "avx512-vnni" || isa == "avx512-vbmi";
  target.throughput.opsPerSecond.resize(kNumCompute);
  target.throughput.opsPerSecond[kF32Fma] = 2 * (lanes / 4) * 3e9;
  target.throughput.opsPerSecond[kByteLookup] = lanes * 3e9;
  target.throughput.opsPerSecond[kInt8Dot] = lanes * 3e9 / (vnni ? 1 : 3);
  target.throughput.bytesPerSecond.resize(kNumLevels);
  target.throughput.bytesPerSecond[kL1] = 2 * lanes * 3e9;
  target.throughput.bytesPerSecond[kL2] = lanes * 3e9 / 2;
  target.throughput.bytesPerSecond[kDram] = 40e9;
  return target;
}

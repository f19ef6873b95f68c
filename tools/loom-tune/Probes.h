//===- Probes.h - Microkernels that measure the roofline's peaks -*- C++
//-*-===//
//
// loom-tune calibrate times these on one core. Each probe does a known
// amount of the work a WorkEstimate counts — f32 FMA lanes, byte lookups
// (one vpshufb lane), 4-byte int8 dot steps (one vpdpbusd lane), bytes
// read from a buffer that fits one memory level — so that work / time is
// the throughput TargetInfo holds, in the same unit.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_PROBES_H
#define LOOM_TOOLS_LOOMTUNE_PROBES_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir::loom::tune {

struct Probe {
  /// The target.json key (cost::computeClassName, kEmulatedInt8DotName or
  /// cost::memoryLevelName), and whether it is a memory level's.
  std::string name;
  bool memory;
  /// What one call does, in the key's unit (operations or bytes).
  double workPerCall;
  std::function<void()> call;
};

/// Data caches of core 0 from sysfs; conventional sizes where it is silent.
struct CacheSizes {
  uint64_t l1 = 32 << 10, l2 = 1 << 20, l3 = 32 << 20;
  static CacheSizes ofHost();
};

/// Owns the buffers the memory probes read; probes refer to it.
class ProbeSet {
public:
  /// The probes `isa` (the host's kernel ISA) can run; `quick` shrinks the
  /// work per call for tests.
  ProbeSet(llvm::StringRef isa, const CacheSizes &caches, bool quick);
  ~ProbeSet();
  ProbeSet(const ProbeSet &) = delete;
  ProbeSet &operator=(const ProbeSet &) = delete;

  const std::vector<Probe> &probes() const { return list; }
  /// The bytes each memory level's probe reads per pass.
  uint64_t bufferBytes(llvm::StringRef level) const;

private:
  std::vector<Probe> list;
  std::vector<std::pair<std::string, uint64_t>> buffers;
  char *memory = nullptr;
};

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_PROBES_H

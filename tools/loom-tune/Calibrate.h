//===- Calibrate.h - loom-tune calibrate ------------------------*- C++ -*-===//
//
// Measures the roofline's peaks on this host (costmodel.md §4.5) and writes
// models/<target class>/target.json, which the build embeds and
// TargetInfo::forIsa reads in place of its built-in figures.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_CALIBRATE_H
#define LOOM_TOOLS_LOOMTUNE_CALIBRATE_H

#include "Protocol.h"

#include "mlir/Support/LogicalResult.h"

#include <string>

namespace mlir::loom::tune {

struct CalibrateOptions {
  /// The host's kernel ISA and CPU (whose class the figures are for), and
  /// a fingerprint of the machine.
  std::string isa, cpu, machine;
  std::string outputPath;
  /// Where roofline.svg (and .png) go; empty: no plot.
  std::string reportDir;
  ProtocolOptions protocol;
  /// Small probes, for tests.
  bool quick = false;
};

/// Times every probe the host's ISA runs in rounds, with a status line, and
/// writes the throughputs with their spread. Returns failure after
/// reporting an error.
LogicalResult calibrate(const CalibrateOptions &options);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_CALIBRATE_H

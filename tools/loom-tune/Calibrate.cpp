//===- Calibrate.cpp - loom-tune calibrate --------------------------------===//

#include "Calibrate.h"

#include "CollectSupport.h"
#include "EvaluateSupport.h"
#include "Probes.h"
#include "Svg.h"

#include "loom/CostModel/TargetInfo.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

/// `value` to three significant digits: the run-to-run spread is larger.
double roundFigure(double value) {
  double scale = std::pow(10.0, std::floor(std::log10(value)) - 2);
  return std::round(value / scale) * scale;
}

/// Attainable operations per second against arithmetic intensity, log10 on
/// both axes: each compute peak under the DRAM roof, and f32 under L2's.
void writeRooflinePlot(const std::string &reportDir,
                       const llvm::StringMap<double> &figures) {
  std::vector<Polyline> lines;
  auto roof = [&](llvm::StringRef peak, llvm::StringRef level) {
    if (!figures.contains(peak) || !figures.contains(level))
      return;
    Polyline line{(peak + " from " + level).str(), {}};
    for (double x = -3; x <= 4.001; x += 0.125) {
      double attainable = std::min(figures.lookup(peak),
                                   figures.lookup(level) * std::pow(10.0, x));
      line.points.push_back({x, std::log10(attainable)});
    }
    lines.push_back(std::move(line));
  };
  using namespace cost;
  for (ComputeClass peak : {kF32Fma, kByteLookup, kInt8Dot})
    roof(computeClassName(peak), memoryLevelName(kDram));
  roof(computeClassName(kF32Fma), memoryLevelName(kL2));
  writeLines(reportDir + "/roofline.svg", "Roofline of one core (measured)",
             {"log10 operations per byte", "log10 operations per second"},
             lines);
  convertPlots(reportDir, {"roofline"});
}

} // namespace

LogicalResult tune::calibrate(const CalibrateOptions &options) {
  std::optional<cost::TargetInfo> target =
      cost::TargetInfo::builtinForIsa(options.isa);
  if (!target) {
    llvm::errs() << "loom-tune: no calibration for ISA '" << options.isa
                 << "'\n";
    return failure();
  }
  CacheSizes caches = CacheSizes::ofHost();
  ProbeSet probes(options.isa, caches, options.quick);
  std::vector<std::function<void()>> calls;
  for (const Probe &probe : probes.probes())
    calls.push_back(probe.call);

  StatusLine status;
  std::mt19937 rng(0);
  std::vector<Measurement> measured = measureInRounds(
      calls, nullptr, options.protocol, rng, [&](int done, int total) {
        status.show(
            llvm::formatv("loom-tune calibrate: {0}/{1} samples", done, total));
      });

  llvm::json::Object ops, bytes, spread, buffers;
  llvm::StringMap<double> figures;
  bool contended = false;
  for (auto [probe, m] : llvm::zip(probes.probes(), measured)) {
    double perSecond = roundFigure(probe.workPerCall / (m.medianUs * 1e-6));
    figures[probe.name] = perSecond;
    (probe.memory ? bytes : ops)[probe.name] = perSecond;
    spread[probe.name] = std::round(m.madUs / m.medianUs * 1e4) / 1e4;
    contended |= m.contended;
  }
  for (cost::MemoryLevel level : {cost::kL1, cost::kL2, cost::kDram})
    buffers[cost::memoryLevelName(level)] =
        int64_t(probes.bufferBytes(cost::memoryLevelName(level)));
  llvm::json::Object calibration{
      {"format", 1},
      {"target_class", cost::cpuClass(target->targetClass, options.cpu)},
      {"isa", options.isa},
      {"machine", options.machine},
      {"rounds", options.protocol.rounds},
      {"ops_per_second", std::move(ops)},
      {"bytes_per_second", std::move(bytes)},
      {"relative_mad", std::move(spread)},
      {"buffer_bytes", std::move(buffers)}};
  if (contended)
    calibration["contended"] = true;

  std::error_code error;
  llvm::raw_fd_ostream os(options.outputPath, error);
  if (error) {
    status.finish("loom-tune: writing " + options.outputPath + ": " +
                  error.message());
    return failure();
  }
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(calibration)))
     << "\n";
  std::string summary;
  llvm::raw_string_ostream line(summary);
  line << "loom-tune calibrate: " << options.isa;
  for (const Probe &probe : probes.probes())
    line << llvm::formatv(" {0}={1:e2}", probe.name, figures[probe.name]);
  if (contended)
    line << " (some samples contended: calibrate on a quieter machine)";
  status.finish(summary);
  if (!options.reportDir.empty()) {
    llvm::sys::fs::create_directories(options.reportDir);
    writeRooflinePlot(options.reportDir, figures);
  }
  return success();
}

//===- Dataset.h - loom-tune's append-only measurement file -----*- C++ -*-===//
//
// One JSON line per (task, candidate, pass), flushed as written, so a
// killed collection resumes where it stopped; a truncated last line is
// ignored on reading.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_DATASET_H
#define LOOM_TOOLS_LOOMTUNE_DATASET_H

#include "Tasks.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::loom::tune {

struct Row {
  std::string schema;
  unsigned version = 0;
  std::string schemaHash, target, machine;
  Task task;
  unsigned candidate = 0;
  /// Knob name -> value, as the decision records them.
  llvm::json::Object knobs;
  std::vector<float> features;
  double medianUs = 0, madUs = 0, cpuShare = 0;
  int samples = 0;
  /// ok, invalid (output differs from the reference) or contended.
  std::string status;
  /// "1", "2" (the test-retest measurement) or "retime" (the top five of
  /// pass 1, timed again with twice the rounds).
  std::string pass;

  llvm::json::Value toJson() const;
  static llvm::Expected<Row> fromJson(const llvm::json::Value &value);
};

/// The rows of `path` (none if it does not exist yet), the first
/// `maxRows` of them.
llvm::Expected<std::vector<Row>> readDataset(const std::string &path,
                                             size_t maxRows = SIZE_MAX);

/// Cuts a truncated last line (a collection killed mid-write) off `path`,
/// so that appending starts on a line of its own.
llvm::Error dropTruncatedLine(const std::string &path);

/// Appends `row` to `path` as one line and flushes it.
llvm::Error appendRow(const std::string &path, const Row &row);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_DATASET_H

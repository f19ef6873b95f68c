//===- Journal.h - The checkpoint journal of a workflow run -----*- C++ -*-===//
//
// wf.md §8.3: a run appends one record per finished instance (content key,
// instance id, value, attempts). Resuming fills every instance whose key has
// a record, so a killed run redoes only what was in flight. The journal is
// also the value log that a trace's values come from.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_JOURNAL_H
#define LOOM_RUNTIME_WORKFLOW_JOURNAL_H

#include "loom/Runtime/Workflow/Value.h"

#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace mlir::loom::wfrt {

struct JournalRecord {
  uint64_t key = 0;
  std::string instance;
  Value value;
  int64_t attempts = 1;
  double startMs = 0, endMs = 0;
};

class Journal {
public:
  ~Journal();
  /// Opens `path` for appending; with `resume`, first reads the records a
  /// previous run left (a torn last record is dropped). `header` identifies
  /// the program and inputs: resuming a different run is an error.
  std::string open(const std::string &path, const std::string &header,
                   bool resume);
  const JournalRecord *find(uint64_t key) const;
  /// Buffers a record; it is durable after the next flush.
  void append(const JournalRecord &record);
  /// Writes and fsyncs the buffered records; returns how many became
  /// durable.
  size_t flush();
  size_t pending() const { return buffered; }
  const std::vector<JournalRecord> &recovered() const { return previous; }

private:
  std::FILE *file = nullptr;
  std::string buffer;
  size_t buffered = 0;
  std::vector<JournalRecord> previous;
  std::unordered_map<uint64_t, size_t> byKey;
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_JOURNAL_H

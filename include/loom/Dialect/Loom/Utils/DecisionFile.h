//===- DecisionFile.h - Decisions saved to JSON, replayed -------*- C++ -*-===//
//
// The deciding passes' dump-decisions / load-decisions. A decision file is
// a JSON object with one section per pass (`loom-decide`,
// `moe-select-strategy`, `loom-tile-linalg`); a pass reads and replaces its
// own section only, so the passes of one pipeline share one file. An entry
// names its op by its function, its decision kind and its ordinal among
// the pass's ops of that kind in the function, with a fingerprint of the
// op (name, types, attributes) so that a file replayed onto changed IR
// fails loudly instead of pinning a schedule to the wrong GEMM.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_LOOM_UTILS_DECISIONFILE_H
#define LOOM_DIALECT_LOOM_UTILS_DECISIONFILE_H

#include "loom/CostModel/TunableOpInterface.h"

#include "mlir/IR/Attributes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace mlir::loom {

/// One op a pass decides, keyed for a decision file, and its decision: a
/// `#loom.decision`, or what the pass records instead (an MoE layer's
/// strategies, one per T bucket).
struct DecisionEntry {
  Operation *op;
  std::string function, kind;
  unsigned ordinal;
  /// Of the op as keyed, before the pass changes it.
  std::string fingerprint;
  Attribute decision;
};

/// The entries of `ops`, in the order the pass visits them, undecided.
SmallVector<DecisionEntry>
keyDecisionEntries(ArrayRef<cost::TunableOpInterface> ops);

/// Sets the decision of each of `entries` that `section` of the file at
/// `path` records, once `check` accepts it for the op (`check` reports its
/// own error). An entry of the file whose op is missing or whose
/// fingerprint differs is an error at that op, or at `anchor`; a file
/// without the section pins nothing.
LogicalResult
loadDecisions(Operation *anchor, StringRef path, StringRef section,
              MutableArrayRef<DecisionEntry> entries,
              function_ref<LogicalResult(Operation *, Attribute)> check);

/// loadDecisions for `#loom.decision`s the ops can take, each set on its
/// op as `loom.decision`.
LogicalResult pinLoomDecisions(Operation *anchor, StringRef path,
                               StringRef section,
                               MutableArrayRef<DecisionEntry> entries);

/// Replaces `section` of the file at `path` by the decided `entries`,
/// keeping the file's other sections (a file that is not a decision file
/// is overwritten).
LogicalResult saveDecisions(Operation *anchor, StringRef path,
                            StringRef section, ArrayRef<DecisionEntry> entries);

} // namespace mlir::loom

#endif // LOOM_DIALECT_LOOM_UTILS_DECISIONFILE_H

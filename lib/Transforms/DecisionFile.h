//===- DecisionFile.h - Decisions saved to JSON, replayed -------*- C++ -*-===//
//
// loom-decide's dump-decisions / load-decisions: one entry per decided op,
// keyed by its function, its decision kind and its ordinal among that
// kind's ops in the function, with a fingerprint of the op (name, types,
// attributes) so that a file replayed onto changed IR fails loudly instead
// of pinning a schedule to the wrong GEMM.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_TRANSFORMS_DECISIONFILE_H
#define LOOM_LIB_TRANSFORMS_DECISIONFILE_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::loom {

/// Writes the decision of every decided tunable op of `module` to `path`.
LogicalResult writeDecisionFile(ModuleOp module, StringRef path);

/// Pins the decisions of `path` on the ops they name; an entry whose op is
/// missing or whose fingerprint differs is an error at that op (or the
/// module).
LogicalResult applyDecisionFile(ModuleOp module, StringRef path);

} // namespace mlir::loom

#endif // LOOM_LIB_TRANSFORMS_DECISIONFILE_H

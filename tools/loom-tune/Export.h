//===- Export.h - loom-tune export: the dataset as CSV ----------*- C++ -*-===//
//
// A flat view for spreadsheets and pandas: one line per dataset row of one
// decision, a column per knob and per feature (the schema's names).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_EXPORT_H
#define LOOM_TOOLS_LOOMTUNE_EXPORT_H

#include "loom/CostModel/FeatureSchema.h"

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::loom::tune {

/// Writes the rows of `datasetPath` that belong to `schema` (its version
/// included) to `csvPath`.
LogicalResult exportCsv(const cost::FeatureSchema &schema,
                        const std::string &datasetPath,
                        const std::string &csvPath);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_EXPORT_H

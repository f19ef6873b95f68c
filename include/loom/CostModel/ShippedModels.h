//===- ShippedModels.h - Models embedded at build time ----------*- C++ -*-===//
//
// models/<target class>/<decision>.json (XGBoost's JSON) and its
// .meta.json are compiled into lib/CostModel, so that loom-compile and
// loom-opt need no data files to use them.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_SHIPPEDMODELS_H
#define LOOM_COSTMODEL_SHIPPEDMODELS_H

#include "loom/CostModel/CostModel.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <optional>

namespace mlir::loom::cost {

struct ShippedModel {
  llvm::StringRef targetClass, decision;
  /// The model and its metadata, as committed.
  llvm::StringRef model, meta;
};

llvm::ArrayRef<ShippedModel> shippedModels();

/// models/<target class>/target.json, as loom-tune calibrate wrote it.
struct ShippedCalibration {
  llvm::StringRef targetClass, json;
};

llvm::ArrayRef<ShippedCalibration> shippedCalibrations();

/// Loads the model in `model` / `meta` for `schema`: the metadata's schema
/// hash must be the compiled-in schema's, and its calibration (the roofline
/// constants its roofline features were computed with; "built-in" when it
/// names none) `calibration`, the compiler's — a stale model is refused
/// with an error saying so. Without `calibration` (loom-tune evaluate,
/// which scores a model on the dataset it was trained from) that check is
/// skipped. `source` names the model in errors.
llvm::Expected<std::unique_ptr<CostModel>>
loadModel(llvm::StringRef model, llvm::StringRef meta,
          const FeatureSchema &schema,
          std::optional<llvm::StringRef> calibration, llvm::StringRef source,
          llvm::StringRef modelId);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_SHIPPEDMODELS_H

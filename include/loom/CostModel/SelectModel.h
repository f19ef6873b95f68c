//===- SelectModel.h - The model a decision is made with --------*- C++ -*-===//
//
// One rule for every deciding pass (costmodel.md §2.4): a trained model
// where one fits the target class and the decision's schema, the roofline
// elsewhere.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_SELECTMODEL_H
#define LOOM_COSTMODEL_SELECTMODEL_H

#include "loom/CostModel/CostModel.h"
#include "loom/CostModel/TargetInfo.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir::loom::cost {

/// Whether `option` names a model source: auto, roofline or a directory.
bool isCostModelOption(llvm::StringRef option);

/// Gives `target` the class and throughputs of the models `option` names:
/// for a model directory, the CPU's class where the directory has one,
/// else the ISA's, with that class's own <class>/target.json or the
/// built-in figures where it has none (its models were featurized with
/// them); auto and roofline keep what TargetInfo::forIsa chose. A
/// target.json that does not apply is an error.
llvm::Error useCalibrationOf(llvm::StringRef option, TargetInfo &target);

/// The target a deciding pass prices `decision`'s candidates on: `isa` on
/// `cpu` (empty: any CPU of the ISA), with the class and throughputs of the
/// models `costModel` names (useCalibrationOf). Where the CPU's class has
/// no model of `decision` and the ISA's class has one, the ISA's class:
/// a model of the ISA ranks better on another CPU than the roofline does
/// (docs/CostModel.md, "Target classes"). The error names an unknown isa,
/// a `costModel` that is not a model source, or a calibration that does
/// not apply.
llvm::Expected<TargetInfo> decisionTarget(llvm::StringRef isa,
                                          llvm::StringRef cpu,
                                          llvm::StringRef costModel,
                                          llvm::StringRef decision);

/// The model for decision `schema` on `target` under `option`:
///   auto      the model shipped for the target class, else the roofline;
///   roofline  the roofline;
///   <dir>     <dir>/<target class>/<decision>.json, else the roofline.
/// A directory's model that does not load is an error; a stale shipped one,
/// or a directory without the model, falls back to the roofline with its
/// reason in `passedOver` (the passes say it in a remark). The roofline
/// needs a roofline_log2_s feature.
llvm::Expected<std::unique_ptr<CostModel>>
selectCostModel(llvm::StringRef option, const TargetInfo &target,
                const FeatureSchema &schema, std::string &passedOver);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_SELECTMODEL_H

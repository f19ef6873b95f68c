//===- Latency.h - What running a region costs ------------------*- C++ -*-===//
//
// costmodel.md's wf.latency: the run time of a wf.compute node's body on
// one core, for the wf scheduler's priorities. Analytically it is the
// pack-sum of each op's roofline time; the learned model regresses log2
// seconds on the same sums (schema wf.latency), trained on node times
// loom-tune measured.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_COSTMODEL_LATENCY_H
#define LOOM_COSTMODEL_LATENCY_H

#include "loom/CostModel/CostModel.h"
#include "loom/CostModel/TargetInfo.h"

#include "mlir/IR/Region.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>

namespace mlir::loom::cost {

/// Estimated run time of the ops of `region` on one core of `target`: the
/// sum of each op's roofline time (ops without WorkEstimateOpInterface by
/// a generic rule; a call by its callee's ops). std::nullopt if an op's
/// size is dynamic or a callee is unknown.
std::optional<double> estimateSeconds(Region &region, const TargetInfo &target);

/// The wf.latency features of `region` (the same walk as estimateSeconds);
/// std::nullopt where estimateSeconds has none.
std::optional<FeatureVector> latencyFeatures(Region &region,
                                             const TargetInfo &target);

/// Node latencies under one model: learned where one fits the target, the
/// analytical estimateSeconds elsewhere.
class LatencyModel {
public:
  /// The model `option` (auto, roofline or a directory; see
  /// selectCostModel) names for `target`.
  static llvm::Expected<LatencyModel> select(llvm::StringRef option,
                                             const TargetInfo &target,
                                             std::string &passedOver);

  /// Seconds `region` takes; std::nullopt where its sizes are dynamic.
  std::optional<double> seconds(Region &region) const;
  CostModelInfo info() const { return model->info(); }

private:
  LatencyModel(std::unique_ptr<CostModel> model, const TargetInfo &target)
      : model(std::move(model)), target(target) {}

  std::unique_ptr<CostModel> model;
  TargetInfo target;
};

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_LATENCY_H

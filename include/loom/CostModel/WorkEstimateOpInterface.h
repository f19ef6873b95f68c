//===- WorkEstimateOpInterface.h - Ops that size their own work -*- C++ -*-===//
#ifndef LOOM_COSTMODEL_WORKESTIMATEOPINTERFACE_H
#define LOOM_COSTMODEL_WORKESTIMATEOPINTERFACE_H

#include "loom/CostModel/Roofline.h"
#include "loom/CostModel/TargetInfo.h"

#include "mlir/IR/OpDefinition.h"

#include <optional>

#include "loom/CostModel/WorkEstimateOpInterface.h.inc"

namespace mlir::loom::cost {

/// Bytes of a statically shaped tensor value, 0 for a value that is not a
/// tensor, std::nullopt for a dynamic shape or a non-numeric element.
std::optional<double> staticTensorBytes(Value v);

} // namespace mlir::loom::cost

#endif // LOOM_COSTMODEL_WORKESTIMATEOPINTERFACE_H

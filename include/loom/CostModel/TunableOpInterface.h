//===- TunableOpInterface.h - Ops the cost model decides for ----*- C++ -*-===//
#ifndef LOOM_COSTMODEL_TUNABLEOPINTERFACE_H
#define LOOM_COSTMODEL_TUNABLEOPINTERFACE_H

#include "loom/CostModel/FeatureSchema.h"
#include "loom/CostModel/Knobs.h"
#include "loom/CostModel/TargetInfo.h"

#include "mlir/IR/OpDefinition.h"

#include "loom/CostModel/TunableOpInterface.h.inc"

#endif // LOOM_COSTMODEL_TUNABLEOPINTERFACE_H

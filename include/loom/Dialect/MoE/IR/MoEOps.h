//===- MoEOps.h - moe dialect operations ------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_MOE_IR_MOEOPS_H
#define LOOM_DIALECT_MOE_IR_MOEOPS_H

#include "loom/CostModel/TunableOpInterface.h"
#include "loom/CostModel/WorkEstimateOpInterface.h"
#include "loom/Dialect/MoE/IR/MoEDialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "loom/Dialect/MoE/IR/MoEOps.h.inc"

#endif // LOOM_DIALECT_MOE_IR_MOEOPS_H

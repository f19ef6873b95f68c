//===- LutOps.h - lut dialect operations ------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_LUT_IR_LUTOPS_H
#define LOOM_DIALECT_LUT_IR_LUTOPS_H

#include "loom/Dialect/Lut/IR/LutDialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "loom/Dialect/Lut/IR/LutOps.h.inc"

#endif // LOOM_DIALECT_LUT_IR_LUTOPS_H

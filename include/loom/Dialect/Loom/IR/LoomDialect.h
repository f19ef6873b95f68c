//===- LoomDialect.h - Attributes shared by Loom's dialects -----*- C++ -*-===//
#ifndef LOOM_DIALECT_LOOM_IR_LOOMDIALECT_H
#define LOOM_DIALECT_LOOM_IR_LOOMDIALECT_H

#include "loom/CostModel/Knobs.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Loom/IR/LoomAttrs.h.inc"

#endif // LOOM_DIALECT_LOOM_IR_LOOMDIALECT_H

//===- LutDialect.h - lut dialect, attributes and types ---------*- C++ -*-===//
#ifndef LOOM_DIALECT_LUT_IR_LUTDIALECT_H
#define LOOM_DIALECT_LUT_IR_LUTDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "loom/Dialect/Lut/IR/LutDialect.h.inc"
#include "loom/Dialect/Lut/IR/LutEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/Lut/IR/LutAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "loom/Dialect/Lut/IR/LutTypes.h.inc"

#endif // LOOM_DIALECT_LUT_IR_LUTDIALECT_H

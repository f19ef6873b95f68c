//===- MoEDialect.h - moe dialect and attributes ----------------*- C++ -*-===//
#ifndef LOOM_DIALECT_MOE_IR_MOEDIALECT_H
#define LOOM_DIALECT_MOE_IR_MOEDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "loom/Dialect/MoE/IR/MoEDialect.h.inc"
#include "loom/Dialect/MoE/IR/MoEEnums.h.inc"
#include "loom/Dialect/MoE/IR/MoETypeInterfaces.h.inc"

#define GET_ATTRDEF_CLASSES
#include "loom/Dialect/MoE/IR/MoEAttrs.h.inc"

namespace mlir::loom::moe {
/// The routing rules that do not depend on the number of experts, shared by
/// #moe.routing and moe.topk.
LogicalResult verifyRoutingParams(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t k, double scale, int64_t groups,
                                  int64_t groupTopk);

/// `t[index]` of a tensor stacked along its leading dimension (an expert's
/// weights or bias), without that dimension.
Value buildLeadingSlice(OpBuilder &b, Location loc, Value t, int64_t index);

/// Attaches the ExpertWeightsType model of `!lut.stacked` (the lut dialect
/// does not know about experts).
void registerExpertWeightsExternalModels(DialectRegistry &registry);
} // namespace mlir::loom::moe

#endif // LOOM_DIALECT_MOE_IR_MOEDIALECT_H

//===- TopK.h - moe.topk as vector code -------------------------*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_MOETOVECTOR_TOPK_H
#define LOOM_LIB_CONVERSION_MOETOVECTOR_TOPK_H

#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::moe {

/// Whether emitTopK handles `op`: group-limited routing keeps the
/// reference lowering.
bool canEmitTopK(TopKOp op);

/// The ids and weights of `op`, each token's k rounds of selection run on
/// one vector of its E scores; equal to the reference lowering's bit for
/// bit.
std::pair<Value, Value> emitTopK(OpBuilder &b, TopKOp op);

/// The same for a top-k whose scores come from a gate used nowhere else:
/// each token's scores are computed from its `logits` row in registers, by
/// the score function in buildRouterScores' operation order (the same
/// bits), and never stored.
std::pair<Value, Value> emitGateTopK(OpBuilder &b, TopKOp op, Value logits,
                                     Scoring scoring);

} // namespace mlir::loom::moe

#endif // LOOM_LIB_CONVERSION_MOETOVECTOR_TOPK_H

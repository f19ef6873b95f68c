//===- RowMoves.h - moe.dispatch and moe.combine as vector code -*- C++ -*-===//
#ifndef LOOM_LIB_CONVERSION_MOETOVECTOR_ROWMOVES_H
#define LOOM_LIB_CONVERSION_MOETOVECTOR_ROWMOVES_H

#include "loom/Dialect/MoE/IR/MoEOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::moe {

/// The dispatch buffer of `op` built by an scf.forall over its rows; the
/// rows must be the distinct rows moe.assign gives (the later slot wins
/// otherwise, as in the reference lowering).
Value emitDispatch(OpBuilder &b, DispatchOp op);

/// The combined tokens of `op` built by an scf.forall over the tokens, each
/// summing its kept slots in slot order.
Value emitCombine(OpBuilder &b, CombineOp op);

} // namespace mlir::loom::moe

#endif // LOOM_LIB_CONVERSION_MOETOVECTOR_ROWMOVES_H

//===- LoopBuilders.cpp - Loop builders of the vector kernels -------------===//

#include "LoopBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

Value mlir::loom::lut::indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

ValueRange mlir::loom::lut::buildLoop(
    OpBuilder &b, Location loc, Value ub, ValueRange iters,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
  return scf::ForOp::create(
             b, loc, indexConst(b, loc, 0), ub, indexConst(b, loc, 1), iters,
             [&](OpBuilder &bb, Location l, Value iv, ValueRange args) {
               scf::YieldOp::create(bb, l, body(bb, iv, args));
             })
      .getResults();
}

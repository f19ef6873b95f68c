//===- KernelBuilders.cpp - Builders shared by the vector kernels ---------===//

#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value mlir::loom::lut::indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::loom::lut::splatConst(OpBuilder &b, Location loc, VectorType type,
                                  TypedAttr value) {
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, value));
}

Value mlir::loom::lut::emptyWithRows(OpBuilder &b, Location loc,
                                     RankedTensorType type, Value rows) {
  return tensor::EmptyOp::create(
      b, loc, type, type.isDynamicDim(0) ? ValueRange{rows} : ValueRange{});
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

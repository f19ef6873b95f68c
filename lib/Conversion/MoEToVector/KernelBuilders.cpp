//===- KernelBuilders.cpp - Builders the moe vector kernels share ---------===//

#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

Value mlir::loom::moe::idx(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value mlir::loom::moe::toF32(ImplicitLocOpBuilder &b, Value v) {
  Type f32 = b.getF32Type();
  if (getElementTypeOrSelf(v.getType()) == f32)
    return v;
  if (auto vector = dyn_cast<VectorType>(v.getType()))
    return arith::ExtFOp::create(b, vector.clone(f32), v);
  return arith::ExtFOp::create(b, f32, v);
}

SmallVector<Value> mlir::loom::moe::forLoop(
    ImplicitLocOpBuilder &b, Value lb, Value ub, int64_t step, ValueRange inits,
    function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value, ValueRange)>
        body) {
  return scf::ForOp::create(
             b, lb, ub, idx(b, step), inits,
             [&](OpBuilder &ob, Location loc, Value iv, ValueRange args) {
               ImplicitLocOpBuilder nb(loc, ob);
               scf::YieldOp::create(nb, body(nb, iv, args));
             })
      .getResults();
}

Value mlir::loom::moe::readLanes(ImplicitLocOpBuilder &b, Value source,
                                 ValueRange at, bool inBounds) {
  Type elt = getElementTypeOrSelf(source.getType());
  return toF32(b, vector::TransferReadOp::create(
                      b, VectorType::get({kLanes}, elt), source, at,
                      arith::ConstantOp::create(b, b.getFloatAttr(elt, 0.0)),
                      ArrayRef<bool>{inBounds}));
}

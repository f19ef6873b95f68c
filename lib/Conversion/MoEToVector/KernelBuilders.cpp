//===- KernelBuilders.cpp - Builders the moe vector kernels share ---------===//

#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

Value mlir::loom::moe::readLanes(ImplicitLocOpBuilder &b, Value source,
                                 ValueRange at, bool inBounds) {
  Type elt = getElementTypeOrSelf(source.getType());
  return toF32(b, vector::TransferReadOp::create(
                      b, VectorType::get({kLanes}, elt), source, at,
                      arith::ConstantOp::create(b, b.getFloatAttr(elt, 0.0)),
                      ArrayRef<bool>{inBounds}));
}

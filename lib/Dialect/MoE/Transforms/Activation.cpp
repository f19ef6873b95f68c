//===- Activation.cpp - The expert activations of moe.md §1.6 -------------===//

#include "loom/Dialect/MoE/Transforms/Activation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

Value mlir::loom::moe::buildActivation(OpBuilder &b, Location loc,
                                       Activation act, Value z) {
  // Constants take z's shape, so one formula serves scalars and vectors.
  auto constant = [&](double v) -> Value {
    TypedAttr scalar = b.getF32FloatAttr(v);
    if (auto vector = dyn_cast<VectorType>(z.getType()))
      return arith::ConstantOp::create(b, loc, vector,
                                       DenseElementsAttr::get(vector, scalar));
    return arith::ConstantOp::create(b, loc, scalar);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulFOp::create(b, loc, x, y);
  };
  auto add = [&](Value x, Value y) -> Value {
    return arith::AddFOp::create(b, loc, x, y);
  };
  Value one = constant(1.0), half = constant(0.5);
  switch (act) {
  case Activation::None:
    return z;
  case Activation::Relu:
    return arith::MaximumFOp::create(b, loc, z, constant(0.0));
  case Activation::Silu:
  case Activation::Swiglu: {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, z));
    return mul(z, arith::DivFOp::create(b, loc, one, add(one, e)));
  }
  case Activation::Gelu:
  case Activation::Geglu: {
    Value erf =
        math::ErfOp::create(b, loc, mul(z, constant(0.70710678118654752440)));
    return mul(mul(half, z), add(one, erf));
  }
  case Activation::GeluTanh: {
    Value z3 = mul(mul(z, z), z);
    Value inner = mul(constant(0.79788456080286535588),
                      add(z, mul(constant(0.044715), z3)));
    return mul(mul(half, z), add(one, math::TanhOp::create(b, loc, inner)));
  }
  }
  llvm_unreachable("unknown activation");
}

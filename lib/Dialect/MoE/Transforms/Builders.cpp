//===- Builders.cpp - IR the moe lowerings build alike --------------------===//

#include "loom/Dialect/MoE/Transforms/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/TypeUtilities.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom::moe;

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

Value mlir::loom::moe::buildRowReduction(
    ImplicitLocOpBuilder &b, Value input, double init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
    Value other) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  Value tokens = tensor::DimOp::create(b, input, 0);
  Value empty = tensor::EmptyOp::create(b, ArrayRef<OpFoldResult>{tokens}, f32);
  Value initValue = arith::ConstantOp::create(b, f32, b.getF32FloatAttr(init));
  Value filled = linalg::FillOp::create(b, initValue, empty).getResult(0);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap row = AffineMap::get(2, 0, getAffineDimExpr(0, ctx));
  AffineMap col = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
  SmallVector<Value> inputs = {input};
  SmallVector<AffineMap> maps = {id};
  if (other) {
    inputs.push_back(other);
    maps.push_back(col);
  }
  maps.push_back(row);
  return linalg::GenericOp::create(
             b, filled.getType(), inputs, filled, maps,
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                           utils::IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value element = args[0];
               if (element.getType() != f32)
                 element = arith::ExtFOp::create(nb, l, f32, element);
               if (other) {
                 Value o = args[1];
                 if (o.getType() != f32)
                   o = arith::ExtFOp::create(nb, l, f32, o);
                 element = arith::MulFOp::create(nb, l, element, o);
               }
               linalg::YieldOp::create(nb, l,
                                       combine(nb, l, args.back(), element));
             })
      .getResult(0);
}

/// A parallel linalg.generic over `inputs` (and `broadcast`, indexed by the
/// leading dimension only) into a tensor shaped like inputs[0].
static Value
elementwise(ImplicitLocOpBuilder &b, ValueRange inputs, Value broadcast,
            function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(inputs[0].getType());
  int64_t rank = type.getRank();
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<Value> operands(inputs);
  SmallVector<AffineMap> maps(inputs.size(), id);
  if (broadcast) {
    operands.push_back(broadcast);
    maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(0, ctx)));
  }
  maps.push_back(id);
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(b, b.getLoc(), inputs[0]);
  Value init = tensor::EmptyOp::create(b, sizes, type.getElementType());
  return linalg::GenericOp::create(
             b, type, operands, init, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, body(nb, l, args.drop_back()));
             })
      .getResult(0);
}

Value mlir::loom::moe::buildElementwiseSigmoid(ImplicitLocOpBuilder &b,
                                               Value v) {
  return elementwise(
      b, v, Value(), [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Value one = arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(1));
        Value e =
            math::ExpOp::create(nb, l, arith::NegFOp::create(nb, l, args[0]));
        return arith::DivFOp::create(nb, l, one,
                                     arith::AddFOp::create(nb, l, one, e));
      });
}

Value mlir::loom::moe::buildElementwiseAdd(ImplicitLocOpBuilder &b, Value a,
                                           Value c) {
  return elementwise(b, ValueRange{a, c}, Value(),
                     [](OpBuilder &nb, Location l, ValueRange args) -> Value {
                       return arith::AddFOp::create(nb, l, args[0], args[1]);
                     });
}

/// `f` on `args` in f32: narrower floats are extended first and the result
/// truncated back to `type`.
static Value inF32(OpBuilder &b, Location loc, Type type, ValueRange args,
                   function_ref<Value(ValueRange)> f) {
  Type f32 = b.getF32Type();
  if (type == f32)
    return f(args);
  SmallVector<Value> wide = llvm::map_to_vector(args, [&](Value v) -> Value {
    return arith::ExtFOp::create(b, loc, f32, v);
  });
  return arith::TruncFOp::create(b, loc, type, f(wide));
}

Value mlir::loom::moe::buildExpertEpilogue(ImplicitLocOpBuilder &b, Value z,
                                           Value rowScale, Value bias,
                                           FfnAttr ffn) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(z.getType());
  Type elt = type.getElementType();
  if (rowScale)
    z = elementwise(
        b, z, rowScale, [&](OpBuilder &nb, Location l, ValueRange args) {
          Value scale = args[1];
          if (scale.getType() != elt)
            scale = arith::TruncFOp::create(nb, l, elt, scale);
          return arith::MulFOp::create(nb, l, args[0], scale).getResult();
        });
  if (bias) {
    AffineMap id = b.getMultiDimIdentityMap(2);
    AffineMap column = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
    z = linalg::GenericOp::create(
            b, type, ValueRange{z, bias},
            tensor::EmptyOp::create(b, tensor::getMixedSizes(b, b.getLoc(), z),
                                    elt)
                .getResult(),
            ArrayRef<AffineMap>{id, column, id},
            SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
            [&](OpBuilder &nb, Location l, ValueRange args) {
              linalg::YieldOp::create(
                  nb, l,
                  arith::AddFOp::create(nb, l, args[0], args[1]).getResult());
            })
            .getResult(0);
  }
  Activation act = ffn.getActivation();
  if (!ffn.isGated())
    return elementwise(b, z, Value(),
                       [&](OpBuilder &nb, Location l, ValueRange args) {
                         return inF32(nb, l, elt, args, [&](ValueRange v) {
                           return buildActivation(nb, l, act, v[0]);
                         });
                       });
  // The gate columns [0, h), then the up columns [h, 2h).
  int64_t h = type.getDimSize(1) / 2;
  auto half = [&](int64_t start) -> Value {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                         b.getIndexAttr(start)},
                              sizes = {tensor::getMixedSize(b, b.getLoc(), z,
                                                            0),
                                       b.getIndexAttr(h)},
                              strides(2, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(
        b, RankedTensorType::get({type.getDimSize(0), h}, elt), z, offsets,
        sizes, strides);
  };
  return elementwise(b, ValueRange{half(0), half(h)}, Value(),
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       return inF32(nb, l, elt, args, [&](ValueRange v) {
                         return arith::MulFOp::create(
                                    nb, l, buildActivation(nb, l, act, v[0]),
                                    v[1])
                             .getResult();
                       });
                     });
}

/// `t` with a leading unit dimension: one expert's operand as E = 1.
static Value asOneExpert(ImplicitLocOpBuilder &b, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<int64_t> shape = {1};
  llvm::append_range(shape, type.getShape());
  SmallVector<ReassociationIndices> groups = {{0, 1}};
  for (int64_t i = 1; i < type.getRank(); ++i)
    groups.push_back({i + 1});
  return tensor::ExpandShapeOp::create(
      b, RankedTensorType::get(shape, type.getElementType()), t, groups);
}

Value mlir::loom::moe::buildAllRowsMatmul(ImplicitLocOpBuilder &b, Value x,
                                          Value weight,
                                          RankedTensorType resultType,
                                          Value rowScale, Activation act,
                                          Value bias, TileAttr tile) {
  Type i32 = b.getI32Type();
  Value rows = arith::IndexCastOp::create(
      b, i32, tensor::DimOp::create(b, x, 0).getResult());
  Value zero = arith::ConstantOp::create(b, i32, b.getI32IntegerAttr(0));
  Value offsets = tensor::FromElementsOp::create(
      b, RankedTensorType::get({2}, i32), ValueRange{zero, rows});
  Value counts = tensor::FromElementsOp::create(
      b, RankedTensorType::get({1}, i32), ValueRange{rows});
  return GroupedMatmulOp::create(
      b, resultType, x, asOneExpert(b, weight), offsets, counts,
      bias ? asOneExpert(b, bias) : Value(), rowScale, /*gather=*/Value(),
      /*scatter=*/Value(), /*init=*/Value(), act, tile);
}

Value mlir::loom::moe::buildRouterScores(ImplicitLocOpBuilder &b, Value logits,
                                         Scoring scoring) {
  if (scoring == Scoring::Sigmoid)
    return buildElementwiseSigmoid(b, logits);
  // exp(l - max) / sum over e, summed in ascending e.
  Value max = buildRowReduction(
      b, logits, -std::numeric_limits<float>::infinity(),
      [](OpBuilder &nb, Location l, Value acc, Value v) {
        return arith::MaximumFOp::create(nb, l, acc, v).getResult();
      });
  Value exps = elementwise(
      b, logits, max, [](OpBuilder &nb, Location l, ValueRange args) {
        return math::ExpOp::create(
                   nb, l, arith::SubFOp::create(nb, l, args[0], args[1]))
            .getResult();
      });
  Value sums = buildRowReduction(
      b, exps, 0.0, [](OpBuilder &nb, Location l, Value acc, Value v) {
        return arith::AddFOp::create(nb, l, acc, v).getResult();
      });
  return elementwise(
      b, exps, sums, [](OpBuilder &nb, Location l, ValueRange args) {
        return arith::DivFOp::create(nb, l, args[0], args[1]).getResult();
      });
}

/// A 1-D linalg.generic over assign's row map [R] (t * k + s, -1 for
/// padding) whose body maps (slot id, valid) to one `elementType` value.
static Value overRowMap(
    ImplicitLocOpBuilder &b, Value rows, Type elementType,
    function_ref<Value(ImplicitLocOpBuilder &, Value slot, Value valid)> body) {
  Value count = tensor::DimOp::create(b, rows, 0);
  Value init =
      tensor::EmptyOp::create(b, ArrayRef<OpFoldResult>{count}, elementType);
  AffineMap id = b.getMultiDimIdentityMap(1);
  return linalg::GenericOp::create(
             b, init.getType(), rows, init, ArrayRef<AffineMap>{id, id},
             utils::IteratorType::parallel,
             [&](OpBuilder &ob, Location loc, ValueRange args) {
               ImplicitLocOpBuilder nb(loc, ob);
               Value zero =
                   arith::ConstantOp::create(nb, nb.getI32IntegerAttr(0));
               Value valid = arith::CmpIOp::create(
                   nb, arith::CmpIPredicate::sge, args[0], zero);
               linalg::YieldOp::create(nb, body(nb, args[0], valid));
             })
      .getResult(0);
}

Value mlir::loom::moe::buildRowTokens(ImplicitLocOpBuilder &b, Value rows,
                                      int64_t k) {
  return overRowMap(
      b, rows, b.getI32Type(),
      [&](ImplicitLocOpBuilder &nb, Value slot, Value valid) -> Value {
        Value token = arith::DivSIOp::create(
            nb, slot, arith::ConstantOp::create(nb, nb.getI32IntegerAttr(k)));
        return arith::SelectOp::create(
            nb, valid, token,
            arith::ConstantOp::create(nb, nb.getI32IntegerAttr(-1)));
      });
}

Value mlir::loom::moe::buildRowWeights(ImplicitLocOpBuilder &b, Value rows,
                                       Value weights, int64_t k) {
  return overRowMap(
      b, rows, b.getF32Type(),
      [&](ImplicitLocOpBuilder &nb, Value slot, Value valid) -> Value {
        Value kConst = arith::ConstantOp::create(nb, nb.getI32IntegerAttr(k));
        Value zero = arith::ConstantOp::create(nb, nb.getI32IntegerAttr(0));
        Value safe = arith::SelectOp::create(nb, valid, slot, zero);
        auto index = [&](Value v) -> Value {
          return arith::IndexCastOp::create(nb, nb.getIndexType(), v);
        };
        Value w = tensor::ExtractOp::create(
            nb, weights,
            ValueRange{index(arith::DivSIOp::create(nb, safe, kConst)),
                       index(arith::RemSIOp::create(nb, safe, kConst))});
        return arith::SelectOp::create(
            nb, valid, w,
            arith::ConstantOp::create(nb, nb.getF32FloatAttr(0.0)));
      });
}

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

//===- KernelOps.cpp - Scalar builders the GPU kernels share --------------===//

#include "loom/Conversion/KernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::loom;

Value gpu_kernels::index(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value gpu_kernels::f32(ImplicitLocOpBuilder &b, double v) {
  return arith::ConstantFloatOp::create(b, b.getF32Type(),
                                        APFloat(static_cast<float>(v)));
}

Value gpu_kernels::i32(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIntOp::create(b, b.getI32Type(), v);
}

Value gpu_kernels::load(ImplicitLocOpBuilder &b, Value memref, ValueRange at) {
  Value v = memref::LoadOp::create(b, memref, at);
  if (isa<FloatType>(v.getType()) && v.getType().getIntOrFloatBitWidth() < 32)
    v = arith::ExtFOp::create(b, b.getF32Type(), v);
  return v;
}

void gpu_kernels::store(ImplicitLocOpBuilder &b, Value v, Value memref,
                        ValueRange at) {
  Type element = cast<MemRefType>(memref.getType()).getElementType();
  if (v.getType().isF32() && element != v.getType())
    v = arith::TruncFOp::create(b, element, v);
  memref::StoreOp::create(b, v, memref, at);
}

Value gpu_kernels::dim(ImplicitLocOpBuilder &b, Value memref, int64_t i) {
  return memref::DimOp::create(b, memref, i);
}

Value gpu_kernels::asIndex(ImplicitLocOpBuilder &b, Value i32Value) {
  return arith::IndexCastOp::create(b, b.getIndexType(), i32Value);
}

Value gpu_kernels::inRange(ImplicitLocOpBuilder &b, Value v, Value bound) {
  using P = arith::CmpIPredicate;
  return arith::AndIOp::create(
      b, arith::CmpIOp::create(b, P::sge, v, i32(b, 0)),
      arith::CmpIOp::create(b, P::slt, asIndex(b, v), bound));
}

void gpu_kernels::when(ImplicitLocOpBuilder &b, Value cond,
                       function_ref<void()> then) {
  auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard restore(b);
  b.setInsertionPointToStart(&op.getThenRegion().front());
  then();
}

void gpu_kernels::branch(ImplicitLocOpBuilder &b, Value cond,
                         function_ref<void()> then,
                         function_ref<void()> otherwise) {
  auto op = scf::IfOp::create(b, cond, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard restore(b);
  b.setInsertionPointToStart(&op.getThenRegion().front());
  then();
  b.setInsertionPointToStart(&op.getElseRegion().front());
  otherwise();
}

Value gpu_kernels::select(ImplicitLocOpBuilder &b, Value cond, Value otherwise,
                          function_ref<Value()> then) {
  auto op = scf::IfOp::create(b, otherwise.getType(), cond,
                              /*withElseRegion=*/true);
  OpBuilder::InsertionGuard restore(b);
  b.setInsertionPointToStart(&op.getThenRegion().front());
  scf::YieldOp::create(b, then());
  b.setInsertionPointToStart(&op.getElseRegion().front());
  scf::YieldOp::create(b, otherwise);
  return op.getResult(0);
}

void gpu_kernels::each(ImplicitLocOpBuilder &b, Value lb, Value ub,
                       int64_t step, function_ref<void(Value)> body) {
  auto loop = scf::ForOp::create(b, lb, ub, index(b, step));
  OpBuilder::InsertionGuard restore(b);
  b.setInsertionPointToStart(loop.getBody());
  body(loop.getInductionVar());
}

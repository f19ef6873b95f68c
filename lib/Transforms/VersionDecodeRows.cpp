//===- VersionDecodeRows.cpp - The loom-version-decode-rows pass ----------===//

#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Transforms/ContractionTiling.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMVERSIONDECODEROWS
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// `type` with its dynamic dims (the rows: the only dims a tiled
/// contraction leaves dynamic) at one.
Type oneRow(Type type) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped || shaped.hasStaticShape())
    return type;
  SmallVector<int64_t> shape(shaped.getShape());
  for (int64_t &size : shape)
    if (ShapedType::isDynamic(size))
      size = 1;
  return shaped.clone(shape);
}

/// Puts `op` under an `scf.if` on its row count: a copy over one row where
/// it is 1, `op` itself, marked to run from two rows, otherwise.
void versionForOneRow(linalg::LinalgOp op, const ContractionTiling &tiling) {
  OpBuilder builder(op);
  Location loc = op.getLoc();
  Value rows = getValueOrCreateConstantIndexOp(builder, loc,
                                               tiling.rowCount(builder, op));
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  Value isOneRow =
      arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq, rows, one);
  auto ifOp = scf::IfOp::create(builder, loc, op->getResultTypes(), isOneRow,
                                /*withElseRegion=*/true);

  builder.setInsertionPointToStart(ifOp.thenBlock());
  SmallVector<Value> operands;
  for (Value operand : op->getOperands()) {
    Type type = oneRow(operand.getType());
    operands.push_back(
        type == operand.getType()
            ? operand
            : tensor::CastOp::create(builder, loc, type, operand).getResult());
  }
  SmallVector<Type> resultTypes;
  for (Type type : op->getResultTypes())
    resultTypes.push_back(oneRow(type));
  Operation *decode = clone(builder, op.getOperation(), resultTypes, operands);
  SmallVector<Value> results;
  for (auto [result, type] :
       llvm::zip_equal(decode->getResults(), op->getResultTypes()))
    results.push_back(tensor::CastOp::create(builder, loc, type, result));
  scf::YieldOp::create(builder, loc, results);

  builder.setInsertionPointToStart(ifOp.elseBlock());
  op->replaceAllUsesWith(ifOp.getResults());
  op->moveBefore(ifOp.elseBlock(), ifOp.elseBlock()->end());
  scf::YieldOp::create(builder, loc, op->getResults());
  op->setAttr(kMinRowsAttrName, builder.getI64IntegerAttr(2));
}

struct LoomVersionDecodeRowsPass
    : loom::impl::LoomVersionDecodeRowsBase<LoomVersionDecodeRowsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, ContractionTiling>> contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      FailureOr<ContractionTiling> tiling = ContractionTiling::of(op);
      if (succeeded(tiling) && tiling->dynamicRows &&
          !op->hasAttr(DecisionAttr::kAttrName) &&
          !op->hasAttr(kMinRowsAttrName))
        contractions.push_back({op, *tiling});
    });
    for (const auto &[op, tiling] : contractions)
      versionForOneRow(op, tiling);
  }
};

} // namespace

//===- LookupKernel.cpp - The loops around a lookup kernel's segments -----===//

#include "LookupKernel.h"
#include "KernelBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom::lut;

Value mlir::loom::lut::buildKernelLoops(OpBuilder &b, Location loc,
                                        const KernelPlan &plan,
                                        const ColumnSource &source,
                                        RankedTensorType resultType,
                                        const KernelLoops &loops,
                                        SegmentBody segment) {
  Value c0 = indexConst(b, loc, 0);
  Value n = tensor::DimOp::create(b, loc,
                                  source.rows ? source.rows : source.table, 0);
  Value tableRows =
      source.rows ? tensor::DimOp::create(b, loc, source.table, 0).getResult()
                  : Value();
  Value init = emptyWithRows(b, loc, resultType, n);
  Value zeroF32 = splatConst(b, loc, loops.resultVector, b.getF32FloatAttr(0));
  int64_t segments = plan.k / plan.segment;
  bool tail = plan.m % loops.rowsPerBlock != 0;
  auto add = [&](OpBuilder &ob, Value a, Value c) -> Value {
    return arith::AddIOp::create(ob, loc, a, c);
  };

  Value columnBlocks = arith::CeilDivUIOp::create(
      b, loc, n, indexConst(b, loc, loops.columnBlock));
  auto columnBlockBody = [&](OpBuilder &ob, Value cb,
                             ValueRange y) -> SmallVector<Value> {
    Value colStart = arith::MulIOp::create(
        ob, loc, cb, indexConst(ob, loc, loops.columnBlock));
    Value colCount =
        arith::MinSIOp::create(ob, loc, indexConst(ob, loc, loops.columnBlock),
                               arith::SubIOp::create(ob, loc, n, colStart));
    return {forEachRowBlock(
        ob, loc, y[0], plan.m, loops.rowsPerBlock, colStart, colCount,
        [&](OpBuilder &fb, Value block, Value tile) -> Value {
          // The slice's columns `local` (y[colStart + local, rows of the
          // block]).
          auto columns = [&](OpBuilder &nb, ArrayRef<Value> local,
                             Value result) -> Value {
            SmallVector<Value> cols = llvm::map_to_vector(
                local, [&](Value c) { return add(nb, colStart, c); });
            // Through a row map: the table row rows[col], clamped into
            // range; an invalid one reads row 0 with zero column terms.
            SmallVector<Value> valid;
            if (source.rows)
              for (Value &col : cols) {
                Value row = arith::IndexCastOp::create(
                    nb, loc, nb.getIndexType(),
                    tensor::ExtractOp::create(nb, loc, source.rows, col));
                Value ok = arith::AndIOp::create(
                    nb, loc,
                    arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::sge,
                                          row, c0),
                    arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::slt,
                                          row, tableRows));
                valid.push_back(ok);
                col = arith::SelectOp::create(nb, loc, ok, row, c0);
              }
            ValueRange sums =
                buildLoop(nb, loc, indexConst(nb, loc, segments),
                          SmallVector<Value>(
                              loops.vectorsPerColumn * cols.size(), zeroF32),
                          [&](OpBuilder &sb, Value s, ValueRange acc) {
                            return segment(sb, cols, valid, block, s, acc);
                          });
            return storeTileRows(nb, loc, sums, local, result, tail);
          };
          return forEachColumnTile(fb, loc, colCount, loops.tileN, tile,
                                   columns);
        })};
  };
  return buildLoop(b, loc, columnBlocks, {init}, columnBlockBody)[0];
}

//===- LookupKernel.cpp - The GPU table-lookup GEMM kernel ----------------===//

#include "LookupKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::loom::lut;

static Value index(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

static Value f32(ImplicitLocOpBuilder &b, double v) {
  return arith::ConstantFloatOp::create(b, b.getF32Type(),
                                        APFloat(static_cast<float>(v)));
}

void LookupKernel::buildTables(ImplicitLocOpBuilder &b, Value tables,
                               Value thread, Value firstColumn,
                               Value chunk) const {
  Value zero = f32(b, 0.0), kEnd = index(b, k);
  Value c0 = index(b, 0), c1 = index(b, 1), c15 = index(b, 15);
  Value rows = index(b, blockRows);
  Value n = memref::DimOp::create(b, x, 0);
  auto loop =
      scf::ForOp::create(b, c0, index(b, tableEntries() / blockRows), c1);
  b.setInsertionPointToStart(loop.getBody());
  Value entry = arith::AddIOp::create(
      b, thread, arith::MulIOp::create(b, loop.getInductionVar(), rows));
  // Entry u of group j of a column: sum over l of x[4 j + l], negated
  // where bit l of u is clear.
  Value column = arith::AddIOp::create(
      b, firstColumn,
      arith::DivUIOp::create(b, entry, index(b, chunkEntries())));
  Value local = arith::RemUIOp::create(b, entry, index(b, chunkEntries()));
  Value group = arith::ShRUIOp::create(b, local, index(b, 4));
  Value pattern = arith::AndIOp::create(b, local, c15);
  Value first = arith::AddIOp::create(
      b, chunk, arith::MulIOp::create(b, group, index(b, 4)));
  Value columnInside =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, n);
  Value safeColumn = arith::SelectOp::create(b, columnInside, column, c0);
  Value sum = zero;
  for (int64_t l = 0; l < 4; ++l) {
    Value col = arith::AddIOp::create(b, first, index(b, l));
    // K past the end and columns past N read element 0 and count as 0:
    // their tables add nothing.
    Value inside = arith::AndIOp::create(
        b, columnInside,
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, col, kEnd));
    Value safe = arith::SelectOp::create(b, inside, col, c0);
    Value v = memref::LoadOp::create(b, x, ValueRange{safeColumn, safe});
    if (v.getType() != b.getF32Type())
      v = arith::ExtFOp::create(b, b.getF32Type(), v);
    v = arith::SelectOp::create(b, inside, v, zero);
    Value bit = arith::AndIOp::create(
        b, arith::ShRUIOp::create(b, pattern, index(b, l)), c1);
    Value set = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, bit, c0);
    sum = arith::AddFOp::create(
        b, sum,
        arith::SelectOp::create(b, set, v, arith::NegFOp::create(b, v)));
  }
  memref::StoreOp::create(b, sum, tables, entry);
  b.setInsertionPointAfter(loop);
}

SmallVector<Value> LookupKernel::lookupChunk(ImplicitLocOpBuilder &b,
                                             Value tables, Value row,
                                             Value chunk,
                                             ValueRange accs) const {
  int64_t planes = weight.planes, paddedRows = weight.paddedRows;
  bool scalePerWord = weight.segment % kWordK == 0;
  Value c0 = index(b, 0), c1 = index(b, 1);
  Value i15 = arith::ConstantIntOp::create(b, b.getI32Type(), 15);
  auto loop = scf::ForOp::create(b, c0, index(b, kChunk / kWordK), c1, accs);
  b.setInsertionPointToStart(loop.getBody());
  Value w = loop.getInductionVar();
  SmallVector<Value> sums(loop.getRegionIterArgs());
  Value wordIndex = arith::AddIOp::create(
      b, arith::DivUIOp::create(b, chunk, index(b, kWordK)), w);
  SmallVector<Value> planeWords;
  for (int64_t p = 0; p < planes; ++p) {
    Value at = arith::AddIOp::create(
        b,
        arith::MulIOp::create(
            b,
            arith::AddIOp::create(
                b, arith::MulIOp::create(b, wordIndex, index(b, planes)),
                index(b, p)),
            index(b, paddedRows)),
        row);
    planeWords.push_back(memref::LoadOp::create(b, words, at));
  }
  // The scale and offset of the segment holding K = `col`.
  auto coefficients = [&](Value col) -> std::pair<Value, Value> {
    Value segment = arith::DivUIOp::create(b, col, index(b, weight.segment));
    Value at = arith::AddIOp::create(
        b, arith::MulIOp::create(b, segment, index(b, paddedRows)), row);
    Value s = memref::LoadOp::create(b, scale, at);
    Value o = offset ? Value(memref::LoadOp::create(b, offset, at)) : Value();
    return {s, o};
  };
  Value firstCol = arith::MulIOp::create(b, wordIndex, index(b, kWordK));
  auto [s, o] =
      scalePerWord ? coefficients(firstCol) : std::pair<Value, Value>();
  for (int64_t i = 0; i < kWordK / 4; ++i) {
    Value group = arith::AddIOp::create(
        b, arith::MulIOp::create(b, w, index(b, kWordK / 4)), index(b, i));
    Value base = arith::MulIOp::create(b, group, index(b, 16));
    SmallVector<Value> nibbles;
    for (int64_t p = 0; p < planes; ++p)
      nibbles.push_back(arith::IndexCastOp::create(
          b, b.getIndexType(),
          arith::AndIOp::create(
              b,
              arith::ShRUIOp::create(
                  b, planeWords[p],
                  arith::ConstantIntOp::create(b, b.getI32Type(), 4 * i)),
              i15)));
    if (!scalePerWord)
      std::tie(s, o) =
          coefficients(arith::AddIOp::create(b, firstCol, index(b, 4 * i)));
    // The same indices and coefficients serve every column of the block.
    for (int64_t c = 0; c < columns; ++c) {
      Value columnBase =
          arith::AddIOp::create(b, base, index(b, c * chunkEntries()));
      Value xsum = memref::LoadOp::create(
          b, tables,
          ValueRange{arith::AddIOp::create(b, columnBase, index(b, 15))});
      Value look = arith::MulFOp::create(b, xsum, f32(b, groupConstant));
      for (int64_t p = 0; p < planes; ++p) {
        Value t = memref::LoadOp::create(
            b, tables,
            ValueRange{arith::AddIOp::create(b, columnBase, nibbles[p])});
        look = math::FmaOp::create(b, t, f32(b, planeWeights[p]), look);
      }
      sums[c] = math::FmaOp::create(b, s, look, sums[c]);
      if (o)
        sums[c] = math::FmaOp::create(b, o, xsum, sums[c]);
    }
  }
  scf::YieldOp::create(b, sums);
  b.setInsertionPointAfter(loop);
  return SmallVector<Value>(loop.getResults());
}

void LookupKernel::storeRow(ImplicitLocOpBuilder &b, Value row,
                            Value firstColumn, ValueRange accs) const {
  Value n = memref::DimOp::create(b, y, 0);
  Type element = cast<MemRefType>(y.getType()).getElementType();
  for (auto [c, acc] : llvm::enumerate(accs)) {
    Value column = arith::AddIOp::create(b, firstColumn, index(b, c));
    Value inside = arith::AndIOp::create(
        b,
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, row, index(b, m)),
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, n));
    auto guard = scf::IfOp::create(b, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard restore(b);
    b.setInsertionPointToStart(&guard.getThenRegion().front());
    Value value = acc;
    if (splits > 1) {
      memref::AtomicRMWOp::create(b, arith::AtomicRMWKind::addf, value, y,
                                  ValueRange{column, row});
      continue;
    }
    if (element != value.getType())
      value = arith::TruncFOp::create(b, element, value);
    memref::StoreOp::create(b, value, y, ValueRange{column, row});
  }
}

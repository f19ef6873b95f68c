//===- LookupKernel.cpp - The GPU table-lookup GEMM kernel ----------------===//

#include "LookupKernel.h"

#include "loom/Conversion/KernelOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom::lut;
using mlir::loom::gpu_kernels::f32;
using mlir::loom::gpu_kernels::i32;
using mlir::loom::gpu_kernels::index;

Type LookupKernel::tableType(OpBuilder &b) const {
  return exact ? Type(b.getI32Type()) : Type(b.getF32Type());
}

int64_t LookupKernel::stateStride() const {
  return exact ? (offset ? 3 : 2) : 1;
}

SmallVector<Type> LookupKernel::stateTypes(OpBuilder &b) const {
  SmallVector<Type> types;
  for (int64_t c = 0; c < columns; ++c) {
    types.push_back(b.getF32Type());
    for (int64_t s = 1; s < stateStride(); ++s)
      types.push_back(b.getI32Type());
  }
  return types;
}

SmallVector<Value> LookupKernel::initialState(ImplicitLocOpBuilder &b) const {
  SmallVector<Value> state;
  for (Type type : stateTypes(b))
    state.push_back(type.isF32() ? f32(b, 0.0) : i32(b, 0));
  return state;
}

void LookupKernel::buildTables(ImplicitLocOpBuilder &b, Value tables,
                               Value thread, Value firstColumn,
                               Value chunk) const {
  Type element = tableType(b);
  Value zero = exact ? i32(b, 0) : f32(b, 0.0), kEnd = index(b, k);
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
    if (exact)
      v = arith::ExtSIOp::create(b, element, v);
    else if (v.getType() != element)
      v = arith::ExtFOp::create(b, element, v);
    v = arith::SelectOp::create(b, inside, v, zero);
    Value bit = arith::AndIOp::create(
        b, arith::ShRUIOp::create(b, pattern, index(b, l)), c1);
    Value set = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, bit, c0);
    Value negated = exact ? Value(arith::SubIOp::create(b, zero, v))
                          : Value(arith::NegFOp::create(b, v));
    Value term = arith::SelectOp::create(b, set, v, negated);
    sum = exact ? Value(arith::AddIOp::create(b, sum, term))
                : Value(arith::AddFOp::create(b, sum, term));
  }
  memref::StoreOp::create(b, sum, tables, entry);
  b.setInsertionPointAfter(loop);
}

/// The 32-bit words of each plane of row `row` at word `wordIndex`.
static SmallVector<Value> loadPlaneWords(ImplicitLocOpBuilder &b,
                                         const PlaneWords &weight, Value words,
                                         Value row, Value wordIndex) {
  SmallVector<Value> planeWords;
  for (int64_t p = 0; p < weight.planes; ++p) {
    Value at = arith::AddIOp::create(
        b,
        arith::MulIOp::create(
            b,
            arith::AddIOp::create(
                b, arith::MulIOp::create(b, wordIndex, index(b, weight.planes)),
                index(b, p)),
            index(b, weight.paddedRows)),
        row);
    planeWords.push_back(memref::LoadOp::create(b, words, at));
  }
  return planeWords;
}

/// The 4-bit indices of group `i` of each plane word, as indices.
static SmallVector<Value> nibbles(ImplicitLocOpBuilder &b,
                                  ArrayRef<Value> planeWords, int64_t i) {
  SmallVector<Value> result;
  for (Value word : planeWords)
    result.push_back(arith::IndexCastOp::create(
        b, b.getIndexType(),
        arith::AndIOp::create(b, arith::ShRUIOp::create(b, word, i32(b, 4 * i)),
                              i32(b, 15))));
  return result;
}

/// Column c's table entries of the group at `base` that the plane indices
/// pick, and its entry 15: the group's activation sum.
struct GroupEntries {
  Value xsum;
  SmallVector<Value> picked;
};

static GroupEntries loadGroupEntries(ImplicitLocOpBuilder &b, Value tables,
                                     Value base, int64_t columnOffset,
                                     ArrayRef<Value> indices) {
  Value columnBase = arith::AddIOp::create(b, base, index(b, columnOffset));
  GroupEntries entries;
  entries.xsum = memref::LoadOp::create(
      b, tables,
      ValueRange{arith::AddIOp::create(b, columnBase, index(b, 15))});
  for (Value at : indices)
    entries.picked.push_back(memref::LoadOp::create(
        b, tables, ValueRange{arith::AddIOp::create(b, columnBase, at)}));
  return entries;
}

/// At s * paddedRows + row of a per-(segment, row) table: the segment of K
/// position `col`.
static Value segmentSlot(ImplicitLocOpBuilder &b, const PlaneWords &weight,
                         Value row, Value col) {
  Value segment = arith::DivUIOp::create(b, col, index(b, weight.segment));
  return arith::AddIOp::create(
      b, arith::MulIOp::create(b, segment, index(b, weight.paddedRows)), row);
}

SmallVector<Value> LookupKernel::lookupChunk(ImplicitLocOpBuilder &b,
                                             Value tables, Value row,
                                             Value firstColumn, Value chunk,
                                             ValueRange state) const {
  auto loop = scf::ForOp::create(b, index(b, 0), index(b, kChunk / kWordK),
                                 index(b, 1), state);
  b.setInsertionPointToStart(loop.getBody());
  Value w = loop.getInductionVar();
  Value wordIndex = arith::AddIOp::create(
      b, arith::DivUIOp::create(b, chunk, index(b, kWordK)), w);
  SmallVector<Value> next =
      exact
          ? lookupWordExact(b, tables, row, firstColumn, wordIndex, w,
                            loop.getRegionIterArgs())
          : lookupWord(b, tables, row, wordIndex, w, loop.getRegionIterArgs());
  scf::YieldOp::create(b, next);
  b.setInsertionPointAfter(loop);
  return SmallVector<Value>(loop.getResults());
}

SmallVector<Value> LookupKernel::lookupWord(ImplicitLocOpBuilder &b,
                                            Value tables, Value row,
                                            Value wordIndex, Value w,
                                            ValueRange state) const {
  SmallVector<Value> sums(state);
  SmallVector<Value> planeWords =
      loadPlaneWords(b, weight, words, row, wordIndex);
  // The scale and offset of the segment holding K = `col`.
  auto coefficients = [&](Value col) -> std::pair<Value, Value> {
    Value at = segmentSlot(b, weight, row, col);
    Value s = memref::LoadOp::create(b, scale, at);
    Value o = offset ? Value(memref::LoadOp::create(b, offset, at)) : Value();
    return {s, o};
  };
  bool scalePerWord = weight.segment % kWordK == 0;
  Value firstCol = arith::MulIOp::create(b, wordIndex, index(b, kWordK));
  auto [s, o] =
      scalePerWord ? coefficients(firstCol) : std::pair<Value, Value>();
  for (int64_t i = 0; i < kWordK / 4; ++i) {
    Value group = arith::AddIOp::create(
        b, arith::MulIOp::create(b, w, index(b, kWordK / 4)), index(b, i));
    Value base = arith::MulIOp::create(b, group, index(b, 16));
    SmallVector<Value> indices = nibbles(b, planeWords, i);
    if (!scalePerWord)
      std::tie(s, o) =
          coefficients(arith::AddIOp::create(b, firstCol, index(b, 4 * i)));
    // The same indices and coefficients serve every column of the block.
    for (int64_t c = 0; c < columns; ++c) {
      GroupEntries entries =
          loadGroupEntries(b, tables, base, c * chunkEntries(), indices);
      Value look =
          arith::MulFOp::create(b, entries.xsum, f32(b, groupConstant));
      for (auto [p, t] : llvm::enumerate(entries.picked))
        look = math::FmaOp::create(b, t, f32(b, planeWeights[p]), look);
      sums[c] = math::FmaOp::create(b, s, look, sums[c]);
      if (o)
        sums[c] = math::FmaOp::create(b, o, entries.xsum, sums[c]);
    }
  }
  return sums;
}

SmallVector<Value> LookupKernel::lookupWordExact(ImplicitLocOpBuilder &b,
                                                 Value tables, Value row,
                                                 Value firstColumn,
                                                 Value wordIndex, Value w,
                                                 ValueRange state) const {
  int64_t stride = stateStride(), segment = weight.segment;
  SmallVector<Value> current(state);
  SmallVector<Value> planeWords =
      loadPlaneWords(b, weight, words, row, wordIndex);
  Value firstCol = arith::MulIOp::create(b, wordIndex, index(b, kWordK));
  Value n = memref::DimOp::create(b, x, 0);
  // 2 kappa 2^p and 2 c are integers: a group's sum of x * v(q), doubled,
  // is even (lut.md §2.1), so it halves exactly.
  SmallVector<int64_t> doubledWeights;
  for (double weightOfPlane : planeWeights)
    doubledWeights.push_back(std::llround(2 * weightOfPlane));
  int64_t doubledConstant = std::llround(2 * groupConstant);

  // The segment ending at K = `end` closes: every column adds
  // fl(s_x * s) * fl(sum) (and for mins, -min * s_x * X_S) to its result.
  auto close = [&](ValueRange open, Value end) {
    SmallVector<Value> closed(open);
    Value last = arith::SubIOp::create(b, end, index(b, 1));
    Value at = segmentSlot(b, weight, row, last);
    Value s = memref::LoadOp::create(b, scale, at);
    Value o = offset ? Value(memref::LoadOp::create(b, offset, at)) : Value();
    for (int64_t c = 0; c < columns; ++c) {
      Value column = arith::AddIOp::create(b, firstColumn, index(b, c));
      Value safe = arith::SelectOp::create(
          b, arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, n),
          column, index(b, 0));
      SmallVector<Value> scaleAt = {safe};
      // Segments past K (the padding) sum to 0; their scale is the last.
      if (cast<MemRefType>(xScale.getType()).getRank() == 2)
        scaleAt.push_back(arith::MinUIOp::create(
            b, arith::DivUIOp::create(b, last, index(b, xScaleBlock)),
            index(b, k / xScaleBlock - 1)));
      Value sx = memref::LoadOp::create(b, xScale, scaleAt);
      Value product = arith::MulFOp::create(b, sx, s);
      Value &acc = closed[c * stride];
      acc = math::FmaOp::create(
          b, product,
          arith::SIToFPOp::create(b, b.getF32Type(), closed[c * stride + 1]),
          acc);
      closed[c * stride + 1] = i32(b, 0);
      if (o) {
        acc = math::FmaOp::create(
            b, arith::MulFOp::create(b, o, sx),
            arith::SIToFPOp::create(b, b.getF32Type(), closed[c * stride + 2]),
            acc);
        closed[c * stride + 2] = i32(b, 0);
      }
    }
    return closed;
  };

  for (int64_t i = 0; i < kWordK / 4; ++i) {
    Value groupStart = arith::AddIOp::create(b, firstCol, index(b, 4 * i));
    Value group = arith::AddIOp::create(
        b, arith::MulIOp::create(b, w, index(b, kWordK / 4)), index(b, i));
    Value base = arith::MulIOp::create(b, group, index(b, 16));
    SmallVector<Value> indices = nibbles(b, planeWords, i);
    Value z = zeroPoints
                  ? Value(memref::LoadOp::create(
                        b, zeroPoints, segmentSlot(b, weight, row, groupStart)))
                  : Value();
    for (int64_t c = 0; c < columns; ++c) {
      GroupEntries entries =
          loadGroupEntries(b, tables, base, c * chunkEntries(), indices);
      Value xsum = entries.xsum;
      Value look = arith::MulIOp::create(b, xsum, i32(b, doubledConstant));
      for (auto [p, t] : llvm::enumerate(entries.picked))
        look = arith::AddIOp::create(
            b, look, arith::MulIOp::create(b, t, i32(b, doubledWeights[p])));
      Value sum = arith::ShRSIOp::create(b, look, i32(b, 1));
      if (z)
        sum = arith::SubIOp::create(b, sum, arith::MulIOp::create(b, z, xsum));
      Value &open = current[c * stride + 1];
      open = arith::AddIOp::create(b, open, sum);
      if (offset)
        current[c * stride + 2] =
            arith::AddIOp::create(b, current[c * stride + 2], xsum);
    }

    // Whether a segment ends after this group: known here when segments
    // and words align, else a test on K.
    int64_t endInWord = 4 * (i + 1);
    Value end = arith::AddIOp::create(b, firstCol, index(b, endInWord));
    if (segment % kWordK != 0 && kWordK % segment == 0) {
      if (endInWord % segment == 0)
        current = close(current, end);
      continue;
    }
    if (segment % kWordK == 0 && endInWord != kWordK)
      continue;
    Value ends = arith::CmpIOp::create(
        b, arith::CmpIPredicate::eq,
        arith::RemUIOp::create(b, end, index(b, segment)), index(b, 0));
    auto branch = scf::IfOp::create(b, ValueRange(current).getTypes(), ends,
                                    /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard inBranch(b);
      b.setInsertionPointToStart(&branch.getThenRegion().front());
      scf::YieldOp::create(b, close(current, end));
      b.setInsertionPointToStart(&branch.getElseRegion().front());
      scf::YieldOp::create(b, current);
    }
    current.assign(branch.getResults().begin(), branch.getResults().end());
  }
  return current;
}

Value LookupKernel::decodeWeight(ImplicitLocOpBuilder &b, Value row,
                                 Value col) const {
  SmallVector<Value> planeWords = loadPlaneWords(
      b, weight, words, row,
      arith::DivUIOp::create(b, col, index(b, kWordK)).getResult());
  // Bit l of group i's nibble: bit 4 i + l = col % 32 of each plane word.
  Value bit = arith::IndexCastOp::create(
      b, b.getI32Type(), arith::RemUIOp::create(b, col, index(b, kWordK)));
  Value code = f32(b, groupConstant);
  for (auto [p, word] : llvm::enumerate(planeWords)) {
    Value set = arith::CmpIOp::create(
        b, arith::CmpIPredicate::ne,
        arith::AndIOp::create(b, arith::ShRUIOp::create(b, word, bit),
                              i32(b, 1)),
        i32(b, 0));
    code = arith::AddFOp::create(
        b, code,
        arith::SelectOp::create(b, set, f32(b, planeWeights[p]),
                                f32(b, -planeWeights[p])));
  }
  Value at = segmentSlot(b, weight, row, col);
  Value value =
      arith::MulFOp::create(b, memref::LoadOp::create(b, scale, at), code);
  if (offset)
    value =
        arith::AddFOp::create(b, value, memref::LoadOp::create(b, offset, at));
  return value;
}

void LookupKernel::storeRow(ImplicitLocOpBuilder &b, Value row,
                            Value firstColumn, ValueRange state) const {
  Value n = memref::DimOp::create(b, y, 0);
  Type element = cast<MemRefType>(y.getType()).getElementType();
  for (int64_t c = 0; c < columns; ++c) {
    Value column = arith::AddIOp::create(b, firstColumn, index(b, c));
    Value inside = arith::AndIOp::create(
        b,
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, row, index(b, m)),
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, n));
    auto guard = scf::IfOp::create(b, inside, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard restore(b);
    b.setInsertionPointToStart(&guard.getThenRegion().front());
    Value value = state[c * stateStride()];
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

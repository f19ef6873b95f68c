//===- QuadKernel.cpp - The P64 table-lookup kernel -----------------------===//
//
// One plane per byte (W1, W3, trit3) leaves S16 no byte pair for
// vpmaddubsw: every 64 lookups pay two sign extensions and two adds. P64
// instead puts four consecutive lookup groups of one row in a byte quad, so
// that one vpermb looks up 64 indices in a register holding the four
// groups' tables (index = nibble + 16 l, or 14 l for trit3's tables, l the
// byte's place in its quad) and one vpdpbusd multiplies by the plane weight
// and sums the quad into the row's int32 lane. A load of 64 index bytes
// covers 32 rows (16 per nibble half) x 4 groups; a row block is 64 rows.
//
//===----------------------------------------------------------------------===//

#include "QuadKernel.h"
#include "KernelBuilders.h"
#include "SegmentEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::loom::lut;

/// int32 lanes of a vpdpbusd: rows per nibble half of a load.
static constexpr int64_t kQuadLanes = 16;

bool mlir::loom::lut::quadKernelApplies(const KernelPlan &plan,
                                        ByteShuffle isa) {
  return isa == ByteShuffle::Avx512Vbmi && !plan.wideTables &&
         quadTablesFit(plan.weight, plan.segment);
}

Value mlir::loom::lut::emitQuadKernel(OpBuilder &b, Location loc,
                                      Operation *anchor, const KernelPlan &plan,
                                      const QuadStream &stream,
                                      const ColumnSource &source,
                                      RankedTensorType resultType) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto vI8 = VectorType::get({kLoadBytes}, i8);
  auto vI32 = VectorType::get({kQuadLanes}, i32);
  auto vF32 = VectorType::get({kQuadLanes}, f32);
  auto tableType = cast<RankedTensorType>(source.table.getType());
  int64_t entries = tableType.getDimSize(2);
  int64_t g = plan.trit3 ? 3 : 4;
  int64_t segmentGroups = groupsPerSegment(plan.segment, g);
  int64_t quads = plan.k / plan.segment * stream.quadsPerSegment;
  int64_t planes = stream.planes;
  int64_t rowsPerBlock = QuadStream::kRowsPerBlock;
  // Loads of one row block: 2 (32 rows each), and int32 sums per column: 2
  // loads x 2 nibble halves, rows in order.
  constexpr int64_t kLoads = 2, kSums = 4;

  // The tables as one row of bytes per column, so that a quad's four
  // tables are one 64-byte read (trit3's 56 bytes and what follows: its
  // padded quads read index 0, the zero pattern's entry, of any table).
  // Only a segment's last quad can reach past a column's tables: its read
  // is masked.
  Value table = tensor::CollapseShapeOp::create(
      b, loc, source.table, SmallVector<ReassociationIndices>{{0}, {1, 2}});
  int64_t tableBytes = tableType.getDimSize(1) * entries;
  bool lastQuadMasked = segmentGroups % 4 != 0 || entries * 4 != kLoadBytes;
  Value indices = globalStream(b, loc, anchor, stream.indices);
  Value signs =
      plan.trit3 ? globalStream(b, loc, anchor, stream.signs) : Value();
  int64_t indexBytes = stream.indices.size(), signBytes = stream.signs.size();
  SegmentEpilogue epilogue(b, loc, plan.weight, stream.coefficients,
                           rowsPerBlock, plan.segment, source.tscale,
                           source.xsum, /*integerActivations=*/false);
  Value zeroI32 = splatConst(b, loc, vI32, b.getI32IntegerAttr(0));
  Value zeroI8 = splatConst(b, loc, vI8, b.getI8IntegerAttr(0));
  Value lowNibble = splatConst(b, loc, vI8, b.getI8IntegerAttr(15));
  Value four = splatConst(b, loc, vI8, b.getI8IntegerAttr(4));
  SmallVector<int8_t> quadOffsets;
  for (int64_t i = 0; i < kLoadBytes; ++i)
    quadOffsets.push_back(static_cast<int8_t>(i % 4 * entries));
  Value tableOffsets = arith::ConstantOp::create(
      b, loc, vI8, DenseElementsAttr::get(vI8, ArrayRef<int8_t>(quadOffsets)));
  // The plane weights as the unsigned bytes vpdpbusd multiplies by.
  SmallVector<Value> planeWeights;
  for (int64_t p = 0; p < planes; ++p)
    planeWeights.push_back(splatConst(
        b, loc, vI8,
        b.getI8IntegerAttr(plan.trit3 ? 1 : plan.quant.getPlaneWeight(p))));

  auto index = [&](OpBuilder &ob, int64_t v) { return indexConst(ob, loc, v); };
  auto mul = [&](OpBuilder &ob, Value a, int64_t v) -> Value {
    return arith::MulIOp::create(ob, loc, a, index(ob, v));
  };
  auto add = [&](OpBuilder &ob, Value a, Value c) -> Value {
    return arith::AddIOp::create(ob, loc, a, c);
  };

  // One quad of groups for a tile of columns: sums[c * kSums + 2 v + half].
  auto quad = [&](OpBuilder &ob, ArrayRef<Value> cols, Value block, Value s,
                  Value jq, ValueRange acc,
                  bool maskedTables) -> SmallVector<Value> {
    Value firstGroup = add(ob, mul(ob, s, segmentGroups), mul(ob, jq, 4));
    SmallVector<Value> tables;
    for (Value col : cols)
      tables.push_back(vector::TransferReadOp::create(
          ob, loc, vI8, table, ValueRange{col, mul(ob, firstGroup, entries)},
          arith::ConstantIntOp::create(ob, loc, i8, 0),
          ArrayRef<bool>{!maskedTables}));
    Value q = add(ob, mul(ob, s, stream.quadsPerSegment), jq);
    Value blockQuad = add(ob, mul(ob, block, quads), q);
    Value base = mul(ob, blockQuad, planes * kLoads * kLoadBytes);
    if (plan.prefetchDistance > 0)
      for (int64_t l = 0; l < planes * kLoads; ++l)
        prefetchStream(
            ob, loc, indices,
            add(ob, base, index(ob, plan.prefetchDistance + l * kLoadBytes)),
            indexBytes);
    // trit3: the negated lookups' masks, [2 v + half].
    SmallVector<Value> negate;
    if (plan.trit3) {
      Value signBase = mul(ob, blockQuad, kLoads * 16);
      if (plan.prefetchDistance > 0)
        prefetchStream(ob, loc, signs,
                       add(ob, signBase, index(ob, plan.prefetchDistance / 4)),
                       signBytes);
      // One 8-byte read per mask: a kmovq from memory.
      for (int64_t word = 0; word < 2 * kLoads; ++word)
        negate.push_back(vector::BitCastOp::create(
            ob, loc, VectorType::get({kLoadBytes}, ob.getI1Type()),
            vector::TransferReadOp::create(
                ob, loc, VectorType::get({8}, i8), signs,
                ValueRange{add(ob, signBase, index(ob, 8 * word))},
                arith::ConstantIntOp::create(ob, loc, i8, 0),
                ArrayRef<bool>{true})));
    }
    SmallVector<Value> sums(acc);
    for (int64_t p = 0; p < planes; ++p)
      for (int64_t v = 0; v < kLoads; ++v) {
        Value bytes = vector::TransferReadOp::create(
            ob, loc, vI8, indices,
            ValueRange{add(ob, base, index(ob, (p * kLoads + v) * kLoadBytes))},
            arith::ConstantIntOp::create(ob, loc, i8, 0), ArrayRef<bool>{true});
        Value halves[2] = {arith::AndIOp::create(ob, loc, bytes, lowNibble),
                           arith::ShRUIOp::create(ob, loc, bytes, four)};
        for (int64_t half = 0; half < 2; ++half) {
          Value at = arith::AddIOp::create(ob, loc, halves[half], tableOffsets);
          for (auto [c, columnTable] : llvm::enumerate(tables)) {
            Value entries = permuteBytes(ob, loc, columnTable, at);
            if (plan.trit3)
              entries = arith::SelectOp::create(
                  ob, loc, negate[2 * v + half],
                  arith::SubIOp::create(ob, loc, zeroI8, entries), entries);
            Value &sum = sums[c * kSums + 2 * v + half];
            sum = dotQuads(ob, loc, ByteShuffle::Avx512Vbmi, sum,
                           planeWeights[p], entries);
          }
        }
      }
    return sums;
  };

  auto segment = [&](OpBuilder &ob, ArrayRef<Value> cols, ArrayRef<Value> valid,
                     Value block, Value s, ValueRange y) -> SmallVector<Value> {
    int64_t unmasked = stream.quadsPerSegment - (lastQuadMasked ? 1 : 0);
    SmallVector<Value> acc(buildLoop(
        ob, loc, index(ob, unmasked),
        SmallVector<Value>(kSums * cols.size(), zeroI32),
        [&](OpBuilder &qb, Value jq, ValueRange sums) {
          return quad(qb, cols, block, s, jq, sums, /*maskedTables=*/false);
        }));
    if (lastQuadMasked)
      acc = quad(ob, cols, block, s, index(ob, unmasked), acc,
                 /*maskedTables=*/true);
    return epilogue.applyTile(ob, block, s, cols, valid, kQuadLanes, acc, y);
  };

  // Four int32 sums per column: tiles of columnTile columns keep them,
  // the tables and the index vectors within the 32 vector registers.
  int64_t tileN = plan.columnTile;
  int64_t columnBlock =
      std::max<int64_t>(tileN, plan.tableBudget / tableBytes / tileN * tileN);
  return buildKernelLoops(b, loc, plan, source, resultType,
                          {rowsPerBlock, tileN, columnBlock, kSums, vF32},
                          segment);
}

//===- LutToVector.cpp - The convert-lut-to-vector pass -------------------===//
//
// One loop nest per lookup -> epilogue chain (lut.md §4.3, variants S16 and,
// over trit3 weights, T3):
//
//   for block of columns (tables within table-budget):
//     forall row block rb (R = 64 or 128 rows):      y[cols, rb*R .. +R]
//       for tile of column-tile columns (then tiles of 2, 1):
//         for segment s:                             fp32 epilogue per s
//           for chunk of the segment's groups:       int16 -> int32 flush
//             for group j of the chunk, load v:      64-byte index load,
//               byte lookups per column, weighed int16 adds
//
// T3 reads one plane of sign-canonical triple indices (14-entry tables) and
// negates the lookups its sign words select (a masked subtract from zero).
//
// Lookups sum in int16 only as long as no sum can overflow (|T| <= 127 for
// int8 tables, low bytes <= 255 for int16 ones), then flush to int32, so the
// result is the exact integer sum of lut.lookup_accumulate; the epilogue is
// scale_combine's.
//
//===----------------------------------------------------------------------===//

#include "BitplaneStream.h"
#include "ByteOps.h"
#include "DotKernel.h"
#include "KernelBuilders.h"
#include "LookupKernel.h"
#include "QuadKernel.h"
#include "SegmentEpilogue.h"
#include "TablePrecompute.h"

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTLUTTOVECTOR
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

namespace {

/// Largest |entry| of an int8 table (lut-quantize-tables rounds T / tscale
/// with tscale = max |T| / 127), and largest low byte of an int16 table.
constexpr int64_t kMaxEntry = 127;
constexpr int64_t kMaxLowByte = 255;
/// Widest column tile, lut.gemm's widest candidate: the kernels keep each
/// column's sums in registers and unroll over the tile, so a wider one
/// only spills while its code and compile time grow with it.
constexpr int64_t kMaxColumnTile = 8;

/// Emits the loop nest; returns y [N, M].
Value emitKernel(OpBuilder &b, Location loc, Operation *anchor,
                 const KernelPlan &plan, const BitplaneStream &stream,
                 ByteShuffle isa, const ColumnSource &source,
                 RankedTensorType resultType) {
  Value table = source.table, tscale = source.tscale, xsum = source.xsum;
  Type i8 = b.getI8Type(), i16 = b.getI16Type(), i32 = b.getI32Type(),
       f32 = b.getF32Type();
  const StreamGeometry &geometry = stream.geometry;
  int64_t lanes = geometry.lanes(), rowsPerBlock = geometry.rowsPerBlock();
  auto v16i8 = VectorType::get({16}, i8);
  auto vI8 = VectorType::get({kLoadBytes}, i8);
  auto lanesOf = [&](Type t) { return VectorType::get({lanes}, t); };
  VectorType vI16 = lanesOf(i16), vI32 = lanesOf(i32), vF32 = lanesOf(f32);
  int64_t parts = plan.wideTables ? 2 : 1;
  int64_t loads =
      plan.trit3 ? 1 : plan.quant.getNumPlanes() / geometry.planesPerRow;
  int64_t g = plan.trit3 ? 3 : 4;
  int64_t groups = tableGroups(plan.k, plan.segment, g);
  int64_t segmentGroups = groupsPerSegment(plan.segment, g);
  int64_t chunks = llvm::divideCeil(segmentGroups, plan.chunk);
  // trit3's 14-entry tables are read as 16 bytes, masked.
  bool fullTables = cast<RankedTensorType>(table.getType()).getDimSize(2) == 16;

  // The index stream is a global memref rather than a tensor constant, so
  // that the kernel can prefetch it.
  int64_t streamBytes = stream.indices.size();
  Value indices = globalStream(b, loc, anchor, stream.indices);
  int64_t signBytes = stream.signs.size();
  Value signs =
      plan.trit3 ? globalStream(b, loc, anchor, stream.signs) : Value();
  Value c0 = indexConst(b, loc, 0);
  SegmentEpilogue epilogue(b, loc, plan.weight, stream.coefficients,
                           rowsPerBlock, plan.segment, tscale, xsum,
                           plan.wideTables);
  Value zeroI16 = splatConst(b, loc, vI16, b.getI16IntegerAttr(0));
  Value zeroI32 = splatConst(b, loc, vI32, b.getI32IntegerAttr(0));
  Value lowNibble = splatConst(b, loc, vI8, b.getI8IntegerAttr(15));
  Value four = splatConst(b, loc, vI8, b.getI8IntegerAttr(4));
  // Per load: the plane weights, as int16 lanes (one plane per byte) or as
  // the unsigned byte pairs vpmaddubsw multiplies (two planes per row).
  SmallVector<Value> loadWeights;
  for (int64_t v = 0; v < loads; ++v) {
    if (geometry.planesPerRow == 1) {
      loadWeights.push_back(splatConst(
          b, loc, vI16, b.getI16IntegerAttr(plan.quant.getPlaneWeight(v))));
      continue;
    }
    SmallVector<int8_t> pairs;
    for (int64_t i = 0; i < kLoadBytes; ++i)
      pairs.push_back(plan.quant.getPlaneWeight(2 * v + i % 2));
    loadWeights.push_back(arith::ConstantOp::create(
        b, loc, vI8, DenseElementsAttr::get(vI8, ArrayRef<int8_t>(pairs))));
  }

  auto mul = [&](OpBuilder &ob, Value a, int64_t v) -> Value {
    return arith::MulIOp::create(ob, loc, a, indexConst(ob, loc, v));
  };
  auto add = [&](OpBuilder &ob, Value a, Value c) -> Value {
    return arith::AddIOp::create(ob, loc, a, c);
  };

  // One group: the lookups of every plane of a row block for each column
  // of the tile, into the int16 sums of its two halves (acc[(2 c + half) *
  // parts + p], p the byte table). The index loads and nibble splits are
  // shared by the tile's columns.
  auto group = [&](OpBuilder &ob, ArrayRef<Value> cols, Value block, Value j,
                   ValueRange acc) -> SmallVector<Value> {
    // tables[c * parts + p]: byte table p of column c.
    SmallVector<Value> tables;
    for (Value col : cols) {
      if (!plan.wideTables) {
        Value t16 = vector::TransferReadOp::create(
            ob, loc, v16i8, table, ValueRange{col, j, c0},
            arith::ConstantIntOp::create(ob, loc, i8, 0),
            ArrayRef<bool>{fullTables});
        tables.push_back(prepareByteTable(ob, loc, isa, t16));
        continue;
      }
      Value wide = vector::TransferReadOp::create(
          ob, loc, VectorType::get({16}, i16), table, ValueRange{col, j, c0},
          arith::ConstantIntOp::create(ob, loc, i16, 0),
          ArrayRef<bool>{fullTables});
      Value high = arith::ShRSIOp::create(
          ob, loc, wide,
          splatConst(ob, loc, cast<VectorType>(wide.getType()),
                     ob.getI16IntegerAttr(8)));
      for (Value part : {wide, high})
        tables.push_back(prepareByteTable(
            ob, loc, isa, arith::TruncIOp::create(ob, loc, v16i8, part)));
    }
    Value base =
        mul(ob, add(ob, mul(ob, block, groups), j), loads * kLoadBytes);
    SmallVector<Value> sums(acc);
    if (plan.prefetchDistance > 0)
      for (int64_t v = 0; v < loads; ++v)
        prefetchStream(
            ob, loc, indices,
            add(ob, base,
                indexConst(ob, loc, plan.prefetchDistance + v * kLoadBytes)),
            streamBytes);
    // trit3: the sign masks of the two halves' 64 rows.
    Value negate[2];
    if (plan.trit3) {
      Value signBase = mul(ob, add(ob, mul(ob, block, groups), j), 16);
      if (plan.prefetchDistance > 0)
        prefetchStream(
            ob, loc, signs,
            add(ob, signBase, indexConst(ob, loc, plan.prefetchDistance / 4)),
            signBytes);
      Value words = vector::TransferReadOp::create(
          ob, loc, v16i8, signs, ValueRange{signBase},
          arith::ConstantIntOp::create(ob, loc, i8, 0), ArrayRef<bool>{true});
      for (int64_t half = 0; half < 2; ++half)
        negate[half] = vector::BitCastOp::create(
            ob, loc, VectorType::get({kLoadBytes}, ob.getI1Type()),
            vector::ExtractStridedSliceOp::create(
                ob, loc, words, ArrayRef<int64_t>{8 * half},
                ArrayRef<int64_t>{8}, ArrayRef<int64_t>{1}));
    }
    auto negated = [&](Value v, int64_t half) -> Value {
      Value zero = splatConst(ob, loc, cast<VectorType>(v.getType()),
                              ob.getZeroAttr(getElementTypeOrSelf(v)));
      return arith::SelectOp::create(
          ob, loc, negate[half], arith::SubIOp::create(ob, loc, zero, v), v);
    };
    for (int64_t v = 0; v < loads; ++v) {
      Value bytes = vector::TransferReadOp::create(
          ob, loc, vI8, indices,
          ValueRange{add(ob, base, indexConst(ob, loc, v * kLoadBytes))},
          arith::ConstantIntOp::create(ob, loc, i8, 0), ArrayRef<bool>{true});
      Value halves[2] = {arith::AndIOp::create(ob, loc, bytes, lowNibble),
                         arith::ShRUIOp::create(ob, loc, bytes, four)};
      for (int64_t half = 0; half < 2; ++half) {
        for (auto [t, byteTable] : llvm::enumerate(tables)) {
          int64_t c = t / parts;
          // The low bytes of an int16 table are unsigned.
          bool unsignedEntries = plan.wideTables && t % parts == 0;
          Value entries = lookupBytes(ob, loc, isa, byteTable, halves[half]);
          // Signed int8 entries negate as bytes (|T| <= 127); the unsigned
          // low bytes of int16 tables after widening.
          if (plan.trit3 && !plan.wideTables)
            entries = negated(entries, half);
          Value weighted;
          if (geometry.planesPerRow == 2) {
            weighted =
                unsignedEntries
                    ? multiplyAddPairs(ob, loc, isa, entries, loadWeights[v])
                    : multiplyAddPairs(ob, loc, isa, loadWeights[v], entries);
          } else {
            weighted =
                unsignedEntries
                    ? arith::ExtUIOp::create(ob, loc, vI16, entries).getResult()
                    : arith::ExtSIOp::create(ob, loc, vI16, entries)
                          .getResult();
            if (plan.quant.getPlaneWeight(v) != 1)
              weighted =
                  arith::MulIOp::create(ob, loc, weighted, loadWeights[v]);
            if (plan.trit3 && plan.wideTables)
              weighted = negated(weighted, half);
          }
          Value &sum = sums[(2 * c + half) * parts + t % parts];
          sum = arith::AddIOp::create(ob, loc, sum, weighted);
        }
      }
    }
    return sums;
  };

  // One segment of a tile of columns: int16 chunks flushed to int32, then
  // the fp32 epilogue; y[2 c + half] as in `group`.
  auto segment = [&](OpBuilder &ob, ArrayRef<Value> cols, ArrayRef<Value> valid,
                     Value block, Value s, ValueRange y) -> SmallVector<Value> {
    size_t sums = 2 * cols.size();
    Value first = mul(ob, s, segmentGroups);
    ValueRange acc = buildLoop(
        ob, loc, indexConst(ob, loc, chunks), SmallVector<Value>(sums, zeroI32),
        [&](OpBuilder &cb, Value c, ValueRange acc32) -> SmallVector<Value> {
          Value start = mul(cb, c, plan.chunk);
          Value count = arith::MinSIOp::create(
              cb, loc, indexConst(cb, loc, plan.chunk),
              arith::SubIOp::create(cb, loc, indexConst(cb, loc, segmentGroups),
                                    start));
          ValueRange acc16 = buildLoop(
              cb, loc, count, SmallVector<Value>(sums * parts, zeroI16),
              [&](OpBuilder &gb, Value jj, ValueRange a) {
                return group(gb, cols, block,
                             add(gb, add(gb, first, start), jj), a);
              });
          SmallVector<Value> flushed;
          for (size_t i = 0; i < acc32.size(); ++i) {
            auto part = [&](int64_t p) -> Value {
              return arith::ExtSIOp::create(cb, loc, vI32,
                                            acc16[i * parts + p]);
            };
            Value total = part(0);
            if (plan.wideTables)
              total = arith::AddIOp::create(
                  cb, loc, total,
                  arith::ShLIOp::create(
                      cb, loc, part(1),
                      splatConst(cb, loc, vI32, cb.getI32IntegerAttr(8))));
            flushed.push_back(arith::AddIOp::create(cb, loc, acc32[i], total));
          }
          return flushed;
        });
    return epilogue.applyTile(ob, block, s, cols, valid, lanes, acc, y);
  };

  // Columns come in blocks whose tables (K / 4 x 16 bytes per column) fit
  // in L2 next to a row block's stream.
  // Two byte tables and sums per column with int16 tables: half the
  // columns keep them within the vector registers.
  int64_t tileN = plan.wideTables ? std::max<int64_t>(1, plan.columnTile / 2)
                                  : plan.columnTile;
  int64_t columnBlock = std::max<int64_t>(
      tileN, plan.tableBudget / (groups * 16) / tileN * tileN);
  return buildKernelLoops(b, loc, plan, source, resultType,
                          {rowsPerBlock, tileN, columnBlock, 2, vF32}, segment);
}

/// The tables and column terms as given, or the sources of their
/// lut.gather_rows when all three gather the same rows.
ColumnSource columnSource(Value table, Value tscale, Value xsum) {
  auto gathers = {table.getDefiningOp<GatherRowsOp>(),
                  tscale.getDefiningOp<GatherRowsOp>(),
                  xsum.getDefiningOp<GatherRowsOp>()};
  Value rows;
  for (GatherRowsOp gather : gathers) {
    if (!gather || (rows && gather.getRows() != rows))
      return {table, tscale, xsum, Value()};
    rows = gather.getRows();
  }
  auto source = [](Value v) {
    return v.getDefiningOp<GatherRowsOp>().getSource();
  };
  return {source(table), source(tscale), source(xsum), rows};
}

struct LookupEpilogueToVector : OpRewritePattern<ScaleCombineOp> {
  LookupEpilogueToVector(MLIRContext *ctx, ByteShuffle isa,
                         KernelSchedule defaults, int64_t tableBudget)
      : OpRewritePattern(ctx), isa(isa), defaults(defaults),
        tableBudget(tableBudget) {}

  LogicalResult matchAndRewrite(ScaleCombineOp op,
                                PatternRewriter &rewriter) const override {
    auto lookup = op.getAcc().getDefiningOp<LookupAccumulateOp>();
    if (!lookup || lookup.getWeight() != op.getWeight() || !op.getTscale())
      return rewriter.notifyMatchFailure(op, "not a quantized lookup chain");
    PackedType packed = op.getWeight().getType();
    LayoutAttr layout = packed.getLayout();
    auto tableType = cast<RankedTensorType>(lookup.getTable().getType());
    Type entry = tableType.getElementType();
    bool trit3 = layout.getKind() == LayoutKind::Trit3;
    bool fullBitplaneTables = layout.getKind() == LayoutKind::Bitplane &&
                              layout.getLookupGroup() == 4 &&
                              tableType.getDimSize(2) == 16;
    if (!(entry.isInteger(8) || entry.isInteger(16)) ||
        !(trit3 || fullBitplaneTables))
      return rewriter.notifyMatchFailure(
          op, "not int8 or int16 tables over trit3 weights, nor full ones of "
              "groups of 4 over bitplane weights");
    auto pack = op.getWeight().getDefiningOp<PackOp>();
    if (!pack)
      return rewriter.notifyMatchFailure(op, "weight is not a lut.pack");
    int64_t segment = lookup.getSegment();
    QuantAttr quant = packed.getQuant();
    bool wide = entry.isInteger(16);
    // The largest factor a lookup is summed with: trit3's one plane, else
    // the plane weights.
    int64_t weightSum = trit3 ? 1 : 0;
    for (unsigned p = 0; !trit3 && p < quant.getNumPlanes(); ++p)
      weightSum += quant.getPlaneWeight(p);
    KernelSchedule schedule = scheduleOf(op, defaults).forLookups();
    KernelPlan plan{
        packed.getM(),
        packed.getK(),
        segment,
        packed,
        quant,
        std::max<int64_t>(
            1, INT16_MAX / ((wide ? kMaxLowByte : kMaxEntry) * weightSum)),
        schedule.prefetchDistance,
        schedule.columnTile,
        tableBudget,
        wide,
        trit3};
    ColumnSource source =
        columnSource(lookup.getTable(), op.getTscale(), op.getXsum());
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    Location loc = op.getLoc();
    // The quad layout from the decision's N on; without one, wherever it
    // fits but for a padded stream's GEMV: from DRAM at N = 1 trit3's 9 %
    // longer P64 stream costs more than P64 saves (bench/README.md).
    int64_t quadFrom = 0;
    if (quadKernelApplies(plan, isa))
      quadFrom = schedule.quadFromN.value_or(
          quadTablesArePadded(plan.weight, segment) ? 2 : 1);
    std::optional<int64_t> staticN;
    if (!resultType.isDynamicDim(0))
      staticN = resultType.getDimSize(0);
    // Each stream a kernel reads, folded once before any IR is built.
    std::optional<BitplaneStream> bitplane;
    std::optional<QuadStream> quads;
    if (quadFrom != 1 && (!staticN || quadFrom == 0 || *staticN < quadFrom)) {
      FailureOr<BitplaneStream> stream =
          trit3 ? foldTrit3Stream(pack, segment)
                : foldBitplaneStream(pack, segment);
      if (failed(stream))
        return rewriter.notifyMatchFailure(op, "weight is not constant");
      bitplane = std::move(*stream);
    }
    if (quadFrom != 0 && (!staticN || *staticN >= quadFrom)) {
      FailureOr<QuadStream> stream = foldQuadStream(pack, segment);
      if (failed(stream))
        return rewriter.notifyMatchFailure(op, "weight is not constant");
      quads = std::move(*stream);
    }
    Value n;
    if (!staticN && (schedule.splitsGemv() || quadFrom > 1))
      n = tensor::DimOp::create(rewriter, loc,
                                source.rows ? source.rows : source.table, 0);
    // The kernel for the column counts of which `known` is the one (if
    // any).
    auto kernelFor = [&](OpBuilder &b, std::optional<int64_t> known,
                         int64_t prefetch) -> Value {
      KernelPlan kernelPlan = plan;
      kernelPlan.prefetchDistance = prefetch;
      auto shuffleKernel = [&](OpBuilder &bb) {
        return emitKernel(bb, loc, op, kernelPlan, *bitplane, isa, source,
                          resultType);
      };
      auto quadKernel = [&](OpBuilder &bb) {
        return emitQuadKernel(bb, loc, op, kernelPlan, *quads, source,
                              resultType);
      };
      if (quadFrom == 0 || (known && *known < quadFrom))
        return shuffleKernel(b);
      if (quadFrom == 1 || known)
        return quadKernel(b);
      return branchOnColumns(b, loc, n, quadFrom, resultType, shuffleKernel,
                             quadKernel);
    };
    Value y = !staticN && schedule.splitsGemv()
                  ? branchOnColumns(
                        rewriter, loc, n, 2, resultType,
                        [&](OpBuilder &b) {
                          return kernelFor(b, 1, *schedule.gemvPrefetch);
                        },
                        [&](OpBuilder &b) {
                          return kernelFor(b, std::nullopt,
                                           schedule.prefetchDistance);
                        })
                  : kernelFor(rewriter, staticN, schedule.prefetchDistance);
    rewriter.replaceOp(op, y);
    if (lookup->use_empty())
      rewriter.eraseOp(lookup);
    return success();
  }

  ByteShuffle isa;
  /// The pass options: the schedule where no decision names one.
  KernelSchedule defaults;
  int64_t tableBudget;
};

struct ConvertLutToVectorPass
    : loom::impl::ConvertLutToVectorBase<ConvertLutToVectorPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<ByteShuffle> shuffle = parseByteShuffle(isa);
    if (!shuffle) {
      emitError(getOperation().getLoc())
          << "convert-lut-to-vector: unknown isa '" << isa
          << "' (expected avx512-vbmi, avx512-vnni, avx512, avx2 or generic)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    if (columnTile < 1 || columnTile > kMaxColumnTile) {
      emitError(getOperation().getLoc())
          << "convert-lut-to-vector: column-tile must be between 1 and "
          << kMaxColumnTile << ", got " << int64_t(columnTile);
      return signalPassFailure();
    }
    if (prefetchDistance < 0) {
      emitError(getOperation().getLoc())
          << "convert-lut-to-vector: prefetch-distance must be 0 (none) or "
             "a byte count, got "
          << int64_t(prefetchDistance);
      return signalPassFailure();
    }
    if (quadFromN < -1) {
      emitError(getOperation().getLoc())
          << "convert-lut-to-vector: quad-from-n must be -1 (the kernels' "
             "rule), 0 (never) or an N, got "
          << int64_t(quadFromN);
      return signalPassFailure();
    }
    KernelSchedule defaults{columnTile, prefetchDistance};
    if (quadFromN >= 0)
      defaults.quadFromN = quadFromN;
    patterns.add<LookupEpilogueToVector>(&getContext(), *shuffle, defaults,
                                         tableBudget);
    populateDotKernelPatterns(patterns, *shuffle, columnTile, prefetchDistance);
    populateTablePrecomputeToVectorPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

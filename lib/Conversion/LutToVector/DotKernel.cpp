//===- DotKernel.cpp - The int8-dot kernel of convert-lut-to-vector -------===//
//
// lut.md §4.2: for large N, multiplying int8 activations by the weights'
// lookup values beats looking up tables once the 4-bit-per-weight stream
// is unpacked (two byte lookups per 128 weights) and shared by a tile of
// columns. One `vpdpbusd` covers 16 rows x 4 K of one column:
//
//   forall row block rb (64 rows = 4 vectors of 16):  y[:, rb*64 .. +64]
//     for tile of column-tile columns (then tiles of 2, 1):
//       for segment s:                               fp32 epilogue per s
//         for 8 K of the segment:                    4 stream loads,
//           unpack to values, per column 2 word broadcasts (loads) and
//           8 dot products (a lone column: the index form, below, with
//           one masked field operand per dot product and no lookup)
//
// The weight side must be the signed operand, so activations enter as
// x + 128 (unsigned; a copy made once per GEMM, whose words the broadcasts
// load as they are) and the kernel subtracts 128 * sum of the row's values
// over the segment, a folded constant: the int32 sums are exactly those of
// lut.dot_accumulate, or where the epilogue takes the encoding offset as an
// integer, those plus (c / kappa) * X_int, the values being shifted by
// c / kappa.
//
//===----------------------------------------------------------------------===//

#include "DotKernel.h"
#include "BitplaneStream.h"
#include "KernelBuilders.h"
#include "SegmentEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// Rows of one dot product's int32 lanes and row vectors per block.
constexpr int64_t kRowLanes = 16;
constexpr int64_t kRowVectors = 4;
constexpr int64_t kBlockRows = kRowLanes * kRowVectors;

/// Where every value is affine in its index, v = 2^slopeLog2 * i +
/// intercept: the one-column tile's form (emitDotKernel).
struct IndexForm {
  int64_t slopeLog2, intercept;
};

/// A constant weight folded for the kernel.
struct DotStream {
  /// Bits per value index (PackedType::getDotIndexBits: 1, 2 or 4), so a
  /// byte holds `fields` = 8 / bits of them and a step covers K = 4 * fields.
  int64_t bits;
  int64_t fields() const { return 8 / bits; }
  int64_t stepK() const { return 4 * fields(); }
  /// For row block rb, step t and row vector r, the 64 bytes at
  /// ((rb * K/stepK + t) * 4 + r) * 64: field f (bits f*bits ..) of byte
  /// 4i + l holds the value index of row rb * 64 + 16 r + i at K = t * stepK
  /// + 4 f + l. Rows past M hold index 0.
  std::vector<int8_t> indices;
  /// The value of each index: its lookup value (PackedType::getLookupValue)
  /// plus offsetUnits, so that the sums hold (c / kappa) * X_int and no
  /// epilogue adds it per accumulator.
  SmallVector<int8_t, 16> values;
  /// c / kappa where the epilogue takes the encoding offset as an integer
  /// (SegmentEpilogue::integerOffsetUnitsOf).
  std::optional<int64_t> offsetUnits;
  /// Indices in use: values[0 .. levels).
  int64_t levels;
  /// At (rb * segments + s) * 64 + r: -128 * the row's values summed over
  /// the segment (0 past M), where the segment's sums start.
  std::vector<int32_t> offsetSums;
  RowCoefficients coefficients;
};

/// The 4-bit index of a code: its level (the code's value as an unsigned
/// integer, for ternary min(code & 3, 2)), in which every encoding's
/// lookup value is affine.
unsigned valueIndex(PackedType packed, uint8_t code) {
  QuantAttr quant = packed.getQuant();
  if (quant.getEncoding() == Encoding::Ternary)
    return std::min(code & 3, 2);
  return code & ((1u << quant.getNumPlanes()) - 1);
}

/// The index form of `stream`'s values where the target has `vpdpbusd` and
/// the per-field sums fit in int32 (at most 255 * 128 per K element).
std::optional<IndexForm> indexFormOf(const DotStream &stream, ByteShuffle isa,
                                     int64_t segment) {
  if (isa != ByteShuffle::Avx512Vnni && isa != ByteShuffle::Avx512Vbmi)
    return std::nullopt;
  if (255 * 128 * segment >= (int64_t(1) << 31))
    return std::nullopt;
  int64_t slope = stream.values[1] - stream.values[0];
  if (slope <= 0 || !llvm::isPowerOf2_64(slope))
    return std::nullopt;
  for (int64_t i = 0; i < stream.levels; ++i)
    if (stream.values[i] != stream.values[0] + slope * i)
      return std::nullopt;
  return IndexForm{llvm::Log2_64(slope), stream.values[0]};
}

FailureOr<DotStream> foldDotStream(PackOp pack, int64_t segment, int64_t bits) {
  DenseElementsAttr codesAttr;
  if (!matchPattern(pack.getCodes(), m_Constant(&codesAttr)))
    return failure();
  FailureOr<RowCoefficients> coefficients =
      foldRowCoefficients(pack, segment, kBlockRows);
  if (failed(coefficients))
    return failure();
  PackedType packed = pack.getResult().getType();
  DotStream stream;
  stream.bits = bits;
  int64_t m = packed.getM(), k = packed.getK(), stepK = stream.stepK();
  int64_t steps = k / stepK;
  int64_t blocks = llvm::divideCeil(m, kBlockRows), segments = k / segment;

  stream.offsetUnits =
      SegmentEpilogue::integerOffsetUnitsOf(packed, *coefficients, segment);
  stream.coefficients = std::move(*coefficients);
  int64_t shift = stream.offsetUnits.value_or(0);
  // Index and -128 * value of every byte a code can hold, once, instead of
  // per weight.
  uint8_t indexOf[256];
  int32_t offsetOf[256];
  for (unsigned code = 0; code < 256; ++code) {
    indexOf[code] = valueIndex(packed, code);
    offsetOf[code] = -128 * (packed.getLookupValue(code) + shift);
  }
  stream.values.assign(16, 0);
  stream.levels = 0;
  for (unsigned code = 0; code < 16; ++code) {
    stream.values[indexOf[code]] = packed.getLookupValue(code) + shift;
    stream.levels = std::max<int64_t>(stream.levels, indexOf[code] + 1);
  }
  stream.indices.assign(blocks * steps * kRowVectors * 64, 0);
  stream.offsetSums.assign(blocks * segments * kBlockRows, 0);
  std::vector<uint8_t> codes;
  codes.reserve(m * k);
  for (int8_t c : codesAttr.getValues<int8_t>())
    codes.push_back(static_cast<uint8_t>(c));
  for (int64_t row = 0; row < m; ++row) {
    int64_t block = row / kBlockRows, r = (row % kBlockRows) / kRowLanes,
            i = row % kRowLanes;
    const uint8_t *rowCodes = codes.data() + row * k;
    for (int64_t kk = 0; kk < k; ++kk) {
      int64_t t = kk / stepK, l = kk % 4, shift = (kk % stepK) / 4 * bits;
      int8_t &byte =
          stream.indices[((block * steps + t) * kRowVectors + r) * 64 + 4 * i +
                         l];
      byte = static_cast<int8_t>(static_cast<uint8_t>(byte) |
                                 (indexOf[rowCodes[kk]] << shift));
      stream.offsetSums[(block * segments + kk / segment) * kBlockRows +
                        row % kBlockRows] += offsetOf[rowCodes[kk]];
    }
  }
  return stream;
}

/// `x` [N, `k`] + 128 as unsigned bytes (the sign bit flipped), the
/// operand `vpdpbusd` takes unsigned: made once per GEMM, so that the dot
/// products read their activation words straight from memory.
static Value flipSignBits(OpBuilder &b, Location loc, Value x, int64_t k,
                          int64_t stepK) {
  Type i8 = b.getI8Type();
  int64_t chunk = stepK;
  while (chunk < 64 && k % (2 * chunk) == 0)
    chunk *= 2;
  auto vChunk = VectorType::get({chunk}, i8);
  Value signBits = splatConst(b, loc, vChunk, b.getI8IntegerAttr(-128));
  auto type = cast<RankedTensorType>(x.getType());
  Value rows = tensor::DimOp::create(b, loc, x, 0);
  Value init = emptyWithRows(b, loc, type, rows);
  return buildLoop(
      b, loc, rows, init,
      [&](OpBuilder &rb, Value row, ValueRange out) -> SmallVector<Value> {
        return buildLoop(
            rb, loc, indexConst(rb, loc, k / chunk), out,
            [&](OpBuilder &cb, Value i,
                ValueRange slice) -> SmallVector<Value> {
              Value at =
                  arith::MulIOp::create(cb, loc, i, indexConst(cb, loc, chunk));
              Value bytes = vector::TransferReadOp::create(
                  cb, loc, vChunk, x, ValueRange{row, at},
                  arith::ConstantIntOp::create(cb, loc, i8, 0),
                  ArrayRef<bool>{true});
              Value written =
                  vector::TransferWriteOp::create(
                      cb, loc, arith::XOrIOp::create(cb, loc, bytes, signBits),
                      slice[0], ValueRange{row, at}, ArrayRef<bool>{true})
                      .getResult();
              return {written};
            });
      })[0];
}

/// Emits the loop nest; returns y [N, M].
Value emitDotKernel(OpBuilder &b, Location loc, Operation *anchor,
                    PackedType packed, int64_t segment, const DotStream &stream,
                    ByteShuffle isa, int64_t columnTile,
                    int64_t prefetchDistance, Value x, Value tscale, Value xsum,
                    RankedTensorType resultType) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type(), f32 = b.getF32Type();
  auto vI8 = VectorType::get({64}, i8);
  auto vI32 = VectorType::get({kRowLanes}, i32);
  auto vF32 = VectorType::get({kRowLanes}, f32);
  int64_t m = packed.getM(), k = packed.getK();
  int64_t stepK = stream.stepK(), fields = stream.fields();
  int64_t steps = k / stepK, segments = k / segment;
  int64_t stepsPerSegment = segment / stepK;
  int64_t blocks = llvm::divideCeil(m, kBlockRows);
  bool tail = m % kBlockRows != 0;

  Value indices = globalStream(b, loc, anchor, stream.indices);
  Value offsetSums = constantTensor<int32_t>(
      b, loc, {blocks, segments, kBlockRows}, i32, stream.offsetSums);
  SegmentEpilogue epilogue(b, loc, packed, stream.coefficients, kBlockRows,
                           segment, tscale, xsum, /*integerActivations=*/true,
                           /*sumsHoldOffset=*/stream.offsetUnits.has_value());
  auto values16 = VectorType::get({16}, i8);
  Value valueTable = prepareByteTable(
      b, loc, isa,
      arith::ConstantOp::create(
          b, loc, values16,
          DenseElementsAttr::get(values16, ArrayRef<int8_t>(stream.values))));
  Value n = tensor::DimOp::create(b, loc, x, 0);
  Value init = emptyWithRows(b, loc, resultType, n);
  Value fieldMask =
      splatConst(b, loc, vI8, b.getI8IntegerAttr((1 << stream.bits) - 1));
  // The values of index 0 and 1, for one-bit indices.
  Value zeroI8 = splatConst(b, loc, vI8, b.getI8IntegerAttr(0));
  Value zeroValue =
      splatConst(b, loc, vI8, b.getI8IntegerAttr(stream.values[0]));
  Value oneValue =
      splatConst(b, loc, vI8, b.getI8IntegerAttr(stream.values[1]));
  Value flipped = flipSignBits(b, loc, x, k, stepK);
  Value zeroF32 = splatConst(b, loc, vF32, b.getF32FloatAttr(0));
  auto mul = [&](OpBuilder &ob, Value a, int64_t v) -> Value {
    return arith::MulIOp::create(ob, loc, a, indexConst(ob, loc, v));
  };
  auto add = [&](OpBuilder &ob, Value a, Value c) -> Value {
    return arith::AddIOp::create(ob, loc, a, c);
  };

  // The stream's 64-byte loads of step t of a row block, one per row
  // vector from `firstRow` on (`rows` of them).
  auto loadStep = [&](OpBuilder &ob, Value block, Value t, int64_t firstRow = 0,
                      int64_t rows = kRowVectors) -> SmallVector<Value> {
    Value base = mul(ob, add(ob, mul(ob, block, steps), t), kRowVectors * 64);
    if (prefetchDistance > 0)
      for (int64_t r = firstRow; r < firstRow + rows; ++r)
        prefetchStream(
            ob, loc, indices,
            add(ob, base, indexConst(ob, loc, prefetchDistance + r * 64)),
            int64_t(stream.indices.size()));
    SmallVector<Value> loads;
    for (int64_t r = firstRow; r < firstRow + rows; ++r)
      loads.push_back(vector::TransferReadOp::create(
          ob, loc, vI8, indices,
          ValueRange{add(ob, base, indexConst(ob, loc, r * 64))},
          arith::ConstantIntOp::create(ob, loc, i8, 0), ArrayRef<bool>{true}));
    return loads;
  };
  // The activation word of field f of step t of column `col` of `source`,
  // broadcast to every lane: one broadcast load (vpbroadcastd from memory),
  // no xor or shuffle in the vector pipes.
  auto broadcastWord = [&](OpBuilder &ob, Value source, Value col, Value t,
                           int64_t f) -> Value {
    Value bytes = vector::TransferReadOp::create(
        ob, loc, VectorType::get({4}, i8), source,
        ValueRange{col, add(ob, mul(ob, t, stepK), indexConst(ob, loc, 4 * f))},
        arith::ConstantIntOp::create(ob, loc, i8, 0), ArrayRef<bool>{true});
    Value word = vector::ExtractOp::create(
        ob, loc,
        vector::BitCastOp::create(ob, loc, VectorType::get({1}, i32), bytes),
        0);
    return vector::BitCastOp::create(
        ob, loc, vI8, vector::BroadcastOp::create(ob, loc, vI32, word));
  };

  // One step of stepK K: acc[c * 4 + r] for column c and row vector r.
  auto step = [&](OpBuilder &ob, ArrayRef<Value> cols, Value block, Value t,
                  ValueRange acc) -> SmallVector<Value> {
    // values[r * fields + f]: the signed values of field f of load r.
    SmallVector<Value> values;
    for (Value bytes : loadStep(ob, block, t)) {
      for (int64_t f = 0; f < fields; ++f) {
        // One bit per index: test the bit and pick one of the two values
        // (vptestmb + vpblendmb) instead of shift, mask and byte lookup.
        if (stream.bits == 1) {
          Value bit = arith::AndIOp::create(
              ob, loc, bytes,
              splatConst(ob, loc, vI8, ob.getI8IntegerAttr(int8_t(1 << f))));
          Value set = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::ne,
                                            bit, zeroI8);
          values.push_back(
              arith::SelectOp::create(ob, loc, set, oneValue, zeroValue));
          continue;
        }
        Value field = bytes;
        if (f > 0)
          field = arith::ShRUIOp::create(
              ob, loc, field,
              splatConst(ob, loc, vI8, ob.getI8IntegerAttr(f * stream.bits)));
        // The top field needs no mask: the shift cleared the bits above.
        if (f + 1 < fields)
          field = arith::AndIOp::create(ob, loc, field, fieldMask);
        values.push_back(lookupBytes(ob, loc, isa, valueTable, field));
      }
    }
    SmallVector<Value> sums(acc);
    for (auto [c, col] : llvm::enumerate(cols)) {
      for (int64_t f = 0; f < fields; ++f) {
        Value quad = broadcastWord(ob, flipped, col, t, f);
        for (int64_t r = 0; r < kRowVectors; ++r) {
          Value &sum = sums[c * kRowVectors + r];
          sum = dotQuads(ob, loc, isa, sum, quad, values[r * fields + f]);
        }
      }
    }
    return sums;
  };

  // One column in the index form (not in lut.md; RationaleLut.md): field f of a
  // stream byte, masked in place, is 2^(f bits) times the value's index i, an
  // unsigned operand as it is. With the activations themselves as the signed
  // operand, acc[r * fields + f] sums 2^(f bits) * i * x, and no shift, lookup
  // or sign flip runs per load: 2 vector ops per 64 indices instead of 3 to 4.
  // The segment's end makes them sum v x = 2^slopeLog2 * sum_f (acc_f >> f
  // bits) + intercept * X_int. The row vectors go in passes of `passRows` over
  // the segment, so that the accumulators take at most 16 of the 32 vector
  // registers (1-bit indices: two passes of 2 row vectors, 8 fields each).
  std::optional<IndexForm> indexForm = indexFormOf(stream, isa, segment);
  int64_t passRows = std::min<int64_t>(kRowVectors, 16 / fields);
  SmallVector<Value> fieldMasks;
  Value intercepts;
  if (indexForm) {
    for (int64_t f = 0; f < fields; ++f)
      fieldMasks.push_back(
          splatConst(b, loc, vI8,
                     b.getI8IntegerAttr(int8_t(((1 << stream.bits) - 1)
                                               << (f * stream.bits)))));
    if (indexForm->intercept != 0)
      intercepts = epilogue.foldIntegerSums(b, indexForm->intercept);
  }
  auto indexStep = [&](OpBuilder &ob, Value col, Value block, Value t,
                       int64_t firstRow, ValueRange acc) -> SmallVector<Value> {
    SmallVector<Value> quads;
    for (int64_t f = 0; f < fields; ++f)
      quads.push_back(broadcastWord(ob, x, col, t, f));
    SmallVector<Value> sums(acc);
    for (auto [r, bytes] :
         llvm::enumerate(loadStep(ob, block, t, firstRow, passRows)))
      for (int64_t f = 0; f < fields; ++f) {
        Value &sum = sums[r * fields + f];
        sum = dotQuads(ob, loc, isa, sum,
                       arith::AndIOp::create(ob, loc, bytes, fieldMasks[f]),
                       quads[f]);
      }
    return sums;
  };
  // The exact sums of segment s of column `col` in the index form.
  auto indexSums = [&](OpBuilder &sb, Value col, Value block,
                       Value s) -> SmallVector<Value> {
    ValueRange fieldSums;
    Value first = mul(sb, s, stepsPerSegment);
    Value intercept;
    if (intercepts)
      intercept = vector::BroadcastOp::create(
          sb, loc, vI32,
          tensor::ExtractOp::create(sb, loc, intercepts, ValueRange{col, s}));
    SmallVector<Value> exact;
    for (int64_t r = 0; r < kRowVectors; ++r) {
      if (r % passRows == 0)
        fieldSums = buildLoop(
            sb, loc, indexConst(sb, loc, stepsPerSegment),
            SmallVector<Value>(
                passRows * fields,
                splatConst(sb, loc, vI32, sb.getI32IntegerAttr(0))),
            [&](OpBuilder &tb, Value tt, ValueRange a) {
              return indexStep(tb, col, block, add(tb, first, tt), r, a);
            });
      Value sum = intercept;
      for (int64_t f = 0; f < fields; ++f) {
        // acc_f is a multiple of 2^(f bits): the shifts are exact.
        Value part = fieldSums[(r % passRows) * fields + f];
        int64_t shift = f * stream.bits - indexForm->slopeLog2;
        auto amount = [&](int64_t v) {
          return splatConst(sb, loc, vI32, sb.getI32IntegerAttr(v));
        };
        if (shift > 0)
          part = arith::ShRSIOp::create(sb, loc, part, amount(shift));
        else if (shift < 0)
          part = arith::ShLIOp::create(sb, loc, part, amount(-shift));
        sum = sum ? arith::AddIOp::create(sb, loc, sum, part) : part;
      }
      exact.push_back(sum);
    }
    return exact;
  };

  return forEachRowBlock(
      b, loc, init, m, kBlockRows, b.getIndexAttr(0), n,
      [&](OpBuilder &fb, Value block, Value tile) -> Value {
        // Columns `cols` of the block's slice.
        auto columns = [&](OpBuilder &nb, ArrayRef<Value> cols,
                           Value result) -> Value {
          size_t count = cols.size() * kRowVectors;
          ValueRange out = buildLoop(
              nb, loc, indexConst(nb, loc, segments),
              SmallVector<Value>(count, zeroF32),
              [&](OpBuilder &sb, Value s, ValueRange y) -> SmallVector<Value> {
                if (indexForm && cols.size() == 1)
                  return epilogue.applyTile(sb, block, s, cols, {}, kRowLanes,
                                            indexSums(sb, cols[0], block, s),
                                            y);
                // The sums start at -128 * the rows' values, so that they
                // end exactly as lut.dot_accumulate's, with no subtraction
                // per accumulator.
                SmallVector<Value> rowStarts, starts;
                for (int64_t r = 0; r < kRowVectors; ++r)
                  rowStarts.push_back(vector::TransferReadOp::create(
                      sb, loc, vI32, offsetSums,
                      ValueRange{block, s, indexConst(sb, loc, r * kRowLanes)},
                      arith::ConstantIntOp::create(sb, loc, i32, 0),
                      ArrayRef<bool>{true}));
                for (size_t c = 0; c < cols.size(); ++c)
                  llvm::append_range(starts, rowStarts);
                Value first = mul(sb, s, stepsPerSegment);
                ValueRange exact = buildLoop(
                    sb, loc, indexConst(sb, loc, stepsPerSegment), starts,
                    [&](OpBuilder &tb, Value tt, ValueRange a) {
                      return step(tb, cols, block, add(tb, first, tt), a);
                    });
                return epilogue.applyTile(sb, block, s, cols, {}, kRowLanes,
                                          exact, y);
              });
          return storeTileRows(nb, loc, out, cols, result, tail);
        };
        return forEachColumnTile(fb, loc, n, columnTile, tile, columns);
      });
}

struct DotEpilogueToVector : OpRewritePattern<ScaleCombineOp> {
  DotEpilogueToVector(MLIRContext *ctx, ByteShuffle isa, int64_t columnTile,
                      int64_t prefetchDistance)
      : OpRewritePattern(ctx), isa(isa), columnTile(columnTile),
        prefetchDistance(prefetchDistance) {}

  LogicalResult matchAndRewrite(ScaleCombineOp op,
                                PatternRewriter &rewriter) const override {
    auto dot = op.getAcc().getDefiningOp<DotAccumulateOp>();
    if (!dot || dot.getWeight() != op.getWeight() || !op.getTscale())
      return rewriter.notifyMatchFailure(op, "not an int8-dot chain");
    int64_t segment = dot.getSegment();
    PackedType packed = op.getWeight().getType();
    int64_t bits = packed.getDotIndexBits(segment);
    if (bits == 0)
      return rewriter.notifyMatchFailure(op, "segment is not a multiple of 8");
    auto pack = op.getWeight().getDefiningOp<PackOp>();
    if (!pack)
      return rewriter.notifyMatchFailure(op, "weight is not a lut.pack");
    FailureOr<DotStream> stream = foldDotStream(pack, segment, bits);
    if (failed(stream))
      return rewriter.notifyMatchFailure(op, "weight is not constant");
    KernelSchedule schedule =
        scheduleOf(op, {columnTile, prefetchDistance}).forDots();
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    auto kernel = [&](OpBuilder &b, int64_t prefetch) {
      return emitDotKernel(b, loc, op, packed, segment, *stream, isa,
                           schedule.columnTile, prefetch, dot.getX(),
                           op.getTscale(), op.getXsum(), resultType);
    };
    Value y = resultType.isDynamicDim(0) && schedule.splitsGemv()
                  ? branchOnColumns(
                        rewriter, loc,
                        tensor::DimOp::create(rewriter, loc, dot.getX(), 0), 2,
                        resultType,
                        [&](OpBuilder &b) {
                          return kernel(b, *schedule.gemvPrefetch);
                        },
                        [&](OpBuilder &b) {
                          return kernel(b, schedule.prefetchDistance);
                        })
                  : kernel(rewriter, schedule.prefetchDistance);
    rewriter.replaceOp(op, y);
    if (dot->use_empty())
      rewriter.eraseOp(dot);
    return success();
  }

  ByteShuffle isa;
  int64_t columnTile;
  int64_t prefetchDistance;
};

} // namespace

void mlir::loom::lut::populateDotKernelPatterns(RewritePatternSet &patterns,
                                                ByteShuffle isa,
                                                int64_t columnTile,
                                                int64_t prefetchDistance) {
  patterns.add<DotEpilogueToVector>(patterns.getContext(), isa, columnTile,
                                    prefetchDistance);
}

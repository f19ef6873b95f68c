//===- TablePrecompute.cpp - Activation tables as vector code -------------===//
//
// One parallel loop over rows and segments. Int8 tables of fp activations:
// two passes over the segment's groups of g activations (4 for bit planes,
// 3 for trit3), the first for max |T| (a sum of magnitudes per group) and
// the activation sum, the second computing the 16 (trit3: 14) entries (g
// multiply-adds by constant sign vectors: the same sums, in the same order,
// as the loop lowering's) and quantizing them, T_i8 = round-half-even(T /
// tscale), tscale = max |T| / 127 (lut.md §2.4); recomputing is cheaper than
// storing and reloading an f32 table. Exact int16 tables of int8
// activations: one pass, the entries exact. A trit3 group is read as four
// lanes, masked to its triple, and to the segment where a padded triple
// ends it.
//
//===----------------------------------------------------------------------===//

#include "TablePrecompute.h"

#include "KernelBuilders.h"

#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

#include <numeric>

using namespace mlir;
using namespace mlir::loom::lut;

namespace {

/// Table slots a group's entries are computed in, and lanes its
/// activations are read in (g = 3 masks the fourth).
constexpr int64_t kEntries = 16;
constexpr int64_t kLanes = 4;

/// The activations of row `row` at K offsets k .. k + 3 as a vector<4xf32>,
/// read where `mask` (a vector<4xi1>, or null: every lane) is set; the
/// lanes left out may lie past K and must not be read.
using ActivationReader =
    function_ref<Value(OpBuilder &b, Value row, Value k, Value mask)>;

/// The activation scale of row `row` and segment `s` (int8 activations).
using ScaleReader = function_ref<Value(OpBuilder &b, Value row, Value s)>;

/// Whether `op`'s results are integer tables this lowering builds: 16-entry
/// tables of groups of 4 or trit3's 14-entry tables of triples, int8 (fp
/// activations) or int16 (int8 activations).
LogicalResult matchTables(Operation *op, PatternRewriter &rewriter, int64_t g,
                          bool mirror, Value table) {
  auto tableType = cast<RankedTensorType>(table.getType());
  Type entry = tableType.getElementType();
  if ((g != 4 && g != 3) || mirror ||
      !(entry.isInteger(8) || entry.isInteger(16)))
    return rewriter.notifyMatchFailure(
        op, "not full integer tables of groups of 4, nor trit3 tables");
  return success();
}

/// sign[l][u]: the factor of activation l in entry u, over 16 slots. Bit
/// planes: +1 where bit l of u is set, else -1. trit3: trit l of pattern u
/// + 13 (first lane most significant, lut.md §2.5), 0 in the unused slots
/// 14 and 15.
SmallVector<SmallVector<float>> entrySigns(int64_t g) {
  SmallVector<SmallVector<float>> signs(g);
  for (int64_t l = 0; l < g; ++l)
    for (int64_t u = 0; u < kEntries; ++u) {
      if (g == 4) {
        signs[l].push_back((u >> l) & 1 ? 1.f : -1.f);
        continue;
      }
      int64_t power = l == 0 ? 9 : l == 1 ? 3 : 1;
      signs[l].push_back(u < 14 ? float((u + 13) / power % 3) - 1.f : 0.f);
    }
  return signs;
}

/// The tables, activation sums and table scales of N rows of K activations
/// read by `activations`, as vector code. Without `exactScale`: int8 tables
/// quantized per segment. With it (int8 activations): exact int16 tables,
/// the scale as tscale and the sums scaled by it, in one pass.
SmallVector<Value> buildTables(OpBuilder &b, Location loc, Value n, int64_t g,
                               int64_t k, int64_t segment,
                               TypeRange resultTypes,
                               ActivationReader activations,
                               std::optional<ScaleReader> exactScale = {}) {
  Type f32 = b.getF32Type(), i8 = b.getI8Type();
  int64_t groups = groupsPerSegment(segment, g), segments = k / segment;
  int64_t entries = cast<RankedTensorType>(resultTypes[0]).getDimSize(2);
  auto v4 = VectorType::get({kLanes}, f32);
  auto v16 = VectorType::get({kEntries}, f32);
  auto v16i8 = VectorType::get({kEntries}, i8);
  auto index = [&](OpBuilder &ob, int64_t v) { return indexConst(ob, loc, v); };
  auto fconst = [&](OpBuilder &ob, Type t, double v) -> Value {
    if (auto vt = dyn_cast<VectorType>(t))
      return splatConst(ob, loc, vt, ob.getFloatAttr(vt.getElementType(), v));
    return arith::ConstantOp::create(ob, loc, ob.getFloatAttr(t, v));
  };
  SmallVector<Value> signs =
      llvm::map_to_vector(entrySigns(g), [&](ArrayRef<float> s) -> Value {
        return arith::ConstantOp::create(b, loc, v16,
                                         DenseElementsAttr::get(v16, s));
      });
  auto tableOf = [&](OpBuilder &ob, Value x) -> Value {
    Value t;
    for (int64_t l = 0; l < g; ++l) {
      Value xl = vector::BroadcastOp::create(
          ob, loc, v16, vector::ExtractOp::create(ob, loc, x, l));
      t = l == 0 ? arith::MulFOp::create(ob, loc, signs[0], xl).getResult()
                 : vector::FMAOp::create(ob, loc, signs[l], xl, t).getResult();
    }
    return t;
  };

  SmallVector<Value> outs = llvm::map_to_vector(resultTypes, [&](Type type) {
    return emptyWithRows(b, loc, cast<RankedTensorType>(type), n);
  });
  // Rows and segments are independent: one parallel loop over both, whose
  // iterations own a segment's slice of the tables and its sum and scale
  // (a GEMV's precompute is split over the threads, not left to one).
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{n, b.getIndexAttr(segments)}, outs,
      std::nullopt);
  OpBuilder sb(forall.getTerminator());
  Value row = forall.getInductionVar(0), s = forall.getInductionVar(1);
  ValueRange shared = forall.getRegionIterArgs();
  Value first = arith::MulIOp::create(sb, loc, s, index(sb, groups));
  Value segmentStart = arith::MulIOp::create(sb, loc, s, index(sb, segment));
  // Group jj of the segment: its g activations, zero in the lanes past the
  // group or the segment.
  auto group = [&](OpBuilder &ob, Value jj) -> Value {
    Value offset = arith::MulIOp::create(ob, loc, jj, index(ob, g));
    Value kk = arith::AddIOp::create(ob, loc, segmentStart, offset);
    if (g == kLanes)
      return activations(ob, row, kk, Value());
    Value lanes = arith::MinSIOp::create(
        ob, loc, index(ob, g),
        arith::SubIOp::create(ob, loc, index(ob, segment), offset));
    Value mask = vector::CreateMaskOp::create(
        ob, loc, VectorType::get({kLanes}, ob.getI1Type()), ValueRange{lanes});
    return arith::SelectOp::create(
        ob, loc, mask, activations(ob, row, kk, mask), fconst(ob, v4, 0));
  };
  SmallVector<OpFoldResult> tableOffsets = {row, first, sb.getIndexAttr(0)},
                            tableSizes = {sb.getIndexAttr(1),
                                          sb.getIndexAttr(groups),
                                          sb.getIndexAttr(entries)},
                            ones3(3, sb.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(sb, loc, shared[0], tableOffsets,
                                               tableSizes, ones3);
  // trit3's 14 entries: a store masked to them.
  auto writeEntries = [&](OpBuilder &gb, Value values, Value into, Value jj) {
    return vector::TransferWriteOp::create(
               gb, loc, values, into,
               ValueRange{index(gb, 0), jj, index(gb, 0)},
               ArrayRef<bool>{entries == kEntries})
        .getResult();
  };
  Value sum, tau;
  if (exactScale) {
    // Sums of int8 values are exact in f32, in any order: one pass.
    auto v16i16 = VectorType::get({kEntries}, b.getI16Type());
    ValueRange pass = buildLoop(
        sb, loc, index(sb, groups), {slice, fconst(sb, v4, 0)},
        [&](OpBuilder &gb, Value jj, ValueRange it) {
          Value x = group(gb, jj);
          Value exact =
              arith::FPToSIOp::create(gb, loc, v16i16, tableOf(gb, x));
          return SmallVector<Value>{writeEntries(gb, exact, it[0], jj),
                                    arith::AddFOp::create(gb, loc, it[1], x)};
        });
    slice = pass[0];
    tau = (*exactScale)(sb, row, s);
    sum =
        arith::MulFOp::create(sb, loc,
                              vector::ReductionOp::create(
                                  sb, loc, vector::CombiningKind::ADD, pass[1]),
                              tau);
  } else {
    // max |T| of a group is the entry whose signs match the activations':
    // ((|x0| + |x1|) + |x2|) + |x3| in the loop lowering's order (rounding is
    // monotone, so no other entry's rounded sum exceeds it) - no table needed.
    // maxnumf, not maximumf: the sums are never -0, and maximumf's NaN and
    // signed-zero handling (compare, set, mask, blend per group) made this
    // pass half the precompute.
    // Four groups at a time where the segment allows: their largest
    // entries as one vector<4> (lane l of the four magnitudes gathered by
    // shuffles, added in the same order), so the running max is one vector
    // op per four groups instead of a serial chain of scalar adds and maxes
    // per group (K = 4096: 4.2 -> 3.4 us, W1's GEMV being 37 us).
    int64_t step = g == kLanes && groups % kLanes == 0 ? kLanes : 1;
    Value maxInit = step == 1 ? fconst(sb, f32, 0) : fconst(sb, v4, 0);
    ValueRange stats = buildLoop(
        sb, loc, index(sb, groups / step), {maxInit, fconst(sb, v4, 0)},
        [&](OpBuilder &gb, Value jq, ValueRange st) {
          Value first = arith::MulIOp::create(gb, loc, jq, index(gb, step));
          Value total = st[1];
          SmallVector<Value> mags;
          for (int64_t i = 0; i < step; ++i) {
            Value x =
                group(gb, arith::AddIOp::create(gb, loc, first, index(gb, i)));
            total = arith::AddFOp::create(gb, loc, total, x);
            mags.push_back(math::AbsFOp::create(gb, loc, x));
          }
          // lane(l): activation l's magnitude of every group of the step.
          Value all;
          if (step > 1) {
            auto joined = [&](Value a, Value b, int64_t size) -> Value {
              SmallVector<int64_t> both(2 * size);
              std::iota(both.begin(), both.end(), 0);
              return vector::ShuffleOp::create(gb, loc, a, b, both);
            };
            all = joined(joined(mags[0], mags[1], kLanes),
                         joined(mags[2], mags[3], kLanes), 2 * kLanes);
          }
          auto lane = [&](int64_t l) -> Value {
            if (step == 1)
              return vector::ExtractOp::create(gb, loc, mags[0], l);
            SmallVector<int64_t> strided;
            for (int64_t i = 0; i < step; ++i)
              strided.push_back(i * kLanes + l);
            return vector::ShuffleOp::create(gb, loc, all, all, strided);
          };
          Value largest = lane(0);
          for (int64_t l = 1; l < g; ++l)
            largest = arith::AddFOp::create(gb, loc, largest, lane(l));
          return SmallVector<Value>{
              arith::MaxNumFOp::create(gb, loc, st[0], largest), total};
        });
    Value max = stats[0];
    if (step > 1)
      max = vector::ReductionOp::create(sb, loc, vector::CombiningKind::MAXNUMF,
                                        max);
    sum = vector::ReductionOp::create(sb, loc, vector::CombiningKind::ADD,
                                      stats[1]);
    tau = arith::DivFOp::create(sb, loc, max, fconst(sb, f32, 127));
    Value zeroTau = arith::CmpFOp::create(sb, loc, arith::CmpFPredicate::OEQ,
                                          tau, fconst(sb, f32, 0));
    Value tauV = vector::BroadcastOp::create(sb, loc, v16, tau);
    slice = buildLoop(
        sb, loc, index(sb, groups), {slice},
        [&](OpBuilder &gb, Value jj, ValueRange t) {
          Value q = math::RoundEvenOp::create(
              gb, loc,
              arith::DivFOp::create(gb, loc, tableOf(gb, group(gb, jj)), tauV));
          q = arith::MaximumFOp::create(gb, loc, q, fconst(gb, v16, -127));
          q = arith::MinimumFOp::create(gb, loc, q, fconst(gb, v16, 127));
          q = arith::SelectOp::create(gb, loc, zeroTau, fconst(gb, v16, 0), q);
          Value bytes = arith::FPToSIOp::create(gb, loc, v16i8, q);
          return SmallVector<Value>{writeEntries(gb, bytes, t[0], jj)};
        })[0];
  }
  // The sum and scale go into 1x1 slices of the shared results (not fresh
  // tensors, which would be allocated per iteration).
  SmallVector<OpFoldResult> at = {row, s}, ones2(2, sb.getIndexAttr(1));
  Value zero = index(sb, 0);
  auto scalar = [&](Value v, Value into) -> Value {
    Value tile =
        tensor::ExtractSliceOp::create(sb, loc, into, at, ones2, ones2);
    return tensor::InsertOp::create(sb, loc, v, tile, ValueRange{zero, zero});
  };
  Value sumTile = scalar(sum, shared[1]), tauTile = scalar(tau, shared[2]);
  sb.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(sb, loc, slice, shared[0], tableOffsets,
                                        tableSizes, ones3);
  tensor::ParallelInsertSliceOp::create(sb, loc, sumTile, shared[1], at, ones2,
                                        ones2);
  tensor::ParallelInsertSliceOp::create(sb, loc, tauTile, shared[2], at, ones2,
                                        ones2);
  return forall.getResults();
}

/// `x` (a vector of fp activations) as vector<4xf32>.
Value extendToF32(OpBuilder &b, Location loc, Value x) {
  auto type = cast<VectorType>(x.getType());
  if (type.getElementType().isF32())
    return x;
  return arith::ExtFOp::create(b, loc, type.clone(b.getF32Type()), x);
}

struct TablePrecomputeToVector : OpRewritePattern<TablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(matchTables(op, rewriter, op.getG(), op.getMirror(),
                           op.getTable())))
      return failure();
    auto xType = cast<RankedTensorType>(op.getX().getType());
    Type element = xType.getElementType();
    int64_t k = xType.getDimSize(1), segment = op.getSegment();
    Location loc = op.getLoc();
    Value n = tensor::DimOp::create(rewriter, loc, op.getX(), 0);
    auto activations = [&](OpBuilder &b, Value row, Value kk,
                           Value mask) -> Value {
      Value x = vector::TransferReadOp::create(
          b, loc, VectorType::get({kLanes}, element), op.getX(),
          ValueRange{row, kk},
          AffineMapAttr::get(AffineMap::get(2, 0, b.getAffineDimExpr(1))),
          arith::ConstantOp::create(b, loc, b.getZeroAttr(element)), mask,
          b.getBoolArrayAttr({!mask}));
      if (isa<FloatType>(element))
        return extendToF32(b, loc, x);
      return arith::SIToFPOp::create(b, loc,
                                     VectorType::get({4}, b.getF32Type()), x);
    };
    if (!op.getXScale()) {
      rewriter.replaceOp(op,
                         buildTables(rewriter, loc, n, op.getG(), k, segment,
                                     op->getResultTypes(), activations));
      return success();
    }
    // int8 activations: the scale of each row, or of each block of Ga K
    // elements (a whole number of segments).
    Value xScale = op.getXScale();
    auto scaleType = cast<RankedTensorType>(xScale.getType());
    int64_t segmentsPerBlock =
        scaleType.getRank() == 2 ? k / scaleType.getDimSize(1) / segment : 0;
    auto scale = [&](OpBuilder &b, Value row, Value s) -> Value {
      SmallVector<Value> at = {row};
      if (segmentsPerBlock)
        at.push_back(arith::DivUIOp::create(
            b, loc, s, indexConst(b, loc, segmentsPerBlock)));
      return tensor::ExtractOp::create(b, loc, xScale, at);
    };
    rewriter.replaceOp(op, buildTables(rewriter, loc, n, op.getG(), k, segment,
                                       op->getResultTypes(), activations,
                                       ScaleReader(scale)));
    return success();
  }
};

/// The producer's body evaluated on vectors of 4 elements at K offset `k`:
/// every input read through its indexing map (a broadcast where the map
/// drops k) where `mask` allows, values from outside broadcast, constants
/// splat, elementwise ops rebuilt on vector types (the verifier admits
/// nothing else).
Value evaluateProducer(OpBuilder &b, Location loc, FusedTablePrecomputeOp op,
                       Value row, Value k, Value mask) {
  Block &body = op.getProducer().front();
  IRMapping mapping;
  for (auto [input, mapAttr, arg] :
       llvm::zip(op.getInputs(), op.getIndexingMaps(), body.getArguments())) {
    AffineMap map = cast<AffineMapAttr>(mapAttr).getValue();
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<Value> indices;
    for (AffineExpr result : map.getResults())
      indices.push_back(cast<AffineDimExpr>(result).getPosition() == 0 ? row
                                                                       : k);
    std::optional<unsigned> kPosition =
        map.getResultPosition(b.getAffineDimExpr(1));
    AffineMap read = AffineMap::get(type.getRank(), 0,
                                    kPosition ? b.getAffineDimExpr(*kPosition)
                                              : b.getAffineConstantExpr(0));
    Value zero =
        arith::ConstantOp::create(b, loc, b.getZeroAttr(arg.getType()));
    Value readMask = kPosition ? mask : Value();
    mapping.map(arg, vector::TransferReadOp::create(
                         b, loc, VectorType::get({kLanes}, arg.getType()),
                         input, indices, AffineMapAttr::get(read), zero,
                         readMask, b.getBoolArrayAttr({!readMask})));
  }
  auto vectorOf = [](Type type) { return VectorType::get({kLanes}, type); };
  for (Operation &inner : body.without_terminator()) {
    if (Attribute value; matchPattern(&inner, m_Constant(&value))) {
      Type type = inner.getResult(0).getType();
      mapping.map(
          inner.getResult(0),
          arith::ConstantOp::create(
              b, loc,
              DenseElementsAttr::get(vectorOf(type), cast<TypedAttr>(value))));
      continue;
    }
    for (Value operand : inner.getOperands())
      if (!mapping.contains(operand))
        mapping.map(operand, vector::BroadcastOp::create(
                                 b, loc, vectorOf(operand.getType()), operand));
    OperationState state(loc, inner.getName());
    state.addOperands(llvm::map_to_vector(
        inner.getOperands(), [&](Value v) { return mapping.lookup(v); }));
    state.addTypes(llvm::map_to_vector(
        inner.getResultTypes(), [&](Type t) -> Type { return vectorOf(t); }));
    state.addAttributes(inner.getAttrs());
    mapping.map(inner.getResults(), b.create(state)->getResults());
  }
  return extendToF32(b, loc,
                     mapping.lookup(body.getTerminator()->getOperand(0)));
}

struct FusedTablePrecomputeToVector : OpRewritePattern<FusedTablePrecomputeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FusedTablePrecomputeOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(matchTables(op, rewriter, op.getG(), op.getMirror(),
                           op.getTable())))
      return failure();
    Location loc = op.getLoc();
    auto activations = [&](OpBuilder &b, Value row, Value k, Value mask) {
      return evaluateProducer(b, loc, op, row, k, mask);
    };
    rewriter.replaceOp(op, buildTables(rewriter, loc,
                                       op.createRowCount(rewriter, loc),
                                       op.getG(), op.getK(), op.getSegment(),
                                       op->getResultTypes(), activations));
    return success();
  }
};

} // namespace

void mlir::loom::lut::populateTablePrecomputeToVectorPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TablePrecomputeToVector, FusedTablePrecomputeToVector>(
      patterns.getContext());
}

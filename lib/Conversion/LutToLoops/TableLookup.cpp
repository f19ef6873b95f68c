//===- TableLookup.cpp - The table-lookup form of lut.md §2 as loops ------===//
//
// Activation quantization, table precompute (bit planes, trit3, mirrored,
// int8 and exact int16 tables), lookups and the fp epilogue, each as
// linalg.generic loops over logical codes.
//
//===----------------------------------------------------------------------===//

#include "LoweringHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::loom::lut;
using namespace mlir::loom::lut::lowering;

namespace {

struct QuantizeActivationsLowering
    : OpConversionPattern<QuantizeActivationsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeActivationsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    Value x = adaptor.getX();
    int64_t k = cast<RankedTensorType>(x.getType()).getDimSize(1);
    int64_t block = op.getBlock() ? op.getBlock() : k;
    Value absMax = activationAbsMax(rewriter, loc, x, k, block);
    Value scale = map2D(rewriter, loc, absMax, absMax,
                        [&](OpBuilder &b, Location l, Value v) -> Value {
                          return arith::DivFOp::create(
                              b, l, v, floatConst(b, l, f32, 127.0));
                        });
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value init = emptyLike(rewriter, loc, x, k, rewriter.getI8Type());
    Value quantized =
        linalg::GenericOp::create(
            rewriter, loc, init.getType(), ValueRange{x, scale}, init,
            ArrayRef<AffineMap>{
                AffineMap::getMultiDimIdentityMap(2, ctx),
                AffineMap::get(2, 0, {d(0), d(1).floorDiv(block)}, ctx),
                AffineMap::getMultiDimIdentityMap(2, ctx)},
            ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                          utils::IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value q = quantizeActivation(b, l, castFloat(b, l, args[0], f32),
                                           args[1]);
              linalg::YieldOp::create(
                  b, l,
                  arith::FPToSIOp::create(b, l, b.getI8Type(), q).getResult());
            })
            .getResult(0);
    auto scaleType = cast<RankedTensorType>(op.getScale().getType());
    if (scaleType.getRank() == 1) // one scale per row: [N, 1] -> [N]
      scale = tensor::CollapseShapeOp::create(
          rewriter, loc, scale, SmallVector<ReassociationIndices>{{0, 1}});
    if (scale.getType() != scaleType)
      scale = tensor::CastOp::create(rewriter, loc, scaleType, scale);
    if (quantized.getType() != op.getQuantized().getType())
      quantized = tensor::CastOp::create(
          rewriter, loc, op.getQuantized().getType(), quantized);
    rewriter.replaceOp(op, {quantized, scale});
    return success();
  }
};

/// The reference form of a fused precompute: the producer as a
/// linalg.generic writing the activations, then the plain precompute.
struct FusedTablePrecomputeLowering
    : OpConversionPattern<FusedTablePrecomputeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(FusedTablePrecomputeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto tableType = cast<RankedTensorType>(op.getTable().getType());
    auto xType = RankedTensorType::get({tableType.getDimSize(0), op.getK()},
                                       op.getActivationType());
    Value init = tensor::EmptyOp::create(
        rewriter, loc, xType,
        xType.isDynamicDim(0) ? ValueRange{op.createRowCount(rewriter, loc)}
                              : ValueRange{});
    SmallVector<AffineMap> maps =
        llvm::map_to_vector(op.getIndexingMaps(), [](Attribute map) {
          return cast<AffineMapAttr>(map).getValue();
        });
    maps.push_back(rewriter.getMultiDimIdentityMap(2));
    Block &body = op.getProducer().front();
    auto producer = linalg::GenericOp::create(
        rewriter, loc, xType, adaptor.getInputs(), init, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          IRMapping mapping;
          mapping.map(body.getArguments(), args.drop_back());
          for (Operation &inner : body.without_terminator())
            b.clone(inner, mapping);
          linalg::YieldOp::create(
              b, l, mapping.lookup(body.getTerminator()->getOperand(0)));
        });
    Type tscale = op.getTscale() ? op.getTscale().getType() : Type();
    auto tables = TablePrecomputeOp::create(
        rewriter, loc, op.getTable().getType(), op.getXsum().getType(), tscale,
        producer.getResult(0), /*x_scale=*/Value(), op.getG(), op.getSegment(),
        op.getMirror(), op.getAccuracyAttr());
    rewriter.replaceOp(op, tables.getResults());
    return success();
  }
};

struct TablePrecomputeLowering : OpConversionPattern<TablePrecomputeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TablePrecomputeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type();
    int64_t g = op.getG(), segment = op.getSegment();
    Value x = adaptor.getX();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };

    // T[n, j, u] = sum_l (2 bit_l(u) - 1) x[n, j g + l].
    auto tableType = cast<RankedTensorType>(op.getTable().getType());
    Value table = zerosLike(rewriter, loc, x, tableType.getShape());
    bool quantized = tableType.getElementType().isInteger(8);
    bool intActivations = tableType.getElementType().isInteger(16);
    // Activations as f32: int8 values are exact, and so are their table
    // sums (|T| <= 128 g).
    auto toF32 = [&](OpBuilder &b, Location l, Value v) -> Value {
      return intActivations ? arith::SIToFPOp::create(b, l, f32, v).getResult()
                            : castFloat(b, l, v, f32);
    };
    // trit3 triples of a segment whose length is no multiple of 3 end in
    // zero activations (lut.md §2.5).
    int64_t padded = groupsPerSegment(segment, g) * g;
    Type xElement = cast<RankedTensorType>(x.getType()).getElementType();
    Value groupsOfX =
        splitInner(rewriter, loc,
                   padSegments(rewriter, loc, x, segment, padded,
                               cast<TypedAttr>(rewriter.getZeroAttr(xElement))),
                   g);
    auto tables = linalg::GenericOp::create(
        rewriter, loc, table.getType(), groupsOfX, table,
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx),
                            AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
        ArrayRef<utils::IteratorType>{
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::parallel, utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value u = linalg::IndexOp::create(b, l, 2);
          Value lane = linalg::IndexOp::create(b, l, 3);
          Value xv = toF32(b, l, args[0]);
          Value term;
          if (g == 3) {
            // Entry u is the pattern v = u + 13 in base 3 (digit d = t + 1,
            // first lane most significant): the zero pattern and the 13
            // whose first non-zero trit is +1 (lut.md §2.5).
            auto idx = [&](int64_t v) {
              return arith::ConstantIndexOp::create(b, l, v);
            };
            Value v = arith::AddIOp::create(b, l, u, idx(13));
            Value power = arith::SelectOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, lane,
                                      idx(0)),
                idx(9),
                arith::SelectOp::create(
                    b, l,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, lane,
                                          idx(1)),
                    idx(3), idx(1)));
            Value digit = arith::RemUIOp::create(
                b, l, arith::DivUIOp::create(b, l, v, power), idx(3));
            Value trit = arith::SubIOp::create(
                b, l, arith::IndexCastOp::create(b, l, b.getI32Type(), digit),
                intConst(b, l, b.getI32Type(), 1));
            term = arith::MulFOp::create(
                b, l, arith::SIToFPOp::create(b, l, f32, trit), xv);
          } else {
            Value bit = arith::AndIOp::create(
                b, l, arith::ShRUIOp::create(b, l, u, lane),
                arith::ConstantIndexOp::create(b, l, 1));
            Value set =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, bit,
                                      arith::ConstantIndexOp::create(b, l, 0));
            term = arith::SelectOp::create(b, l, set, xv,
                                           arith::NegFOp::create(b, l, xv));
          }
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args[1], term).getResult());
        });

    Value sums = segmentSums(rewriter, loc, x, segment, toF32);
    if (intActivations) {
      auto [scaledSums, tscale] = applyActivationScale(
          rewriter, loc, sums, adaptor.getXScale(), segment, x);
      Value exact = tensor::EmptyOp::create(
          rewriter, loc,
          SmallVector<OpFoldResult>{
              tensor::getMixedSize(rewriter, loc, x, 0),
              rewriter.getIndexAttr(tableType.getDimSize(1)),
              rewriter.getIndexAttr(tableType.getDimSize(2))},
          rewriter.getI16Type());
      AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
      Value i16Table =
          linalg::GenericOp::create(
              rewriter, loc, exact.getType(), tables.getResult(0), exact,
              ArrayRef<AffineMap>{id3, id3},
              SmallVector<utils::IteratorType>(3,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    b, l,
                    arith::FPToSIOp::create(b, l, b.getI16Type(), args[0])
                        .getResult());
              })
              .getResult(0);
      rewriter.replaceOp(op, {i16Table, scaledSums, tscale});
      return success();
    }
    if (!quantized) {
      rewriter.replaceOp(op, {tables.getResult(0), sums});
      return success();
    }
    auto [quantizedTable, tscale] =
        quantizeTable(rewriter, loc, tables.getResult(0), tableType,
                      groupsPerSegment(segment, g));
    rewriter.replaceOp(op, {quantizedTable, sums, tscale});
    return success();
  }

  /// lut.md §2.4: per row and segment of `groups` lookup groups, tscale =
  /// max |T| / 127 and T_i8 = round-half-even(T / tscale) (0 where tscale is
  /// 0). Returns the i8 table [N, groups, E] and tscale [N, K/S].
  static std::pair<Value, Value> quantizeTable(OpBuilder &b, Location loc,
                                               Value table,
                                               RankedTensorType i8Type,
                                               int64_t groups) {
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    int64_t blocks = i8Type.getDimSize(1), entries = i8Type.getDimSize(2);
    auto split = RankedTensorType::get(
        {i8Type.getDimSize(0), blocks / groups, groups, entries}, f32);
    SmallVector<OpFoldResult> splitShape = {
        tensor::getMixedSize(b, loc, table, 0), b.getIndexAttr(blocks / groups),
        b.getIndexAttr(groups), b.getIndexAttr(entries)};
    SmallVector<ReassociationIndices> reassoc = {{0}, {1, 2}, {3}};
    Value table4 = tensor::ExpandShapeOp::create(b, loc, split, table, reassoc,
                                                 splitShape);
    Value absMax = zerosLike(b, loc, table, {0, blocks / groups});
    AffineMap all = AffineMap::getMultiDimIdentityMap(4, ctx);
    AffineMap perSegment = AffineMap::get(4, 0, {d(0), d(1)}, ctx);
    auto reduce = linalg::GenericOp::create(
        b, loc, absMax.getType(), table4, absMax,
        ArrayRef<AffineMap>{all, perSegment},
        ArrayRef<utils::IteratorType>{
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::reduction, utils::IteratorType::reduction},
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value a = math::AbsFOp::create(nb, l, args[0]);
          linalg::YieldOp::create(
              nb, l, arith::MaximumFOp::create(nb, l, args[1], a).getResult());
        });
    Value tscale = map2D(b, loc, reduce.getResult(0), absMax,
                         [&](OpBuilder &nb, Location l, Value v) -> Value {
                           return arith::DivFOp::create(
                               nb, l, v, floatConst(nb, l, f32, 127.0));
                         });
    SmallVector<OpFoldResult> outShape = splitShape;
    Value out4 = tensor::EmptyOp::create(b, loc, outShape, b.getI8Type());
    auto codes = linalg::GenericOp::create(
        b, loc, out4.getType(), ValueRange{table4, tscale}, out4,
        ArrayRef<AffineMap>{all, perSegment, all},
        SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value q = quantizeActivation(nb, l, args[0], args[1]);
          linalg::YieldOp::create(
              nb, l,
              arith::FPToSIOp::create(nb, l, nb.getI8Type(), q).getResult());
        });
    auto collapsedType = RankedTensorType::get(
        {i8Type.getDimSize(0), blocks, entries}, b.getI8Type());
    Value collapsed = tensor::CollapseShapeOp::create(
        b, loc, collapsedType, codes.getResult(0), reassoc);
    return {collapsed, tscale};
  }
};

struct LookupAccumulateLowering : OpConversionPattern<LookupAccumulateOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LookupAccumulateOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    PackedType packed = op.getWeight().getType();
    QuantAttr quant = packed.getQuant();
    int64_t g = packed.getLayout().getLookupGroup(), segment = op.getSegment();
    int64_t m = packed.getM(), k = packed.getK();
    bool trit3 = packed.getLayout().getKind() == LayoutKind::Trit3;
    int64_t groups = groupsPerSegment(segment, g);
    Value table = adaptor.getTable().front();
    // Padded triples read code 1 (trit 0) against their zero activations.
    Value codes =
        padSegments(rewriter, loc, adaptor.getWeight().front(), segment,
                    groups * g, rewriter.getI8IntegerAttr(1));
    Type f32 = rewriter.getF32Type();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };

    // codes [M, K] as [M, K/S, groups, g]; the table as [N, K/S, groups,
    // entries].
    auto codes4Type = RankedTensorType::get({m, k / segment, groups, g},
                                            rewriter.getI8Type());
    Value codes4 = tensor::ExpandShapeOp::create(
        rewriter, loc, codes4Type, codes,
        SmallVector<ReassociationIndices>{{0}, {1, 2, 3}});
    auto tableType = cast<RankedTensorType>(table.getType());
    int64_t entries = tableType.getDimSize(2);
    Type entryType = tableType.getElementType();
    bool quantized = entryType.isInteger(8) || entryType.isInteger(16);
    auto table4Type = RankedTensorType::get(
        {tableType.getDimSize(0), k / segment, groups, entries}, entryType);
    SmallVector<OpFoldResult> table4Shape = {
        tensor::getMixedSize(rewriter, loc, table, 0),
        rewriter.getIndexAttr(k / segment), rewriter.getIndexAttr(groups),
        rewriter.getIndexAttr(entries)};
    Value table4 = tensor::ExpandShapeOp::create(
        rewriter, loc, table4Type, table,
        SmallVector<ReassociationIndices>{{0}, {1, 2}, {3}}, table4Shape);

    // One input per lane of the group, so the body sees all g codes.
    SmallVector<Value> inputs(g, codes4);
    SmallVector<AffineMap> maps;
    for (int64_t lane = 0; lane < g; ++lane)
      maps.push_back(AffineMap::get(
          4, 0, {d(1), d(2), d(3), getAffineConstantExpr(lane, ctx)}, ctx));
    maps.push_back(AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx));
    auto accType = cast<RankedTensorType>(op.getAcc().getType());
    Value acc = zerosLike(rewriter, loc, table, accType.getShape(),
                          accType.getElementType());
    unsigned planes = quant.getNumPlanes();
    bool mirrored = tableType.getDimSize(2) == int64_t(1) << (g - 1);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, acc.getType(), inputs, acc, maps,
        ArrayRef<utils::IteratorType>{
            utils::IteratorType::parallel, utils::IteratorType::parallel,
            utils::IteratorType::parallel, utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Type i32 = b.getI32Type();
          Value sum = args[g];
          // The table entry [n, s, jj, u] of this row's group.
          SmallVector<Value> at = {linalg::IndexOp::create(b, l, 0),
                                   linalg::IndexOp::create(b, l, 2),
                                   linalg::IndexOp::create(b, l, 3)};
          if (trit3) {
            // v = 9 q0 + 3 q1 + q2 over the trits' digits; patterns whose
            // first non-zero trit is -1 (v < 13) read the negated entry of
            // their negation 26 - v.
            Value v = intConst(b, l, i32, 0);
            for (int64_t lane = 0; lane < 3; ++lane) {
              Type i32t = b.getI32Type();
              Value q = arith::MinSIOp::create(
                  b, l,
                  arith::AndIOp::create(
                      b, l, arith::ExtUIOp::create(b, l, i32t, args[lane]),
                      intConst(b, l, i32t, 3)),
                  intConst(b, l, i32t, 2));
              v = arith::AddIOp::create(
                  b, l, arith::MulIOp::create(b, l, v, intConst(b, l, i32t, 3)),
                  q);
            }
            Value negative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, v, intConst(b, l, i32, 13));
            Value canonical = arith::SelectOp::create(
                b, l, negative,
                arith::SubIOp::create(b, l, intConst(b, l, i32, 26), v), v);
            Value index =
                arith::SubIOp::create(b, l, canonical, intConst(b, l, i32, 13));
            SmallVector<Value> indices(at);
            indices.push_back(
                arith::IndexCastOp::create(b, l, b.getIndexType(), index));
            Value entry = tensor::ExtractOp::create(b, l, table4, indices);
            if (quantized) {
              entry = arith::ExtSIOp::create(b, l, i32, entry);
              entry = arith::SelectOp::create(
                  b, l, negative,
                  arith::SubIOp::create(b, l, intConst(b, l, i32, 0), entry),
                  entry);
              sum = arith::AddIOp::create(b, l, sum, entry);
            } else {
              entry = arith::SelectOp::create(
                  b, l, negative, arith::NegFOp::create(b, l, entry), entry);
              sum = arith::AddFOp::create(b, l, sum, entry);
            }
            linalg::YieldOp::create(b, l, sum);
            return;
          }
          for (unsigned plane = 0; plane < planes; ++plane) {
            Value index = intConst(b, l, i32, 0);
            for (int64_t lane = 0; lane < g; ++lane) {
              Value bit = planeBit(b, l, quant, args[lane], plane);
              index = arith::OrIOp::create(
                  b, l, index,
                  arith::ShLIOp::create(b, l, bit, intConst(b, l, i32, lane)));
            }
            // A mirrored half table holds the entries whose top bit is
            // clear; T[u] = -T[~u] for the others.
            Value top;
            if (mirrored) {
              Value mask = intConst(b, l, i32, (int64_t(1) << (g - 1)) - 1);
              top = arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt,
                                          index, mask);
              Value complement = arith::XOrIOp::create(
                  b, l, index, intConst(b, l, i32, (int64_t(1) << g) - 1));
              index = arith::SelectOp::create(b, l, top, complement, index);
            }
            SmallVector<Value> indices(at);
            indices.push_back(
                arith::IndexCastOp::create(b, l, b.getIndexType(), index));
            Value entry = tensor::ExtractOp::create(b, l, table4, indices);
            int64_t weight = quant.getPlaneWeight(plane);
            if (quantized) {
              // Integer lookups and plane weights: exact in i32.
              entry = arith::ExtSIOp::create(b, l, i32, entry);
              if (mirrored)
                entry = arith::SelectOp::create(
                    b, l, top,
                    arith::SubIOp::create(b, l, intConst(b, l, i32, 0), entry),
                    entry);
              sum = arith::AddIOp::create(
                  b, l, sum,
                  arith::MulIOp::create(b, l, entry,
                                        intConst(b, l, i32, weight)));
              continue;
            }
            if (mirrored)
              entry = arith::SelectOp::create(
                  b, l, top, arith::NegFOp::create(b, l, entry), entry);
            sum = arith::AddFOp::create(
                b, l, sum,
                arith::MulFOp::create(b, l, entry,
                                      floatConst(b, l, f32, double(weight))));
          }
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ScaleCombineLowering : OpConversionPattern<ScaleCombineOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScaleCombineOp op, OneToNOpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    QuantAttr quant = op.getWeight().getType().getQuant();
    ValueRange weight = adaptor.getWeight();
    Value acc = adaptor.getAcc().front(), xsum = adaptor.getXsum().front();
    Type f32 = rewriter.getF32Type();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineExpr zero = getAffineConstantExpr(0, ctx);

    // Scales and offsets are per (row, weight group), per row, or one; a
    // weight group holds group / segment segments.
    auto accType = cast<RankedTensorType>(acc.getType());
    PackedType packed = op.getWeight().getType();
    int64_t perGroup = quant.getGroupSizeFor(packed.getK()) /
                       (packed.getK() / accType.getDimSize(2));
    AffineMap scaleMap =
        quant.getGroupKind() == GroupKind::Group
            ? AffineMap::get(3, 0, {d(1), d(2).floorDiv(perGroup)}, ctx)
        : quant.getGroupKind() == GroupKind::PerChannel
            ? AffineMap::get(3, 0, {d(1), zero}, ctx)
            : AffineMap::get(3, 0, {zero, zero}, ctx);
    SmallVector<Value> inputs = {acc, xsum, weight[1]};
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(3, ctx),
                                   AffineMap::get(3, 0, {d(0), d(2)}, ctx),
                                   scaleMap};
    if (weight.size() == 3) {
      inputs.push_back(weight[2]);
      maps.push_back(scaleMap);
    }
    bool quantized = accType.getElementType().isInteger(32);
    if (quantized) {
      inputs.push_back(adaptor.getTscale().front());
      maps.push_back(AffineMap::get(3, 0, {d(0), d(2)}, ctx));
    }
    maps.push_back(AffineMap::get(3, 0, {d(0), d(1)}, ctx));

    bool ternary = quant.getEncoding() == Encoding::Ternary;
    unsigned bits = ternary ? 2 : quant.getBits();
    double kappa = op.getWeight().getType().getLookupKappa();
    double c = quant.getPlaneOffset();

    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    Value out = zerosLike(rewriter, loc, acc, resultType.getShape());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, out.getType(), inputs, out, maps,
        ArrayRef<utils::IteratorType>{utils::IteratorType::parallel,
                                      utils::IteratorType::parallel,
                                      utils::IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value a = args[0], x = args[1];
          if (quantized) // acc * tscale: the sum of the unquantized entries.
            a = arith::MulFOp::create(b, l,
                                      arith::SIToFPOp::create(b, l, f32, a),
                                      args[args.size() - 2]);
          Value s = castFloat(b, l, args[2], f32);
          Value constant = floatConst(b, l, f32, c);
          if (quant.getOffset() == OffsetKind::ZeroPoint) {
            Type i32 = b.getI32Type();
            Value z = arith::AndIOp::create(
                b, l, arith::ExtUIOp::create(b, l, i32, args[3]),
                intConst(b, l, i32, (1 << bits) - 1));
            constant = arith::SubFOp::create(
                b, l, constant, arith::SIToFPOp::create(b, l, f32, z));
          }
          Value inner = arith::AddFOp::create(
              b, l,
              arith::MulFOp::create(b, l, a, floatConst(b, l, f32, kappa)),
              arith::MulFOp::create(b, l, constant, x));
          Value y = arith::MulFOp::create(b, l, s, inner);
          if (quant.getOffset() == OffsetKind::Min)
            y = arith::SubFOp::create(
                b, l, y,
                arith::MulFOp::create(b, l, castFloat(b, l, args[3], f32), x));
          linalg::YieldOp::create(
              b, l, arith::AddFOp::create(b, l, args.back(), y).getResult());
        });
    Value result = generic.getResult(0);
    if (resultType.getElementType() != f32) {
      Value init = emptyLike(rewriter, loc, acc, resultType.getDimSize(1),
                             resultType.getElementType());
      result = map2D(rewriter, loc, result, init,
                     [&](OpBuilder &b, Location l, Value v) {
                       return castFloat(b, l, v, resultType.getElementType());
                     });
    }
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::lut::lowering::populateTableLookupPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<QuantizeActivationsLowering, FusedTablePrecomputeLowering,
               TablePrecomputeLowering, LookupAccumulateLowering,
               ScaleCombineLowering>(converter, patterns.getContext());
}

//===- TileLinalg.cpp - The loom-tile-linalg pass -------------------------===//

#include "loom/CostModel/Decide.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Dialect/Loom/IR/LoomDialect.h"
#include "loom/Dialect/Loom/Utils/DecisionFile.h"
#include "loom/Transforms/ContractionTiling.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMTILELINALG
#include "loom/Transforms/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Multiply-adds from which a contraction's register tiles run in parallel:
/// about 30 us on one core, several times an OpenMP fork and join.
constexpr double kMinParallelMultiplyAdds = 1 << 18;

/// A dot product (a contraction to a scalar) of half-precision vectors into
/// an f32 sum, as the multiply of the extended vectors and a reduction:
/// upstream lowers such a contraction only where its operands have the
/// sum's type. It comes of folding the extensions of f32 sums
/// (ContractionTiling::sumsInF32) into a tile one row by one column.
struct LowerMixedDot : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    Type sum = op.getResultType();
    if (!isa<FloatType>(sum) || op.getLhsType().getElementType() == sum ||
        op.getLhsType().getRank() != 1 ||
        op.getKind() != vector::CombiningKind::ADD)
      return failure();
    Location loc = op.getLoc();
    auto widen = [&](Value value) -> Value {
      auto type = cast<VectorType>(value.getType());
      return arith::ExtFOp::create(rewriter, loc, type.clone(sum), value);
    };
    Value product = arith::MulFOp::create(rewriter, loc, widen(op.getLhs()),
                                          widen(op.getRhs()));
    rewriter.replaceOpWithNewOp<vector::ReductionOp>(
        op, vector::CombiningKind::ADD, product, op.getAcc());
    return success();
  }
};

struct LoomTileLinalgPass : loom::impl::LoomTileLinalgBase<LoomTileLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<cost::TargetInfo> target =
        cost::decisionTarget(isa, cpu, costModel, "linalg.tile");
    if (!target) {
      emitError(module.getLoc())
          << "loom-tile-linalg: " << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    if (!tileSizes.empty() && tileSizes.size() != 3) {
      emitError(module.getLoc())
          << "loom-tile-linalg: tile-sizes takes tile_m, "
             "tile_n and tile_k, got "
          << tileSizes.size() << " sizes";
      return signalPassFailure();
    }

    SmallVector<cost::TunableOpInterface> contractions;
    module.walk([&](cost::TunableOpInterface op) {
      if (op.getDecisionKind() == "linalg.tile" && op.hasDecision())
        contractions.push_back(op);
    });
    SmallVector<DecisionEntry> entries = keyDecisionEntries(contractions);
    if (!loadDecisions.empty() &&
        failed(pinLoomDecisions(module, loadDecisions, getArgument(), entries)))
      return signalPassFailure();
    // Loaded at the first op that needs one.
    std::unique_ptr<cost::CostModel> model;
    SmallVector<Operation *> nests;
    for (DecisionEntry &entry : entries) {
      auto op = cast<cost::TunableOpInterface>(entry.op);
      FailureOr<DecisionAttr> decision = decisionOf(op, *target, model);
      if (failed(decision))
        return signalPassFailure();
      entry.decision = *decision;
      if (failed(tileAndVectorize(cast<linalg::LinalgOp>(*op), *decision,
                                  *target, nests)))
        return signalPassFailure();
    }
    if (!dumpDecisions.empty() &&
        failed(saveDecisions(module, dumpDecisions, getArgument(), entries)))
      return signalPassFailure();

    // Along n, a tile vectorizes to a multi-reduction of the product of
    // two broadcast reads. Split the broadcasts out of the reads and fold
    // them into a vector.contract, which lowers to outer products. Only in
    // the nests this pass made: other vector code keeps its form.
    FrozenRewritePatternSet patterns = [&] {
      RewritePatternSet set(&getContext());
      vector::populateVectorTransferPermutationMapLoweringPatterns(set);
      vector::populateVectorReductionToContractPatterns(set);
      // Half-precision operands of f32 sums: the extensions fold into the
      // contraction, so that its broadcasts fold too.
      vector::populateFoldArithExtensionPatterns(set);
      set.add<LowerMixedDot>(&getContext());
      // The rhs copies' blocks (packRhs).
      vector::populateVectorTransposeLoweringPatterns(
          set, vector::VectorTransposeLowering::Shuffle16x16);
      return FrozenRewritePatternSet(std::move(set));
    }();
    for (Operation *nest : nests)
      if (failed(applyPatternsGreedily(nest, patterns)))
        return signalPassFailure();
  }

  /// The op's decision: the fixed tile, the one it carries, or the cost
  /// model's, recorded on the op.
  FailureOr<DecisionAttr> decisionOf(cost::TunableOpInterface op,
                                     const cost::TargetInfo &target,
                                     std::unique_ptr<cost::CostModel> &model) {
    auto carried = op->getAttrOfType<DecisionAttr>(DecisionAttr::kAttrName);
    if (carried && tileSizes.empty())
      return carried;
    cost::KnobSpace space = op.getKnobSpace(target);
    DecisionAttr decision;
    if (!tileSizes.empty()) {
      cost::Candidate candidate;
      cost::KnobValue fixed[] = {tileSizes[0], tileSizes[1], tileSizes[2],
                                 vectorDim.getValue()};
      for (auto [knob, value] : llvm::zip_equal(space.getKnobs(), fixed)) {
        std::optional<unsigned> option = knob.indexOf(value);
        if (!option)
          return op->emitError()
                 << "loom-tile-linalg: " << cost::toString(value)
                 << " is not a " << knob.name << " option";
        candidate.push_back(*option);
      }
      if (!space.isLegal(candidate))
        return op->emitError()
               << "loom-tile-linalg: tile-sizes [" << space.describe(candidate)
               << "] is not a legal tile of this contraction";
      decision =
          DecisionAttr::getForCandidate(op->getContext(), op.getDecisionKind(),
                                        space, candidate, "user", "tile-sizes");
    } else {
      if (!model && failed(loadModel(op, target, model)))
        return failure();
      SmallVector<cost::RankedCandidate> ranked =
          cost::rankCandidates(op, space, target, *model, 4096);
      // 1 x 1 x 1 divides every loop and fits any register file.
      assert(!ranked.empty() && "the unit tile is always legal");
      if (remarks)
        cost::remarkRanking(
            op, op.getFeatureSchema(), space, ranked, *model,
            op.getFeatures(space, ranked.front().candidate, target));
      cost::CostModelInfo info = model->info();
      decision = DecisionAttr::getForCandidate(
          op->getContext(), op.getDecisionKind(), space,
          ranked.front().candidate,
          info.source == cost::CostModelInfo::Source::Learned ? "learned"
                                                              : "roofline",
          info.modelId);
    }
    op->setAttr(DecisionAttr::kAttrName, decision);
    return decision;
  }

  LogicalResult loadModel(cost::TunableOpInterface op,
                          const cost::TargetInfo &target,
                          std::unique_ptr<cost::CostModel> &model) {
    std::string passedOver;
    auto selected = cost::selectCostModel(costModel, target,
                                          op.getFeatureSchema(), passedOver);
    if (!selected)
      return op->emitError() << llvm::toString(selected.takeError());
    if (!passedOver.empty())
      op->emitRemark() << passedOver << "; deciding by the roofline";
    model = std::move(*selected);
    return success();
  }

  /// A part of a split contraction and the tile it runs.
  struct Part {
    linalg::LinalgOp op;
    RegisterTile tile;
  };

  /// Tiles and vectorizes `op`, its rhs packed where the tile asks for it
  /// (for dynamic rows, in a version run from rhsPackingRows rows where
  /// that is more than one) and split first where the tile does not divide
  /// a loop; appends the outermost loop of each part's nest to `nests`.
  static LogicalResult tileAndVectorize(linalg::LinalgOp op,
                                        DecisionAttr decision,
                                        const cost::TargetInfo &target,
                                        SmallVectorImpl<Operation *> &nests) {
    RegisterTile tile{*decision.getIntKnob("tile_m"),
                      *decision.getIntKnob("tile_n"),
                      *decision.getIntKnob("tile_k"),
                      *decision.getStringKnob("vector_dim") == "k"};
    IRRewriter rewriter(op);
    ContractionTiling tiling = *ContractionTiling::of(op);
    bool sumsInF32 = tiling.sumsInF32(target);
    std::optional<int64_t> packingRows = rhsPackingRows(tiling, tile, target);
    if (tiling.dynamicRows && packingRows && *packingRows > 1) {
      auto [many, few] = versionByRowCount(rewriter, op, tiling, *packingRows);
      FailureOr<linalg::LinalgOp> packed =
          packRhs(rewriter, many, tiling, nests);
      if (failed(packed) ||
          failed(tileParts(rewriter, *packed, tile, sumsInF32, nests)))
        return failure();
      return tileParts(rewriter, few, tile, sumsInF32, nests);
    }
    // Static rows that reach packingRows, or dynamic rows packed from the
    // first.
    if (packsRhs(tiling, tile, target) || (tiling.dynamicRows && packingRows)) {
      FailureOr<linalg::LinalgOp> packed = packRhs(rewriter, op, tiling, nests);
      if (failed(packed))
        return failure();
      op = *packed;
    }
    return tileParts(rewriter, op, tile, sumsInF32, nests);
  }

  /// Splits `op` where `tile` does not divide a loop and tiles and
  /// vectorizes each part.
  static LogicalResult tileParts(IRRewriter &rewriter, linalg::LinalgOp op,
                                 const RegisterTile &tile, bool sumsInF32,
                                 SmallVectorImpl<Operation *> &nests) {
    FailureOr<SmallVector<Part>> parts = splitAtRemainders(rewriter, op, tile);
    if (failed(parts))
      return failure();
    for (auto [part, partTile] : *parts) {
      ContractionTiling tiling = *ContractionTiling::of(part);
      RegisterTile clipped = clipToPart(partTile, tiling.m, tiling.n, tiling.k);
      // Dynamic rows in whole tiles (not the rest, fewer than a tile) run
      // in parallel from the row count that pays for a fork and a join.
      if (tiling.dynamicRows && partTile.m == tile.m) {
        if (failed(tileByRowCount(rewriter, part, tiling, clipped, sumsInF32,
                                  nests)))
          return failure();
        continue;
      }
      FailureOr<Operation *> nest =
          tilePart(rewriter, part, tiling, clipped, sumsInF32,
                   tiling.multiplyAdds() >= kMinParallelMultiplyAdds);
      if (failed(nest))
        return failure();
      nests.push_back(*nest);
    }
    return success();
  }

  /// `op` as a linalg.generic (a named op is replaced by one).
  static FailureOr<linalg::GenericOp> generalize(IRRewriter &rewriter,
                                                 linalg::LinalgOp op) {
    if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation()))
      return generic;
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> generalized =
        linalg::generalizeNamedOp(rewriter, op);
    if (failed(generalized))
      return op->emitError() << "loom-tile-linalg: cannot generalize";
    return generalized;
  }

  /// `op` reading a copy of its rhs laid out along n (packsRhs): the copy
  /// keeps the rhs's other dims in order, then the tiled k and n dims, and
  /// is made once, before the loops, so that a tile along n reads whole
  /// vectors of it.
  static FailureOr<linalg::LinalgOp>
  packRhs(IRRewriter &rewriter, linalg::LinalgOp op,
          const ContractionTiling &tiling,
          SmallVectorImpl<Operation *> &nests) {
    FailureOr<linalg::GenericOp> asGeneric = generalize(rewriter, op);
    if (failed(asGeneric))
      return failure();
    linalg::GenericOp generic = *asGeneric;
    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    AffineMap rhsMap = maps[1];
    MLIRContext *context = rewriter.getContext();
    unsigned nPosition =
        *rhsMap.getResultPosition(getAffineDimExpr(tiling.nDim, context));
    unsigned kPosition =
        *rhsMap.getResultPosition(getAffineDimExpr(tiling.kDim, context));
    SmallVector<int64_t> permutation;
    for (unsigned i = 0; i < rhsMap.getNumResults(); ++i)
      if (i != nPosition && i != kPosition)
        permutation.push_back(i);
    permutation.append({kPosition, nPosition});

    Value rhs = generic.getDpsInputs()[1];
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> results;
    for (int64_t i : permutation) {
      shape.push_back(rhsType.getDimSize(i));
      results.push_back(rhsMap.getResult(i));
    }
    Location loc = generic.getLoc();
    rewriter.setInsertionPoint(generic);
    Value init =
        tensor::EmptyOp::create(rewriter, loc, shape, rhsType.getElementType());
    auto transpose =
        linalg::TransposeOp::create(rewriter, loc, rhs, init, permutation);
    FailureOr<Value> packed = vectorizeTranspose(rewriter, transpose, nests);
    if (failed(packed))
      return failure();
    maps[1] = AffineMap::get(rhsMap.getNumDims(), 0, results, context);
    rewriter.modifyOpInPlace(generic, [&] {
      generic.getInputsMutable()[1].assign(*packed);
      generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return cast<linalg::LinalgOp>(generic.getOperation());
  }

  /// Tiles `transpose` to blocks of its two innermost dims that are
  /// vector transposes (16 x 16, or 8 x 8 where 16 does not divide them;
  /// elsewhere it stays element by element), appending the nest to
  /// `nests`, whose patterns lower a 16 x 16 block to a shuffle network.
  /// Returns the copy.
  static FailureOr<Value>
  vectorizeTranspose(IRRewriter &rewriter, linalg::TransposeOp transpose,
                     SmallVectorImpl<Operation *> &nests) {
    ArrayRef<int64_t> shape = transpose.getInit().getType().getShape();
    int64_t rows = shape[shape.size() - 2], columns = shape.back();
    int64_t block = rows % 16 == 0 && columns % 16 == 0 ? 16
                    : rows % 8 == 0 && columns % 8 == 0 ? 8
                                                        : 0;
    if (!block)
      return transpose->getResult(0);
    SmallVector<int64_t> sizes(shape.size(), 1);
    sizes[shape.size() - 2] = sizes.back() = block;
    rewriter.setInsertionPoint(transpose);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(transpose.getContext(), sizes));
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(transpose.getOperation()), options);
    if (failed(tiled))
      return transpose->emitError() << "loom-tile-linalg: tiling the rhs's "
                                       "copy failed";
    rewriter.replaceOp(transpose, tiled->replacements);
    for (Operation *blockOp : tiled->tiledOps)
      if (failed(vectorize(rewriter, cast<linalg::LinalgOp>(blockOp), block)))
        return failure();
    if (!tiled->loops.empty())
      nests.push_back(tiled->loops.front().getOperation());
    return tiled->replacements.front();
  }

  /// Tiles a part of dynamic rows twice, under an `scf.if` on its row
  /// count: in parallel where the rows reach kMinParallelMultiplyAdds,
  /// serially below (a decode step's one row would pay for a fork and a
  /// join that has no work to share).
  static LogicalResult tileByRowCount(IRRewriter &rewriter, linalg::LinalgOp op,
                                      const ContractionTiling &tiling,
                                      const RegisterTile &tile, bool sumsInF32,
                                      SmallVectorImpl<Operation *> &nests) {
    int64_t forkRows = static_cast<int64_t>(
        std::ceil(kMinParallelMultiplyAdds / tiling.multiplyAdds()));
    auto [parallel, serial] = versionByRowCount(rewriter, op, tiling, forkRows);
    for (auto [copy, inParallel] :
         {std::pair(parallel, true), std::pair(serial, false)}) {
      FailureOr<Operation *> nest =
          tilePart(rewriter, copy, tiling, tile, sumsInF32, inParallel);
      if (failed(nest))
        return failure();
      nests.push_back(*nest);
    }
    return success();
  }

  /// Replaces `op` (of dynamic rows) by an `scf.if` on its row count with
  /// a copy of it in each branch; returns the copy run from `minRows` rows
  /// and the one run below.
  static std::pair<linalg::LinalgOp, linalg::LinalgOp>
  versionByRowCount(IRRewriter &rewriter, linalg::LinalgOp op,
                    const ContractionTiling &tiling, int64_t minRows) {
    Location loc = op.getLoc();
    rewriter.setInsertionPoint(op);
    Value rows = getValueOrCreateConstantIndexOp(rewriter, loc,
                                                 tiling.rowCount(rewriter, op));
    Value enough = arith::CmpIOp::create(
        rewriter, loc, arith::CmpIPredicate::uge, rows,
        arith::ConstantIndexOp::create(rewriter, loc, minRows));
    auto versions = scf::IfOp::create(rewriter, loc, op->getResultTypes(),
                                      enough, /*withElseRegion=*/true);
    SmallVector<linalg::LinalgOp, 2> copies;
    for (Block *block : {versions.thenBlock(), versions.elseBlock()}) {
      rewriter.setInsertionPointToStart(block);
      auto copy = cast<linalg::LinalgOp>(rewriter.clone(*op));
      scf::YieldOp::create(rewriter, loc, copy->getResults());
      copies.push_back(copy);
    }
    rewriter.replaceOp(op, versions.getResults());
    return {copies[0], copies[1]};
  }

  /// Splits `op` along its m, n and k loops where `tile` does not divide
  /// them (splitExtents; dynamic rows: splitDynamicRows, at a split point
  /// computed at run time): every part's clipped tile divides its loops. A
  /// part split along k accumulates into the previous part's result.
  static FailureOr<SmallVector<Part>>
  splitAtRemainders(IRRewriter &rewriter, linalg::LinalgOp op,
                    const RegisterTile &tile) {
    ContractionTiling tiling = *ContractionTiling::of(op);
    SmallVector<Part> parts = {{op, tile}};
    // Splits `part` along `dim` at `at`: the first part keeps `partTile`,
    // the second takes `remainderTile`.
    auto splitOff = [&](Part part, unsigned dim, OpFoldResult at,
                        const RegisterTile &remainderTile)
        -> FailureOr<std::pair<Part, Part>> {
      rewriter.setInsertionPoint(part.op);
      auto [first, second] = linalg::splitOp(
          rewriter, cast<TilingInterface>(part.op.getOperation()), dim, at);
      if (!first || !second)
        return part.op->emitError()
               << "loom-tile-linalg: splitting off the remainder failed";
      return std::make_pair(
          Part{cast<linalg::LinalgOp>(first.getOperation()), part.tile},
          Part{cast<linalg::LinalgOp>(second.getOperation()), remainderTile});
    };
    if (tiling.dynamicRows) {
      // The rows each tile of dynamicRowTiles divides, of the rows the
      // tiles before it left: (rows floordiv t) * t.
      AffineExpr rows = rewriter.getAffineSymbolExpr(0);
      SmallVector<int64_t, 4> rowTiles = dynamicRowTiles(tile.m);
      for (int64_t restRows : ArrayRef(rowTiles).drop_front()) {
        Part rest = parts.pop_back_val();
        rewriter.setInsertionPoint(rest.op);
        OpFoldResult at = affine::makeComposedFoldedAffineApply(
            rewriter, rest.op.getLoc(),
            rows.floorDiv(rest.tile.m) * rest.tile.m,
            {tiling.rowCount(rewriter, rest.op)});
        RegisterTile restTile = rest.tile;
        restTile.m = restRows;
        FailureOr<std::pair<Part, Part>> split =
            splitOff(rest, tiling.mDim, at, restTile);
        if (failed(split))
          return failure();
        parts.append({split->first, split->second});
      }
    }
    std::tuple<unsigned, int64_t, int64_t> dims[] = {
        {tiling.mDim, tiling.m, tile.m},
        {tiling.nDim, tiling.n, tile.n},
        {tiling.kDim, tiling.k, tile.k}};
    for (auto [dim, size, tileSize] : dims) {
      SmallVector<int64_t, 2> extents = splitExtents(size, tileSize);
      if (extents.size() < 2)
        continue;
      OpFoldResult at = rewriter.getIndexAttr(extents.front());
      SmallVector<Part> split;
      for (const Part &part : parts) {
        FailureOr<std::pair<Part, Part>> halves =
            splitOff(part, dim, at, part.tile);
        if (failed(halves))
          return failure();
        split.append({halves->first, halves->second});
      }
      parts = std::move(split);
    }
    return parts;
  }

  /// Tiles and vectorizes a part whose tile divides its loops, its
  /// register tiles in `parallel` and summing in f32 where `sumsInF32`;
  /// returns the outermost loop of its nest.
  static FailureOr<Operation *> tilePart(IRRewriter &rewriter,
                                         linalg::LinalgOp op,
                                         const ContractionTiling &tiling,
                                         const RegisterTile &tile,
                                         bool sumsInF32, bool parallel) {
    // The parallel dims first; each register tile's k loop is a second
    // tiling of it, below.
    SmallVector<int64_t> sizes = tiling.tileSizes(tile.m, tile.n, /*tileK=*/0);
    rewriter.setInsertionPoint(op);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
    options.setInterchange(tiling.interchange);
    // Register tiles run on the kernels' thread pool (scf.forall, then
    // OpenMP) where the contraction pays for a fork and a join.
    if (parallel)
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return op->emitError() << "loom-tile-linalg: tiling failed";
    rewriter.replaceOp(op, tiled->replacements);
    // The first part of dynamic rows is a multiple of its tile's rows
    // (splitAtRemainders): every tile is whole, so the rows tiling clamps
    // to the loop's end are the tile's, which gives the tiles static
    // shapes.
    if (tiling.dynamicRows && tile.m > 1 && !tiled->loops.empty()) {
      AffineExpr tileRows = rewriter.getAffineConstantExpr(tile.m);
      SmallVector<affine::AffineMinOp> clamps;
      tiled->loops.front()->walk([&](affine::AffineMinOp clamp) {
        if (llvm::is_contained(clamp.getMap().getResults(), tileRows))
          clamps.push_back(clamp);
      });
      for (affine::AffineMinOp clamp : clamps) {
        rewriter.setInsertionPoint(clamp);
        rewriter.replaceOpWithNewOp<arith::ConstantIndexOp>(clamp, tile.m);
      }
    }
    for (Operation *tileOp : tiled->tiledOps) {
      auto contraction = cast<linalg::LinalgOp>(tileOp);
      if (sumsInF32) {
        FailureOr<F32Sums> widened = sumInF32(rewriter, contraction);
        if (failed(widened) ||
            failed(vectorize(rewriter, widened->extend, tile.m)) ||
            failed(vectorize(rewriter, widened->round, tile.m)))
          return failure();
        contraction = widened->contraction;
      }
      if (failed(tileReduction(rewriter, contraction, tiling.kDim, tile)))
        return failure();
    }
    // A part its tile covers whole (the unit tile of a unit-sized
    // contraction, a remainder) makes no loop.
    if (tiled->loops.empty())
      return tiled->replacements.front().getDefiningOp()->getParentOp();
    return tiled->loops.front().getOperation();
  }

  /// A register tile's contraction as three ops: its result slice
  /// extended to f32, the contraction summing into that in f32 (its
  /// operands extended in its body), and the sums rounded back into the
  /// slice.
  struct F32Sums {
    linalg::LinalgOp extend, contraction, round;
  };
  static FailureOr<F32Sums> sumInF32(IRRewriter &rewriter,
                                     linalg::LinalgOp tile) {
    FailureOr<linalg::GenericOp> asGeneric = generalize(rewriter, tile);
    if (failed(asGeneric))
      return failure();
    linalg::GenericOp generic = *asGeneric;
    Location loc = generic.getLoc();
    Value slice = generic.getDpsInits()[0];
    auto sliceType = cast<RankedTensorType>(slice.getType());
    Type f32 = rewriter.getF32Type();
    rewriter.setInsertionPoint(generic);
    auto toF32 = [&](OpBuilder &b, Location loc, Value value) -> Value {
      return value.getType() == f32 ? value
                                    : arith::ExtFOp::create(b, loc, f32, value);
    };
    auto elementwise =
        [&](Value source, Value init,
            function_ref<Value(OpBuilder &, Location, Value)> convert) {
          SmallVector<AffineMap> maps(
              2, rewriter.getMultiDimIdentityMap(sliceType.getRank()));
          SmallVector<utils::IteratorType> iterators(
              sliceType.getRank(), utils::IteratorType::parallel);
          return linalg::GenericOp::create(
              rewriter, loc, init.getType(), source, init, maps, iterators,
              [&](OpBuilder &b, Location loc, ValueRange args) {
                linalg::YieldOp::create(b, loc, convert(b, loc, args[0]));
              });
        };
    Value wide = tensor::EmptyOp::create(
        rewriter, loc, tensor::getMixedSizes(rewriter, loc, slice), f32);
    linalg::GenericOp extend = elementwise(slice, wide, toF32);
    // The body is a product added to the sum (ContractionTiling::of takes
    // only contractions), so it is built again in f32.
    auto contraction = linalg::GenericOp::create(
        rewriter, loc, wide.getType(), generic.getDpsInputs(),
        extend.getResult(0), generic.getIndexingMapsArray(),
        generic.getIteratorTypesArray(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value product = arith::MulFOp::create(b, loc, toF32(b, loc, args[0]),
                                                toF32(b, loc, args[1]));
          Value sum = arith::AddFOp::create(b, loc, args[2], product);
          linalg::YieldOp::create(b, loc, sum);
        });
    linalg::GenericOp round =
        elementwise(contraction.getResult(0), slice,
                    [&](OpBuilder &b, Location loc, Value value) -> Value {
                      return arith::TruncFOp::create(
                          b, loc, sliceType.getElementType(), value);
                    });
    rewriter.replaceOp(generic, round.getResults());
    return F32Sums{extend, contraction, round};
  }

  /// Tiles the k loop of a register tile and vectorizes it. Along n, each
  /// k step is an outer product into the tile's accumulators. Along k, each
  /// k tile multiplies into partial sums of its own (k becomes a parallel
  /// dim of the tile, its vector dim), which one reduction per register
  /// tile adds up after the loop.
  static LogicalResult tileReduction(IRRewriter &rewriter,
                                     linalg::LinalgOp tile, unsigned kDim,
                                     const RegisterTile &registerTile) {
    bool alongK = registerTile.alongK;
    SmallVector<int64_t> sizes(tile.getNumLoops(), 0);
    sizes[kDim] = registerTile.k;
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(tile->getContext(), sizes));
    if (alongK) {
      options.setReductionTilingStrategy(
          ReductionTilingStrategy::PartialReductionOuterReduction);
      options.setReductionDims({kDim});
    }
    rewriter.setInsertionPoint(tile);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(tile.getOperation()), options);
    if (failed(tiled))
      return tile->emitError() << "loom-tile-linalg: tiling k failed";
    rewriter.replaceOp(tile, tiled->replacements);
    // Along k: the partial sums' zero fill, the multiply-adds, the final
    // sums (mergeOps is empty along n).
    SmallVector<Operation *> toVectorize;
    if (alongK)
      for (Value init : tiled->initialValues)
        if (Operation *fill = init.getDefiningOp<linalg::FillOp>())
          toVectorize.push_back(fill);
    llvm::append_range(toVectorize, tiled->tiledOps);
    llvm::append_range(toVectorize, tiled->mergeOps);
    for (Operation *op : toVectorize)
      if (failed(
              vectorize(rewriter, cast<linalg::LinalgOp>(op), registerTile.m)))
        return failure();
    return success();
  }

  /// Vectorizes a tile as the contraction of its dims that are not 1 (a
  /// batch dim's unit slice would otherwise stay a dim of every vector and
  /// keep the contraction from lowering to outer products). A dynamic dim
  /// is the rows of a tile of `rows` rows.
  static LogicalResult vectorize(IRRewriter &rewriter, linalg::LinalgOp tile,
                                 int64_t rows) {
    rewriter.setInsertionPoint(tile);
    FailureOr<linalg::GenericOp> asGeneric = generalize(rewriter, tile);
    if (failed(asGeneric))
      return failure();
    linalg::GenericOp generic = *asGeneric;
    Operation *contraction = generic;
    linalg::ControlDropUnitDims control;
    control.rankReductionStrategy =
        linalg::ControlDropUnitDims::RankReductionStrategy::ExtractInsertSlice;
    // Fails when there is no unit dim to drop.
    if (FailureOr<linalg::DropUnitDimsResult> dropped =
            linalg::dropUnitDims(rewriter, generic, control);
        succeeded(dropped)) {
      rewriter.replaceOp(generic, dropped->replacements);
      contraction = dropped->resultOp;
    }
    rewriter.setInsertionPoint(contraction);
    // Dynamic rows are split where a tile divides them (splitAtRemainders),
    // so a tile of the first part has all its rows: its vectors need no
    // mask.
    SmallVector<int64_t> vectorSizes;
    auto contractionOp = cast<linalg::LinalgOp>(contraction);
    if (contractionOp.hasDynamicShape()) {
      vectorSizes = contractionOp.getStaticLoopRanges();
      for (int64_t &size : vectorSizes)
        if (ShapedType::isDynamic(size))
          size = rows;
    }
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, contraction, vectorSizes,
        SmallVector<bool>(vectorSizes.size(), false),
        /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/!vectorSizes.empty());
    if (failed(vectorized))
      return contraction->emitError()
             << "loom-tile-linalg: vectorization failed";
    rewriter.replaceOp(contraction, vectorized->replacements);
    return success();
  }
};

} // namespace

//===- TileLinalg.cpp - The loom-tile-linalg pass -------------------------===//

#include "loom/CostModel/Decide.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/CostModel/TunableOpInterface.h"
#include "loom/Transforms/ContractionTiling.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

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

struct LoomTileLinalgPass : loom::impl::LoomTileLinalgBase<LoomTileLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<cost::TargetInfo> target =
        cost::decisionTarget(isa, cpu, costModel, "linalg.tile");
    if (!target) {
      module.emitError() << "loom-tile-linalg: "
                         << llvm::toString(target.takeError());
      return signalPassFailure();
    }
    if (!tileSizes.empty() && tileSizes.size() != 3) {
      module.emitError() << "loom-tile-linalg: tile-sizes takes tile_m, "
                            "tile_n and tile_k, got "
                         << tileSizes.size() << " sizes";
      return signalPassFailure();
    }

    SmallVector<cost::TunableOpInterface> contractions;
    module.walk([&](cost::TunableOpInterface op) {
      if (op.getDecisionKind() == "linalg.tile" && op.hasDecision())
        contractions.push_back(op);
    });
    // Loaded at the first op that needs one.
    std::unique_ptr<cost::CostModel> model;
    SmallVector<Operation *> nests;
    for (cost::TunableOpInterface op : contractions) {
      FailureOr<DecisionAttr> decision = decisionOf(op, *target, model);
      if (failed(decision))
        return signalPassFailure();
      if (failed(
              tileAndVectorize(cast<linalg::LinalgOp>(*op), *decision, nests)))
        return signalPassFailure();
    }

    // Along n, a tile vectorizes to a multi-reduction of the product of
    // two broadcast reads. Split the broadcasts out of the reads and fold
    // them into a vector.contract, which lowers to outer products. Only in
    // the nests this pass made: other vector code keeps its form.
    FrozenRewritePatternSet patterns = [&] {
      RewritePatternSet set(&getContext());
      vector::populateVectorTransferPermutationMapLoweringPatterns(set);
      vector::populateVectorReductionToContractPatterns(set);
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

  /// Tiles and vectorizes `op`, split first where the tile does not divide
  /// a loop; appends the outermost loop of each part's nest to `nests`.
  static LogicalResult tileAndVectorize(linalg::LinalgOp op,
                                        DecisionAttr decision,
                                        SmallVectorImpl<Operation *> &nests) {
    RegisterTile tile{*decision.getIntKnob("tile_m"),
                      *decision.getIntKnob("tile_n"),
                      *decision.getIntKnob("tile_k"),
                      *decision.getStringKnob("vector_dim") == "k"};
    IRRewriter rewriter(op);
    FailureOr<SmallVector<linalg::LinalgOp>> parts =
        splitAtRemainders(rewriter, op, tile);
    if (failed(parts))
      return failure();
    for (linalg::LinalgOp part : *parts) {
      ContractionTiling tiling = *ContractionTiling::of(part);
      FailureOr<Operation *> nest =
          tilePart(rewriter, part, tiling,
                   clipToPart(tile, tiling.m, tiling.n, tiling.k));
      if (failed(nest))
        return failure();
      nests.push_back(*nest);
    }
    return success();
  }

  /// Splits `op` along its m, n and k loops where `tile` does not divide
  /// them (splitExtents): every part's clipped tile divides its loops. A
  /// part split along k accumulates into the previous part's result.
  static FailureOr<SmallVector<linalg::LinalgOp>>
  splitAtRemainders(IRRewriter &rewriter, linalg::LinalgOp op,
                    const RegisterTile &tile) {
    ContractionTiling tiling = *ContractionTiling::of(op);
    SmallVector<linalg::LinalgOp> parts = {op};
    std::tuple<unsigned, int64_t, int64_t> dims[] = {
        {tiling.mDim, tiling.m, tile.m},
        {tiling.nDim, tiling.n, tile.n},
        {tiling.kDim, tiling.k, tile.k}};
    for (auto [dim, size, tileSize] : dims) {
      SmallVector<int64_t, 2> extents = splitExtents(size, tileSize);
      if (extents.size() < 2)
        continue;
      SmallVector<linalg::LinalgOp> split;
      for (linalg::LinalgOp part : parts) {
        rewriter.setInsertionPoint(part);
        auto [first, second] = linalg::splitOp(
            rewriter, cast<TilingInterface>(part.getOperation()), dim,
            rewriter.getIndexAttr(extents.front()));
        if (!first || !second)
          return part->emitError()
                 << "loom-tile-linalg: splitting off the remainder failed";
        split.push_back(cast<linalg::LinalgOp>(first.getOperation()));
        split.push_back(cast<linalg::LinalgOp>(second.getOperation()));
      }
      parts = std::move(split);
    }
    return parts;
  }

  /// Tiles and vectorizes a part whose tile divides its loops; returns the
  /// outermost loop of its nest.
  static FailureOr<Operation *> tilePart(IRRewriter &rewriter,
                                         linalg::LinalgOp op,
                                         const ContractionTiling &tiling,
                                         const RegisterTile &tile) {
    // The parallel dims first; each register tile's k loop is a second
    // tiling of it, below.
    SmallVector<int64_t> sizes = tiling.tileSizes(tile.m, tile.n, /*tileK=*/0);
    rewriter.setInsertionPoint(op);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(op->getContext(), sizes));
    options.setInterchange(tiling.interchange);
    // Register tiles run on the kernels' thread pool (scf.forall, then
    // OpenMP) where the contraction pays for a fork and a join.
    if (tiling.multiplyAdds() >= kMinParallelMultiplyAdds)
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return op->emitError() << "loom-tile-linalg: tiling failed";
    rewriter.replaceOp(op, tiled->replacements);
    for (Operation *tileOp : tiled->tiledOps)
      if (failed(tileReduction(rewriter, tileOp, tiling.kDim, tile.k,
                               tile.alongK)))
        return failure();
    // A part its tile covers whole (the unit tile of a unit-sized
    // contraction, a remainder) makes no loop.
    if (tiled->loops.empty())
      return tiled->replacements.front().getDefiningOp()->getParentOp();
    return tiled->loops.front().getOperation();
  }

  /// Tiles the k loop of a register tile and vectorizes it. Along n, each
  /// k step is an outer product into the tile's accumulators. Along k, each
  /// k tile multiplies into partial sums of its own (k becomes a parallel
  /// dim of the tile, its vector dim), which one reduction per register
  /// tile adds up after the loop.
  static LogicalResult tileReduction(IRRewriter &rewriter, Operation *tile,
                                     unsigned kDim, int64_t tileK,
                                     bool alongK) {
    auto linalgTile = cast<linalg::LinalgOp>(tile);
    SmallVector<int64_t> sizes(linalgTile.getNumLoops(), 0);
    sizes[kDim] = tileK;
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(tile->getContext(), sizes));
    if (alongK) {
      options.setReductionTilingStrategy(
          ReductionTilingStrategy::PartialReductionOuterReduction);
      options.setReductionDims({kDim});
    }
    rewriter.setInsertionPoint(tile);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(tile), options);
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
      if (failed(vectorize(rewriter, cast<linalg::LinalgOp>(op))))
        return failure();
    return success();
  }

  /// Vectorizes a tile as the contraction of its dims that are not 1 (a
  /// batch dim's unit slice would otherwise stay a dim of every vector and
  /// keep the contraction from lowering to outer products).
  static LogicalResult vectorize(IRRewriter &rewriter, linalg::LinalgOp tile) {
    rewriter.setInsertionPoint(tile);
    auto generic = dyn_cast<linalg::GenericOp>(tile.getOperation());
    if (!generic) {
      FailureOr<linalg::GenericOp> generalized =
          linalg::generalizeNamedOp(rewriter, tile);
      if (failed(generalized))
        return tile->emitError() << "loom-tile-linalg: cannot generalize";
      generic = *generalized;
    }
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
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, contraction, /*inputVectorSizes=*/{},
        /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
        /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false);
    if (failed(vectorized))
      return contraction->emitError()
             << "loom-tile-linalg: vectorization failed";
    rewriter.replaceOp(contraction, vectorized->replacements);
    return success();
  }
};

} // namespace

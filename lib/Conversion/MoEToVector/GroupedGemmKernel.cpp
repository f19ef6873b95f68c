//===- GroupedGemmKernel.cpp - moe.grouped_matmul as vector code ----------===//
//
// moe.md §3.4. Expert weights are [E, N, K] ([out, in], as PyTorch stores
// them) and the dispatched rows [R, K]: both are contiguous along K. A tile
// of `rows` dispatched rows by `weightRows` weight rows therefore keeps one
// vector<16xf32> accumulator per (row, weight row) pair and walks K sixteen
// at a time — rows + weightRows loads for rows * weightRows FMAs, the same
// ratio as an outer-product micro-kernel — without packing or transposing
// either operand per call. Once per tile a butterfly folds the accumulators
// into vectors of 16 sums, on which the epilogue (bias, activation, gate
// times up, row scale) runs vectorized.
//
//   for expert e (rows [offsets[e], offsets[e] + counts[e])):
//     for each K chunk whose part of a full tile's panel fits
//     kPanelChunkBytes (one chunk unless kPanelRowTiles row tiles share
//     the panel):
//       forall column tile:          one writer per output element (one
//                                    thread's loop below kParallelMacs)
//         copy the chunk of the tile's weight rows into a K-step-major
//         panel (from kPanelRowTiles row tiles on; fewer read the weights
//         in place)
//         for each full tile of rows, then one tile of the rows left:
//           for K in steps of 16:    loads and FMAs
//           butterfly; the last chunk adds the earlier chunks' sums and
//           runs the epilogue (one store or, scattering, one add per row),
//           the others save sums
//
// The expert's rows of one chunk stay in L2 while its column tiles stream
// the weights once, and every thread gets the same share of every expert's
// columns, so the time follows the routed rows, not the busiest expert
// (moe.md §3.5). Results do not depend on the thread count.
//
//===----------------------------------------------------------------------===//

#include "GroupedGemmKernel.h"
#include "KernelBuilders.h"

#include "loom/Dialect/MoE/IR/StrategyModel.h"
#include "loom/Dialect/MoE/Transforms/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

using namespace mlir;
using namespace mlir::loom::moe;

namespace {

using Builder = ImplicitLocOpBuilder;
/// Column blocks the decode form splits a GEMM's output into: a few per
/// thread, each streaming every expert's weight rows of its columns.
constexpr int64_t kColumnBlocks = 4;
/// Bytes of a weight panel that stay in L1 next to the streamed rows.
constexpr int64_t kPanelChunkBytes = 24 * 1024;

/// The K range [begin, end) a row tile sums over; the last one of a chunked
/// K adds the earlier ones' sums and runs the epilogue.
struct KRange {
  int64_t begin, end;
};

/// What the row tiles of a K range work on: the result slice, and with a
/// chunked K the earlier chunks' sums [rows, weight rows] (f32). A range
/// writes only one of them — the slice if it ends K, else the sums — and
/// only that one is carried through its loops: carrying the other as well
/// made one-shot bufferization copy the output slice out of place.
struct TileState {
  Value slice, partial;
  Value &written(KRange range, int64_t k) {
    return range.end == k ? slice : partial;
  }
  /// This state with the written value replaced by `value`.
  TileState with(KRange range, int64_t k, Value value) const {
    TileState next = *this;
    next.written(range, k) = value;
    return next;
  }
};

Value add(Builder &b, Value x, Value y) {
  return arith::AddIOp::create(b, x, y);
}
Value mul(Builder &b, Value x, int64_t c) {
  return arith::MulIOp::create(b, x, idx(b, c));
}

/// Folds `sums` (each a vector<16xf32> whose lanes add up to one result)
/// into vectors of 16 results, in order: result i is lane i % 16 of vector
/// i / 16. Each level pairs neighbours and adds the halves of every lane
/// group (two shuffles and one add per pair), so 16 accumulators cost 15
/// steps instead of 16 four-step reductions.
SmallVector<Value> butterfly(Builder &b, SmallVector<Value> sums) {
  auto type = cast<VectorType>(sums.front().getType());
  Value zero = arith::ConstantOp::create(
      b, type, DenseElementsAttr::get(type, b.getF32FloatAttr(0.0)));
  for (int64_t width = kLanes / 2; width >= 1; width /= 2) {
    if (sums.size() % 2)
      sums.push_back(zero);
    SmallVector<int64_t> low, high;
    for (int64_t side = 0; side < 2; ++side)
      for (int64_t group = 0; group < kLanes / (2 * width); ++group)
        for (int64_t i = 0; i < width; ++i) {
          low.push_back(side * kLanes + group * 2 * width + i);
          high.push_back(side * kLanes + group * 2 * width + width + i);
        }
    SmallVector<Value> next;
    for (size_t i = 0; i < sums.size(); i += 2)
      next.push_back(arith::AddFOp::create(
          b, vector::ShuffleOp::create(b, sums[i], sums[i + 1], low),
          vector::ShuffleOp::create(b, sums[i], sums[i + 1], high)));
    sums = std::move(next);
  }
  return sums;
}

class GroupedGemmEmitter {
public:
  GroupedGemmEmitter(GroupedMatmulOp op, GemmTile tile) : op(op), tile(tile) {
    auto wType = cast<RankedTensorType>(op.getWeights().getType());
    experts = wType.getDimSize(0);
    k = wType.getDimSize(2);
    act = op.getEpilogue();
    gated = act == Activation::Swiglu || act == Activation::Geglu;
    outCols = gated ? wType.getDimSize(1) / 2 : wType.getDimSize(1);
    tileCols = gated ? tile.weightRows / 2 : tile.weightRows;
  }

  Value emit(Builder &b) {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value rowCount = tensor::DimOp::create(b, op.getRowMapSource(), 0);
    // A scatter adds into its init, which holds every output row already.
    if (op.getScatter())
      return emitExperts(b, op.getInit(), rowCount);
    Value empty = tensor::EmptyOp::create(
        b, resultType,
        resultType.isDynamicDim(0) ? ValueRange{rowCount} : ValueRange{});
    // Rows outside every segment (padding) are 0: zeroed first unless the
    // segments tile the rows exactly, the usual grouped layout, where a
    // fill would write the whole result twice.
    Value zero = arith::ConstantOp::create(
        b, b.getFloatAttr(resultType.getElementType(), 0.0));
    Value out =
        scf::IfOp::create(
            b, segmentsCoverRows(b, rowCount),
            [&](OpBuilder &ob, Location loc) {
              scf::YieldOp::create(ob, loc, empty);
            },
            [&](OpBuilder &ob, Location loc) {
              scf::YieldOp::create(
                  ob, loc,
                  linalg::FillOp::create(ob, loc, zero, empty).getResult(0));
            })
            .getResult(0);
    return emitExperts(b, out, rowCount);
  }

private:
  /// Every expert's segment into `out`. When no expert has rows enough for
  /// weight panels but all of them together reach kParallelMacs — decode —
  /// the threads split the column tiles once and each runs every expert in
  /// its tiles (moe.md §3.5's work over (expert, column block)): expert by
  /// expert, experts below kParallelMacs ran on one thread, and a fork per
  /// expert cost more than a one-row GEMM. Otherwise expert by expert, each
  /// splitting its own column tiles.
  Value emitExperts(Builder &b, Value out, Value rowCount) {
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
      return arith::CmpIOp::create(b, p, x, y);
    };
    // The largest segment and all of them, in multiply-adds per row.
    SmallVector<Value> sizes = forLoop(
        b, idx(b, 0), idx(b, experts), 1, ValueRange{idx(b, 0), idx(b, 0)},
        [&](Builder &nb, Value e, ValueRange a) -> SmallVector<Value> {
          Value count = arith::MaxSIOp::create(
              nb, extractIndex(nb, op.getCounts(), e), idx(nb, 0));
          return {arith::MaxSIOp::create(nb, a[0], count),
                  add(nb, a[1], count)};
        });
    Value largest = sizes[0], total = sizes[1];
    Value macsPerRow = idx(b, outCols * k), threshold = idx(b, kParallelMacs);
    Value manySmall = arith::AndIOp::create(
        b,
        cmp(arith::CmpIPredicate::slt, largest,
            idx(b, kPanelRowTiles * tile.rows)),
        cmp(arith::CmpIPredicate::sge,
            arith::MulIOp::create(b, total, macsPerRow), threshold));
    return scf::IfOp::create(
               b, manySmall,
               [&](OpBuilder &ob, Location loc) {
                 Builder nb(loc, ob);
                 scf::YieldOp::create(
                     nb, emitExpertsPerColumnBlock(nb, out, rowCount));
               },
               [&](OpBuilder &ob, Location loc) {
                 Builder nb(loc, ob);
                 scf::YieldOp::create(
                     nb, forLoop(nb, idx(nb, 0), idx(nb, experts), 1, out,
                                 [&](Builder &b, Value e, ValueRange out) {
                                   return SmallVector<Value>{
                                       emitExpert(b, e, out[0], rowCount)};
                                 })[0]);
               })
        .getResult(0);
  }

  /// An scf.forall over kColumnBlocks blocks of column tiles; each block
  /// runs every expert over its tiles in place (a few rows per expert: no
  /// panels), expert by expert, so each expert's weight rows of the block
  /// stream in one run. Each output element still has one writer and sums
  /// its experts in ascending order. (Tiles outermost, with every expert
  /// inside each tile, jumped between 64 experts' weights every 24 KB: 15 %
  /// slower on one thread.)
  Value emitExpertsPerColumnBlock(Builder &b, Value out, Value rowCount) {
    int64_t tiles = llvm::divideCeil(outCols, tileCols);
    int64_t lastCols = outCols - (tiles - 1) * tileCols;
    int64_t tilesPerBlock = llvm::divideCeil(tiles, kColumnBlocks);
    int64_t blocks = llvm::divideCeil(tiles, tilesPerBlock);
    KRange all{0, k};
    SmallVector<OpFoldResult> unit = {b.getIndexAttr(1), b.getIndexAttr(1)};
    auto forall =
        scf::ForallOp::create(b, ArrayRef<OpFoldResult>{b.getIndexAttr(blocks)},
                              ValueRange{out}, std::nullopt);
    Builder fb(b.getLoc(), forall.getTerminator());
    Value shared = forall.getRegionIterArgs()[0];
    Value firstTile = mul(fb, forall.getInductionVar(0), tilesPerBlock);
    Value endTile = arith::MinSIOp::create(
        fb, add(fb, firstTile, idx(fb, tilesPerBlock)), idx(fb, tiles));
    Value blockCol0 = mul(fb, firstTile, tileCols);
    Value allRows = tensor::DimOp::create(fb, shared, 0);
    SmallVector<OpFoldResult> blockOffsets = {fb.getIndexAttr(0), blockCol0},
                              blockSizes = {
                                  allRows,
                                  arith::MinSIOp::create(
                                      fb, idx(fb, tilesPerBlock * tileCols),
                                      arith::SubIOp::create(
                                          fb, idx(fb, outCols), blockCol0))
                                      .getResult()};
    Value blockSlice = tensor::ExtractSliceOp::create(fb, shared, blockOffsets,
                                                      blockSizes, unit);
    auto tilesOfExpert = [&](Builder &b, Value e, Segment seg, Value slice) {
      return forLoop(
          b, firstTile, endTile, 1, slice,
          [&](Builder &b, Value tileIndex,
              ValueRange current) -> SmallVector<Value> {
            Value col0 = mul(b, tileIndex, tileCols);
            SmallVector<OpFoldResult>
                offsets =
                    {b.getIndexAttr(0),
                     arith::SubIOp::create(b, col0, blockCol0).getResult()},
                sizes = {allRows,
                         arith::MinSIOp::create(
                             b, idx(b, tileCols),
                             arith::SubIOp::create(b, idx(b, outCols), col0))
                             .getResult()};
            Value tileSlice = tensor::ExtractSliceOp::create(
                b, current[0], offsets, sizes, unit);
            auto rowTiles = [&](Builder &nb,
                                int64_t width) -> SmallVector<Value> {
              return {expertInTile(nb, e, seg.start, seg.rows, col0, width, all,
                                   tileSlice)};
            };
            Value written = forColumnWidth(b, tileIndex, lastCols, rowTiles)[0];
            return {tensor::InsertSliceOp::create(b, written, current[0],
                                                  offsets, sizes, unit)};
          })[0];
    };
    Value result =
        forLoop(fb, idx(fb, 0), idx(fb, experts), 1, blockSlice,
                [&](Builder &b, Value e, ValueRange s) -> SmallVector<Value> {
                  Segment seg = segmentOf(b, e, rowCount);
                  return scf::IfOp::create(
                             b, seg.any,
                             [&](OpBuilder &ob, Location loc) {
                               Builder nb(loc, ob);
                               scf::YieldOp::create(
                                   nb, tilesOfExpert(nb, e, seg, s[0]));
                             },
                             [&](OpBuilder &ob, Location loc) {
                               scf::YieldOp::create(ob, loc, s[0]);
                             })
                      ->getResults();
                })[0];
    fb.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(fb, result, shared, blockOffsets,
                                          blockSizes, unit);
    return forall.getResult(0);
  }

  /// Expert e's rows [start, start + rows) against the tile at col0 inside
  /// `tileSlice` (all output rows of the tile's columns): a scatter writes
  /// its rows' tokens there directly, otherwise the segment's rows are a
  /// sub-slice.
  Value expertInTile(Builder &b, Value e, Value start, Value rows, Value col0,
                     int64_t width, KRange all, Value tileSlice) {
    if (op.getScatter())
      return emitRowTiles(b, e, start, rows, col0, width, Value(), all,
                          {tileSlice, Value()})
          .slice;
    SmallVector<OpFoldResult> offsets = {start, b.getIndexAttr(0)},
                              sizes = {rows, b.getIndexAttr(width)},
                              strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    Value segment =
        tensor::ExtractSliceOp::create(b, tileSlice, offsets, sizes, strides);
    Value written = emitRowTiles(b, e, start, rows, col0, width, Value(), all,
                                 {segment, Value()})
                        .slice;
    return tensor::InsertSliceOp::create(b, written, tileSlice, offsets, sizes,
                                         strides);
  }

  /// Expert e's segment clamped to the R rows — its first row, its row
  /// count — and whether there is anything to compute: rows, and a row to
  /// clamp gather and scatter indices to.
  struct Segment {
    Value start, rows, any;
  };
  Segment segmentOf(Builder &b, Value e, Value rowCount) {
    Value start = extractIndex(b, op.getOffsets(), e);
    Value end = add(b, start, extractIndex(b, op.getCounts(), e));
    start = arith::MaxSIOp::create(b, start, idx(b, 0));
    end = arith::MinSIOp::create(b, end, rowCount);
    Value rows = arith::MaxSIOp::create(b, arith::SubIOp::create(b, end, start),
                                        idx(b, 0));
    Value any =
        arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, rows, idx(b, 0));
    for (auto [map, target] : {std::pair(op.getGather(), op.getInput()),
                               std::pair(op.getScatter(), op.getInit())})
      if (map)
        any = arith::AndIOp::create(
            b, any,
            arith::CmpIOp::create(b, arith::CmpIPredicate::sgt,
                                  tensor::DimOp::create(b, target, 0),
                                  idx(b, 0)));
    return {start, rows, any};
  }

  /// offsets[0] = 0, offsets[e] + counts[e] = offsets[e + 1] (counts >= 0)
  /// and offsets[E] = R: every row belongs to exactly one segment.
  Value segmentsCoverRows(Builder &b, Value rowCount) {
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) -> Value {
      return arith::CmpIOp::create(b, p, x, y);
    };
    Value first = extractIndex(b, op.getOffsets(), idx(b, 0));
    Value covered = cmp(arith::CmpIPredicate::eq, first, idx(b, 0));
    for (int64_t e = 0; e < experts; ++e) {
      Value count = extractIndex(b, op.getCounts(), idx(b, e));
      Value next = extractIndex(b, op.getOffsets(), idx(b, e + 1));
      Value tiles = arith::AndIOp::create(
          b, cmp(arith::CmpIPredicate::sge, count, idx(b, 0)),
          cmp(arith::CmpIPredicate::eq, add(b, first, count), next));
      covered = arith::AndIOp::create(b, covered, tiles);
      first = next;
    }
    return arith::AndIOp::create(
        b, covered, cmp(arith::CmpIPredicate::eq, first, rowCount));
  }

  Value extractIndex(Builder &b, Value tensor, Value i) {
    Value v = tensor::ExtractOp::create(b, tensor, i);
    return arith::IndexCastOp::create(b, b.getIndexType(), v);
  }

  /// Expert e's segment, clamped to the buffer like the reference lowering.
  Value emitExpert(Builder &b, Value e, Value out, Value rowCount) {
    Segment seg = segmentOf(b, e, rowCount);
    Value start = seg.start, rows = seg.rows, any = seg.any;
    auto ifOp = scf::IfOp::create(
        b, any,
        [&](OpBuilder &ob, Location loc) {
          Builder nb(loc, ob);
          // Threads only pay from kParallelMacs multiply-adds on.
          Value macs = arith::MulIOp::create(nb, rows, idx(nb, outCols * k));
          Value parallel = arith::CmpIOp::create(nb, arith::CmpIPredicate::sge,
                                                 macs, idx(nb, kParallelMacs));
          scf::YieldOp::create(
              nb, scf::IfOp::create(
                      nb, parallel,
                      [&](OpBuilder &ob, Location loc) {
                        Builder pb(loc, ob);
                        scf::YieldOp::create(
                            pb, emitColumnTiles(pb, e, start, rows, out, true));
                      },
                      [&](OpBuilder &ob, Location loc) {
                        Builder sb(loc, ob);
                        scf::YieldOp::create(
                            sb,
                            emitColumnTiles(sb, e, start, rows, out, false));
                      })
                      .getResult(0));
        },
        [&](OpBuilder &ob, Location loc) {
          scf::YieldOp::create(ob, loc, out);
        });
    return ifOp.getResult(0);
  }

  /// Where a column tile's slice of a shared tensor lies.
  struct SliceSpec {
    SmallVector<OpFoldResult> offsets, sizes;
  };
  /// Computes one column tile's new slices of the shared tensors, setting
  /// where each lies.
  using TileBody = function_ref<SmallVector<Value>(
      Builder &, Value tileIndex, ValueRange shared, SmallVector<SliceSpec> &)>;

  /// The column tiles over `shared`: an scf.forall when `parallel`, else
  /// one thread's scf.for (a fork and join costs more than a small GEMM).
  SmallVector<Value> columnTileLoop(Builder &b, bool parallel,
                                    ValueRange shared, TileBody body) {
    int64_t tiles = llvm::divideCeil(outCols, tileCols);
    SmallVector<OpFoldResult> strides = {b.getIndexAttr(1), b.getIndexAttr(1)};
    if (!parallel)
      return forLoop(
          b, idx(b, 0), idx(b, tiles), 1, shared,
          [&](Builder &nb, Value tileIndex, ValueRange values) {
            SmallVector<SliceSpec> specs;
            SmallVector<Value> slices = body(nb, tileIndex, values, specs);
            SmallVector<Value> next;
            for (auto [slice, value, spec] : llvm::zip(slices, values, specs))
              next.push_back(tensor::InsertSliceOp::create(
                  nb, slice, value, spec.offsets, spec.sizes, strides));
            return next;
          });
    auto forall = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{b.getIndexAttr(tiles)}, shared, std::nullopt);
    Builder fb(b.getLoc(), forall.getTerminator());
    SmallVector<SliceSpec> specs;
    SmallVector<Value> slices =
        body(fb, forall.getInductionVar(0), forall.getRegionIterArgs(), specs);
    fb.setInsertionPointToStart(forall.getTerminator().getBody());
    for (auto [slice, value, spec] :
         llvm::zip(slices, forall.getRegionIterArgs(), specs))
      tensor::ParallelInsertSliceOp::create(fb, slice, value, spec.offsets,
                                            spec.sizes, strides);
    return forall.getResults();
  }

  /// The column tiles of expert e. When a full tile's weight panel needs K
  /// chunks and several row tiles will read it, the chunks are the outer
  /// loop (emitChunkedColumnTiles); otherwise each column tile sweeps K.
  Value emitColumnTiles(Builder &b, Value e, Value start, Value rows, Value out,
                        bool parallel) {
    auto plain = [&](Builder &b, bool mayPack) {
      return columnTileLoop(
          b, parallel, out,
          [&](Builder &nb, Value tileIndex, ValueRange shared,
              SmallVector<SliceSpec> &specs) -> SmallVector<Value> {
            specs.resize(1);
            return {emitColumnTile(nb, e, start, rows, tileIndex, shared[0],
                                   mayPack, specs[0])};
          })[0];
    };
    SmallVector<KRange> chunks = chunksOfK(weightRowsPerTile());
    if (chunks.size() == 1)
      return plain(b, /*mayPack=*/true);
    return scf::IfOp::create(
               b, severalRowTiles(b, rows),
               [&](OpBuilder &ob, Location loc) {
                 Builder nb(loc, ob);
                 scf::YieldOp::create(
                     nb, emitChunkedColumnTiles(nb, e, start, rows, out,
                                                parallel, chunks));
               },
               [&](OpBuilder &ob, Location loc) {
                 Builder nb(loc, ob);
                 scf::YieldOp::create(nb, plain(nb, /*mayPack=*/false));
               })
        .getResult(0);
  }

  /// Weight rows of a full column tile (gate and up rows when gated).
  int64_t weightRowsPerTile() const { return gated ? 2 * tileCols : tileCols; }

  /// Whether enough row tiles read a column tile's weights to pay for
  /// copying them into a contiguous panel (rows K * 4 bytes apart would
  /// share cache sets whenever K is a multiple of 1024). Below
  /// kPanelRowTiles row tiles (decode) the copy costs more than it saves,
  /// and the tiles read the weights where they are.
  Value severalRowTiles(Builder &b, Value rows) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::sge, rows,
                                 idx(b, kPanelRowTiles * tile.rows));
  }

  /// GotoBLAS's loop order for a K too long for one L1 panel: for each K
  /// chunk, every column tile packs that chunk of its weight rows and runs
  /// its row tiles, which keep their sums of the earlier chunks in a
  /// scratch [rows, tiles x weight rows]; the last chunk adds them and runs
  /// the epilogue. The expert's rows of one chunk stay in L2 for all the
  /// column tiles — with K outermost per column tile they cycled through
  /// it once per tile (anchor T = 512, K = 2816: 1.4 MB of rows against a
  /// 1 MB L2).
  Value emitChunkedColumnTiles(Builder &b, Value e, Value start, Value rows,
                               Value out, bool parallel,
                               ArrayRef<KRange> chunks) {
    int64_t tiles = llvm::divideCeil(outCols, tileCols);
    int64_t lastCols = outCols - (tiles - 1) * tileCols;
    int64_t perTile = weightRowsPerTile();
    Value scratch = tensor::EmptyOp::create(
        b, ArrayRef<OpFoldResult>{rows, b.getIndexAttr(tiles * perTile)},
        b.getF32Type());
    // The chunks before the last only update the scratch and the last only
    // the output: each loop carries just the tensor it writes, so that
    // bufferization updates it in place (carrying both made it copy each
    // tile's output slice in every chunk).
    for (const KRange &range : chunks) {
      bool last = &range == &chunks.back();
      Value written = columnTileLoop(
          b, parallel, last ? out : scratch,
          [&](Builder &fb, Value tileIndex, ValueRange shared,
              SmallVector<SliceSpec> &specs) -> SmallVector<Value> {
            specs.resize(1);
            Value col0 = mul(fb, tileIndex, tileCols);
            SliceSpec outSpec,
                partialSpec{{fb.getIndexAttr(0), mul(fb, tileIndex, perTile)},
                            {rows, fb.getIndexAttr(perTile)}};
            Value slice = outputSlice(fb, last ? shared[0] : out, start, rows,
                                      col0, lastCols, outSpec);
            Value partial = tensor::ExtractSliceOp::create(
                fb, last ? scratch : shared[0], partialSpec.offsets,
                partialSpec.sizes,
                SmallVector<OpFoldResult>{fb.getIndexAttr(1),
                                          fb.getIndexAttr(1)});
            specs[0] = last ? outSpec : partialSpec;
            auto rowTiles = [&](Builder &nb,
                                int64_t width) -> SmallVector<Value> {
              SmallVector<Value> wRows = weightRows(nb, col0, width);
              Value panel = packPanel(nb, e, wRows, range);
              TileState state = emitRowTiles(nb, e, start, rows, col0, width,
                                             panel, range, {slice, partial});
              return {last ? state.slice : state.partial};
            };
            return forColumnWidth(fb, tileIndex, lastCols, rowTiles);
          })[0];
      (last ? out : scratch) = written;
    }
    return out;
  }

  /// `rowTiles(width)` for the tile's column count: tileCols, or lastCols
  /// on the last tile when it is narrower (an scf.if between the two).
  SmallVector<Value> forColumnWidth(
      Builder &b, Value tileIndex, int64_t lastCols,
      function_ref<SmallVector<Value>(Builder &, int64_t)> rowTiles) {
    if (lastCols == tileCols)
      return rowTiles(b, tileCols);
    int64_t tiles = llvm::divideCeil(outCols, tileCols);
    Value last = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tileIndex,
                                       idx(b, tiles - 1));
    SmallVector<Value> narrow;
    auto ifOp = scf::IfOp::create(
        b, last,
        [&](OpBuilder &ob, Location loc) {
          Builder nb(loc, ob);
          scf::YieldOp::create(nb, rowTiles(nb, lastCols));
        },
        [&](OpBuilder &ob, Location loc) {
          Builder nb(loc, ob);
          scf::YieldOp::create(nb, rowTiles(nb, tileCols));
        });
    return ifOp.getResults();
  }

  /// The column tile's slice of the output `shared`, and where it lies: a
  /// scatter's tile spans every output row, otherwise the segment's.
  Value outputSlice(Builder &b, Value shared, Value start, Value rows,
                    Value col0, int64_t lastCols, SliceSpec &spec) {
    OpFoldResult cols = b.getIndexAttr(tileCols);
    if (lastCols != tileCols)
      cols = arith::MinSIOp::create(
                 b, idx(b, tileCols),
                 arith::SubIOp::create(b, idx(b, outCols), col0))
                 .getResult();
    if (op.getScatter())
      spec = {{b.getIndexAttr(0), col0},
              {tensor::DimOp::create(b, shared, 0).getResult(), cols}};
    else
      spec = {{start, col0}, {rows, cols}};
    return tensor::ExtractSliceOp::create(
        b, shared, spec.offsets, spec.sizes,
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  }

  /// Column tile `tileIndex` of expert e over all of K, computed into its
  /// slice of `shared` (whose place it sets); with `mayPack`, through a
  /// weight panel when several row tiles read it.
  Value emitColumnTile(Builder &fb, Value e, Value start, Value rows,
                       Value tileIndex, Value shared, bool mayPack,
                       SliceSpec &spec) {
    int64_t tiles = llvm::divideCeil(outCols, tileCols);
    int64_t lastCols = outCols - (tiles - 1) * tileCols;
    Value col0 = mul(fb, tileIndex, tileCols);
    Value slice = outputSlice(fb, shared, start, rows, col0, lastCols, spec);
    KRange all{0, k};
    auto rowTiles = [&](Builder &b, int64_t width) -> SmallVector<Value> {
      auto inPlace = [&](Builder &nb) {
        return emitRowTiles(nb, e, start, rows, col0, width, Value(), all,
                            {slice, Value()})
            .slice;
      };
      if (!mayPack)
        return {inPlace(b)};
      return scf::IfOp::create(
                 b, severalRowTiles(b, rows),
                 [&](OpBuilder &ob, Location loc) {
                   Builder nb(loc, ob);
                   Value panel =
                       packPanel(nb, e, weightRows(nb, col0, width), all);
                   scf::YieldOp::create(nb, emitRowTiles(nb, e, start, rows,
                                                         col0, width, panel,
                                                         all, {slice, Value()})
                                                .slice);
                 },
                 [&](OpBuilder &ob, Location loc) {
                   Builder nb(loc, ob);
                   scf::YieldOp::create(nb, inPlace(nb));
                 })
          ->getResults();
    };
    return forColumnWidth(fb, tileIndex, lastCols, rowTiles)[0];
  }

  /// K in chunks whose part of a panel of `panelRows` rows fits
  /// kPanelChunkBytes, so that the row tiles sweep each chunk from L1.
  SmallVector<KRange> chunksOfK(int64_t panelRows) {
    int64_t chunk = std::max<int64_t>(
        kLanes, kPanelChunkBytes / (panelRows * 4) / kLanes * kLanes);
    SmallVector<KRange> chunks;
    for (int64_t begin = 0; begin < k; begin += chunk)
      chunks.push_back({begin, std::min(k, begin + chunk)});
    return chunks;
  }

  /// The weight rows of the column tile at `col0`: `width` gate rows, then
  /// (gated) the matching up rows.
  SmallVector<Value> weightRows(Builder &b, Value col0, int64_t width) {
    SmallVector<Value> rows;
    for (int64_t half = 0; half < (gated ? 2 : 1); ++half)
      for (int64_t c = 0; c < width; ++c)
        rows.push_back(add(b, col0, idx(b, half * outCols + c)));
    return rows;
  }

  /// Weight row j of expert e at K = kk, widened to f32; lanes past K read 0
  /// unless `inBounds`.
  Value readWeight(Builder &b, Value e, Value n, Value kk, bool inBounds) {
    return readLanes(b, op.getWeights(), {e, n, kk}, inBounds);
  }

  /// The rows `weightRows` of expert e over K in `range` as f32 in
  /// K-step-major order: the 16 values of row j at step s of the range at
  /// (s * rows + j) * 16, zeros past K.
  Value packPanel(Builder &b, Value e, ArrayRef<Value> weightRows,
                  KRange range) {
    int64_t count = weightRows.size(),
            steps = llvm::divideCeil(range.end - range.begin, kLanes);
    Value panel = tensor::EmptyOp::create(
        b, ArrayRef<int64_t>{steps * count * kLanes}, b.getF32Type());
    auto copyStep = [&](Builder &b, Value kk, Value panel, bool inBounds) {
      Value step = arith::SubIOp::create(b, kk, idx(b, range.begin));
      for (auto [j, n] : llvm::enumerate(weightRows)) {
        Value at = add(b, mul(b, step, count), idx(b, j * kLanes));
        panel = vector::TransferWriteOp::create(
                    b, readWeight(b, e, n, kk, inBounds), panel, ValueRange{at},
                    ArrayRef<bool>{true})
                    .getResult();
      }
      return panel;
    };
    int64_t mainK = k / kLanes * kLanes, mainEnd = std::min(range.end, mainK);
    if (mainEnd > range.begin)
      panel = forLoop(b, idx(b, range.begin), idx(b, mainEnd), kLanes, panel,
                      [&](Builder &b, Value kk, ValueRange p) {
                        return SmallVector<Value>{
                            copyStep(b, kk, p[0], /*inBounds=*/true)};
                      })[0];
    if (range.end == k && mainK < k)
      panel = copyStep(b, idx(b, mainK), panel, /*inBounds=*/false);
    return panel;
  }

  /// Full tiles of tile.rows rows, then the rest with a tile of exactly its
  /// height (compile-time variants, never zero-filled rows). `panel`, when
  /// given, holds the tile's weight rows (packPanel).
  TileState emitRowTiles(Builder &b, Value e, Value start, Value rows,
                         Value col0, int64_t width, Value panel, KRange range,
                         TileState state) {
    Value full =
        mul(b, arith::DivUIOp::create(b, rows, idx(b, tile.rows)), tile.rows);
    state = state.with(
        range, k,
        forLoop(b, idx(b, 0), full, tile.rows, state.written(range, k),
                [&](Builder &b, Value row, ValueRange s) {
                  return SmallVector<Value>{
                      emitTile(b, e, start, row, col0, tile.rows, width, panel,
                               range, state.with(range, k, s[0]))
                          .written(range, k)};
                })[0]);
    if (tile.rows == 1)
      return state;
    Value left = arith::SubIOp::create(b, rows, full);
    SmallVector<int64_t> heights;
    for (int64_t h = 1; h < tile.rows; ++h)
      heights.push_back(h);
    Value current = state.written(range, k);
    auto sw = scf::IndexSwitchOp::create(b, current.getType(), left, heights,
                                         heights.size());
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&sw.getDefaultRegion().emplaceBlock());
      scf::YieldOp::create(b, current);
      for (auto [i, h] : llvm::enumerate(heights)) {
        b.setInsertionPointToStart(&sw.getCaseRegions()[i].emplaceBlock());
        scf::YieldOp::create(
            b, emitTile(b, e, start, full, col0, h, width, panel, range, state)
                   .written(range, k));
      }
    }
    return state.with(range, k, sw.getResult(0));
  }

  /// Rows [row, row + height) of the expert's slice times weight columns
  /// [col0, col0 + width) (and their up rows when gated), stored into the
  /// slice.
  TileState emitTile(Builder &b, Value e, Value start, Value row, Value col0,
                     int64_t height, int64_t width, Value panel, KRange range,
                     TileState state) {
    Type f32 = b.getF32Type();
    auto vf32 = VectorType::get({kLanes}, f32);
    Value firstRow = add(b, start, row);
    SmallVector<Value> rowIndex, weightIndex = weightRows(b, col0, width);
    for (int64_t i = 0; i < height; ++i)
      rowIndex.push_back(add(b, firstRow, idx(b, i)));
    // The input rows the tile reads: through the gather map, clamped so
    // that an invalid index reads a row that exists (its result is
    // dropped at the store).
    SmallVector<Value> inputRow(rowIndex), sourceValid;
    if (Value gather = op.getGather()) {
      Value inputRows = tensor::DimOp::create(b, op.getInput(), 0);
      for (auto [i, r] : llvm::enumerate(rowIndex)) {
        auto [source, valid] = mappedRow(b, gather, r, inputRows);
        inputRow[i] = source;
        sourceValid.push_back(valid);
      }
    }
    int64_t pairs = height * int64_t(weightIndex.size());

    // accumulator (i, j) at i * weightRows + j.
    auto step = [&](Builder &b, Value kk, ValueRange acc, bool inBounds) {
      SmallVector<Value> a, w;
      for (Value r : inputRow)
        a.push_back(readLanes(b, op.getInput(), {r, kk}, inBounds));
      for (auto [j, n] : llvm::enumerate(weightIndex)) {
        if (!panel) {
          w.push_back(readWeight(b, e, n, kk, inBounds));
          continue;
        }
        Value step = arith::SubIOp::create(b, kk, idx(b, range.begin));
        Value at = add(b, mul(b, step, weightIndex.size()), idx(b, j * kLanes));
        w.push_back(vector::TransferReadOp::create(
            b, vf32, panel, ValueRange{at},
            arith::ConstantOp::create(b, b.getF32FloatAttr(0.0)),
            ArrayRef<bool>{true}));
      }
      SmallVector<Value> next;
      for (int64_t i = 0; i < height; ++i)
        for (size_t j = 0; j < w.size(); ++j)
          next.push_back(
              vector::FMAOp::create(b, a[i], w[j], acc[i * w.size() + j]));
      return next;
    };
    Value zero = arith::ConstantOp::create(
        b, vf32, DenseElementsAttr::get(vf32, b.getF32FloatAttr(0.0)));
    SmallVector<Value> acc(pairs, zero);
    int64_t mainK = k / kLanes * kLanes, mainEnd = std::min(range.end, mainK);
    if (mainEnd > range.begin)
      acc = forLoop(b, idx(b, range.begin), idx(b, mainEnd), kLanes, acc,
                    [&](Builder &b, Value kk, ValueRange a) {
                      return step(b, kk, a, /*inBounds=*/true);
                    });
    // Lanes past K read 0.
    if (range.end == k && mainK < k)
      acc = step(b, idx(b, mainK), acc, /*inBounds=*/false);

    // Sums in (row, column) order, gate and up apart so their lanes match.
    SmallVector<Value> gateAcc, upAcc;
    for (int64_t i = 0; i < height; ++i)
      for (int64_t j = 0; j < int64_t(weightIndex.size()); ++j)
        (j < width ? gateAcc : upAcc)
            .push_back(acc[i * weightIndex.size() + j]);
    SmallVector<Value> sums = butterfly(b, gateAcc), upSums;
    if (gated)
      upSums = butterfly(b, upAcc);
    // Row i's `width` sums of `half`, which may straddle two vectors.
    auto rowOf = [&](ArrayRef<Value> vectors, int64_t i) -> Value {
      int64_t first = i * width, v = first / kLanes;
      Value lo = vectors[v],
            hi = v + 1 < int64_t(vectors.size()) ? vectors[v + 1] : lo;
      SmallVector<int64_t> mask;
      for (int64_t c = 0; c < width; ++c)
        mask.push_back(first + c - v * kLanes);
      return vector::ShuffleOp::create(b, lo, hi, mask);
    };
    auto partialAt = [&](int64_t i, int64_t half) -> SmallVector<Value> {
      return {add(b, row, idx(b, i)), idx(b, half * width)};
    };
    auto vwidth = VectorType::get({width}, f32);
    if (range.begin > 0) {
      // Add the earlier chunks' sums, moved into this tile's lane order.
      for (int64_t half = 0; half < (gated ? 2 : 1); ++half) {
        SmallVector<Value> &vectors = half ? upSums : sums;
        for (int64_t i = 0; i < height; ++i) {
          Value earlier = vector::TransferReadOp::create(
              b, vwidth, state.partial, partialAt(i, half),
              arith::ConstantOp::create(b, b.getF32FloatAttr(0.0)),
              ArrayRef<bool>{true});
          for (int64_t v = 0; v < int64_t(vectors.size()); ++v) {
            SmallVector<int64_t> mask;
            bool any = false;
            for (int64_t l = 0; l < kLanes; ++l) {
              int64_t result = v * kLanes + l;
              bool mine = result / width == i && result < height * width;
              mask.push_back(mine ? kLanes + result % width : l);
              any |= mine;
            }
            if (!any)
              continue;
            Value zero = arith::ConstantOp::create(
                b, vf32, DenseElementsAttr::get(vf32, b.getF32FloatAttr(0.0)));
            vectors[v] = arith::AddFOp::create(
                b, vectors[v],
                vector::ShuffleOp::create(b, zero, earlier, mask));
          }
        }
      }
    }
    if (range.end < k) {
      for (int64_t half = 0; half < (gated ? 2 : 1); ++half)
        for (int64_t i = 0; i < height; ++i)
          state.partial = vector::TransferWriteOp::create(
                              b, rowOf(half ? upSums : sums, i), state.partial,
                              partialAt(i, half), ArrayRef<bool>{true})
                              .getResult();
      return state;
    }

    SmallVector<Value> results;
    for (int64_t v = 0; v < int64_t(sums.size()); ++v) {
      // Lane l holds result v * 16 + l = (row i, column c).
      auto perLane = [&](function_ref<Value(int64_t i, int64_t c)> scalar) {
        SmallVector<Value> elems;
        for (int64_t l = 0; l < kLanes; ++l) {
          int64_t result = v * kLanes + l;
          elems.push_back(
              result < height * width
                  ? scalar(result / width, result % width)
                  : arith::ConstantOp::create(b, b.getF32FloatAttr(0.0)));
        }
        return vector::FromElementsOp::create(b, vf32, elems);
      };
      auto biasAt = [&](int64_t half) {
        return perLane([&](int64_t, int64_t c) {
          return toF32(b, tensor::ExtractOp::create(
                              b, op.getBias(),
                              ValueRange{e, weightIndex[half * width + c]}));
        });
      };
      Value gate = sums[v];
      if (op.getBias())
        gate = arith::AddFOp::create(b, gate, biasAt(0));
      Value y = buildActivation(b, b.getLoc(), act, gate);
      if (gated) {
        Value up = upSums[v];
        if (op.getBias())
          up = arith::AddFOp::create(b, up, biasAt(1));
        y = arith::MulFOp::create(b, y, up);
      }
      if (op.getRowScale())
        y = arith::MulFOp::create(b, y, perLane([&](int64_t i, int64_t) {
                                    return tensor::ExtractOp::create(
                                               b, op.getRowScale(), rowIndex[i])
                                        .getResult();
                                  }));
      results.push_back(y);
    }

    for (int64_t i = 0; i < height; ++i) {
      Value valid = sourceValid.empty() ? Value() : sourceValid[i];
      state.slice = op.getScatter()
                        ? scatterRow(b, rowOf(results, i), rowIndex[i], valid,
                                     state.slice)
                        : storeRow(b, rowOf(results, i), add(b, row, idx(b, i)),
                                   valid, state.slice);
    }
    return state;
  }

  /// map[r] as an index clamped into [0, size), and whether it was there.
  std::pair<Value, Value> mappedRow(Builder &b, Value map, Value r,
                                    Value size) {
    Value v = extractIndex(b, map, r);
    Value valid = arith::AndIOp::create(
        b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, v, idx(b, 0)),
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, v, size));
    Value last = arith::SubIOp::create(b, size, idx(b, 1));
    Value clamped = arith::MaxSIOp::create(
        b, arith::MinSIOp::create(b, v, last), idx(b, 0));
    return {clamped, valid};
  }

  /// `values` (f32) in the slice's element type.
  Value toSliceType(Builder &b, Value values, Value slice) {
    Type elt = cast<RankedTensorType>(slice.getType()).getElementType();
    auto type = cast<VectorType>(values.getType());
    return elt == type.getElementType()
               ? values
               : arith::TruncFOp::create(b, type.clone(elt), values)
                     .getResult();
  }

  /// Stores a result row at `at` of the slice; a row whose gather index was
  /// invalid (`valid` false) is 0.
  Value storeRow(Builder &b, Value values, Value at, Value valid, Value slice) {
    if (valid) {
      auto type = cast<VectorType>(values.getType());
      Value zeros = arith::ConstantOp::create(
          b, type, DenseElementsAttr::get(type, b.getF32FloatAttr(0.0)));
      values = arith::SelectOp::create(b, valid, values, zeros);
    }
    return vector::TransferWriteOp::create(b, toSliceType(b, values, slice),
                                           slice, ValueRange{at, idx(b, 0)},
                                           ArrayRef<bool>{true})
        .getResult();
  }

  /// Adds the result row of dispatched row `r` into output row scatter[r]
  /// of the slice (all output rows), unless that index or the row's gather
  /// index is invalid. Without a branch: an invalid row writes back what
  /// it read at the clamped index — an scf.if around the update made
  /// one-shot bufferization copy the slice of a one-thread column loop out
  /// of place.
  Value scatterRow(Builder &b, Value values, Value r, Value sourceValid,
                   Value slice) {
    auto [dest, valid] =
        mappedRow(b, op.getScatter(), r, tensor::DimOp::create(b, slice, 0));
    if (sourceValid)
      valid = arith::AndIOp::create(b, valid, sourceValid);
    auto type = cast<VectorType>(values.getType());
    Type elt = cast<RankedTensorType>(slice.getType()).getElementType();
    Value old = vector::TransferReadOp::create(
        b, type.clone(elt), slice, ValueRange{dest, idx(b, 0)},
        arith::ConstantOp::create(b, b.getFloatAttr(elt, 0.0)),
        ArrayRef<bool>{true});
    Value sum =
        toSliceType(b, arith::AddFOp::create(b, toF32(b, old), values), slice);
    return vector::TransferWriteOp::create(
               b, arith::SelectOp::create(b, valid, sum, old), slice,
               ValueRange{dest, idx(b, 0)}, ArrayRef<bool>{true})
        .getResult();
  }

  GroupedMatmulOp op;
  GemmTile tile;
  int64_t experts, k, outCols, tileCols;
  Activation act;
  bool gated;
};

} // namespace

Value mlir::loom::moe::emitGroupedGemm(OpBuilder &b, GroupedMatmulOp op,
                                       GemmTile tile) {
  ImplicitLocOpBuilder ib(op.getLoc(), b);
  return GroupedGemmEmitter(op, tile).emit(ib);
}

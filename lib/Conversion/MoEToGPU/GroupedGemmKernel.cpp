//===- GroupedGemmKernel.cpp - moe.grouped_matmul on the GPU --------------===//

#include "GroupedGemmKernel.h"

#include "KernelOps.h"

#include "loom/Conversion/BlockKernel.h"
#include "loom/Dialect/MoE/Transforms/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;
using namespace mlir::loom::moe::gpu_kernels;

namespace {

using P = arith::CmpIPredicate;

/// The K slice a block stages at a time, and its threads.
constexpr int64_t kDepth = 16, kThreads = 256;

/// A block's rows and output columns, and each thread's register tile.
struct GemmTile {
  int64_t rows, columns, tileRows, tileColumns;
  constexpr int64_t threadColumns() const { return columns / tileColumns; }
  /// Whether the block's threads cover the tile and share its staging
  /// evenly.
  constexpr bool fitsTheBlock() const {
    return rows / tileRows * threadColumns() == kThreads &&
           rows * kDepth % kThreads == 0 && columns * kDepth % kThreads == 0;
  }
};
/// Many rows per expert: 64 x 64 blocks of 4 x 4 tiles. Few (decode, small
/// batches): 16-row blocks, which waste less of a segment of a few rows, as
/// wide as the threads allow, so each weight slice serves 128 columns.
constexpr GemmTile kWideTile{64, 64, 4, 4}, kShortTile{16, 128, 2, 4};
static_assert(kWideTile.fitsTheBlock() && kShortTile.fitsTheBlock(),
              "a tile that leaves threads idle or staging uneven");
/// Below this many rows per expert on average, the short tile.
constexpr int64_t kShortRowsPerExpert = 32;

/// Expert e's rows [start, end), clamped to [0, rows).
std::pair<Value, Value> segment(ImplicitLocOpBuilder &b,
                                const GroupedGemmKernel &kernel, Value e,
                                Value rows) {
  Value start = asIndex(b, load(b, kernel.offsets, e));
  Value end =
      arith::AddIOp::create(b, start, asIndex(b, load(b, kernel.counts, e)));
  start = arith::MaxSIOp::create(b, start, idx(b, 0));
  end = arith::MaxSIOp::create(b, arith::MinSIOp::create(b, end, rows), start);
  return {start, end};
}

/// Blocks of `tileRows` rows expert e's segment takes.
Value rowBlocks(ImplicitLocOpBuilder &b, const GroupedGemmKernel &kernel,
                Value e, Value rows, int64_t tileRows) {
  auto [start, end] = segment(b, kernel, e, rows);
  return arith::CeilDivUIOp::create(b, arith::SubIOp::create(b, end, start),
                                    idx(b, tileRows));
}

struct GemmBlock {
  const GroupedGemmKernel &kernel;
  BlockKernel &block;
  GemmTile tile;
  bool gated;
  /// Weight rows a block stages per K slice: its output columns' rows,
  /// and for gated epilogues their up rows after them.
  int64_t stagedRows() const { return (gated ? 2 : 1) * tile.columns; }
  int64_t tileSize() const { return tile.tileRows * tile.tileColumns; }
  int64_t accumulators() const { return (gated ? 2 : 1) * tileSize(); }

  /// Whether row `row` reads an input row (always, without a gather map)
  /// and that row's index.
  std::pair<Value, Value> source(ImplicitLocOpBuilder &b, Value row) const {
    if (!kernel.gather)
      return {arith::ConstantIntOp::create(b, b.getI1Type(), 1), row};
    Value g = load(b, kernel.gather, row);
    return {inRange(b, g, dim(b, kernel.input, 0)), asIndex(b, g)};
  }

  /// The tile of rows [rowBase, rowEnd) of expert `e` and the block's
  /// output columns.
  void compute(Value e, Value rowBase, Value rowEnd) {
    ImplicitLocOpBuilder &b = block.builder();
    Value as = block.shared(0), bs = block.shared(1);
    Value kDim = idx(b, kernel.k);
    Value col0 = arith::MulIOp::create(b, block.blockY(), idx(b, tile.columns));
    Value outColumns = idx(b, kernel.outColumns);
    block.phase(
        [&](Value thread) {
          for (int64_t i = 0; i < accumulators(); ++i)
            block.storeLocal(0, thread, i, f32(b, 0.0));
        },
        /*barrier=*/false);
    each(b, idx(b, 0), kDim, kDepth, [&](Value k0) {
      block.phase([&](Value thread) {
        for (int64_t j = 0; j < tile.rows * kDepth / kThreads; ++j) {
          Value i = arith::AddIOp::create(b, thread, idx(b, j * kThreads));
          Value m = arith::DivUIOp::create(b, i, idx(b, kDepth));
          Value kk = arith::RemUIOp::create(b, i, idx(b, kDepth));
          Value row = arith::AddIOp::create(b, rowBase, m);
          Value kCol = arith::AddIOp::create(b, k0, kk);
          Value inside = arith::AndIOp::create(
              b, arith::CmpIOp::create(b, P::ult, row, rowEnd),
              arith::CmpIOp::create(b, P::ult, kCol, kDim));
          Value a = select(b, inside, f32(b, 0.0), [&] {
            auto [reads, src] = source(b, row);
            Value from = src;
            return select(b, reads, f32(b, 0.0), [&] {
              return load(b, kernel.input, {from, kCol});
            });
          });
          store(b, a, as,
                arith::AddIOp::create(
                    b, arith::MulIOp::create(b, kk, idx(b, tile.rows)), m)
                    .getResult());
        }
        for (int64_t j = 0; j < stagedRows() * kDepth / kThreads; ++j) {
          Value i = arith::AddIOp::create(b, thread, idx(b, j * kThreads));
          Value nn = arith::DivUIOp::create(b, i, idx(b, kDepth));
          Value kk = arith::RemUIOp::create(b, i, idx(b, kDepth));
          Value column = arith::AddIOp::create(
              b, col0, arith::RemUIOp::create(b, nn, idx(b, tile.columns)));
          // Gated: staged rows past tile.columns are the up rows.
          Value weightRow = arith::AddIOp::create(
              b, column,
              arith::MulIOp::create(
                  b, arith::DivUIOp::create(b, nn, idx(b, tile.columns)),
                  outColumns));
          Value kCol = arith::AddIOp::create(b, k0, kk);
          Value inside = arith::AndIOp::create(
              b, arith::CmpIOp::create(b, P::ult, column, outColumns),
              arith::CmpIOp::create(b, P::ult, kCol, kDim));
          Value w = select(b, inside, f32(b, 0.0), [&] {
            Value at = arith::AddIOp::create(
                b,
                arith::MulIOp::create(
                    b,
                    arith::AddIOp::create(
                        b, arith::MulIOp::create(b, e, idx(b, kernel.n)),
                        weightRow),
                    kDim),
                kCol);
            return load(b, kernel.weights, at);
          });
          store(b, w, bs,
                arith::AddIOp::create(
                    b, arith::MulIOp::create(b, kk, idx(b, stagedRows())), nn)
                    .getResult());
        }
      });
      block.phase([&](Value thread) {
        Value tx =
            arith::RemUIOp::create(b, thread, idx(b, tile.threadColumns()));
        Value ty =
            arith::DivUIOp::create(b, thread, idx(b, tile.threadColumns()));
        Value aBase = arith::MulIOp::create(b, ty, idx(b, tile.tileRows));
        Value bBase = arith::MulIOp::create(b, tx, idx(b, tile.tileColumns));
        SmallVector<Value> acc;
        for (int64_t i = 0; i < accumulators(); ++i)
          acc.push_back(block.loadLocal(0, thread, i));
        acc = forLoop(
            b, idx(b, 0), idx(b, kDepth), 1, acc,
            [&](ImplicitLocOpBuilder &b, Value kk,
                ValueRange sums) -> SmallVector<Value> {
              auto at = [&](Value array, int64_t stride, Value base,
                            int64_t i) {
                return load(b, array,
                            arith::AddIOp::create(
                                b, arith::MulIOp::create(b, kk, idx(b, stride)),
                                arith::AddIOp::create(b, base, idx(b, i)))
                                .getResult());
              };
              SmallVector<Value> a, w;
              int64_t tn = tile.tileColumns;
              for (int64_t i = 0; i < tile.tileRows; ++i)
                a.push_back(at(as, tile.rows, aBase, i));
              for (int64_t j = 0; j < (gated ? 2 : 1) * tn; ++j)
                w.push_back(at(bs, stagedRows(), bBase,
                               j % tn + (j / tn) * tile.columns));
              SmallVector<Value> next;
              for (int64_t h = 0; h < (gated ? 2 : 1); ++h)
                for (int64_t i = 0; i < tile.tileRows; ++i)
                  for (int64_t j = 0; j < tn; ++j)
                    next.push_back(arith::AddFOp::create(
                        b, sums[next.size()],
                        arith::MulFOp::create(b, a[i], w[h * tn + j])));
              return next;
            });
        for (int64_t i = 0; i < accumulators(); ++i)
          block.storeLocal(0, thread, i, acc[i]);
      });
    });
    block.phase(
        [&](Value thread) {
          Value tx =
              arith::RemUIOp::create(b, thread, idx(b, tile.threadColumns()));
          Value ty =
              arith::DivUIOp::create(b, thread, idx(b, tile.threadColumns()));
          for (int64_t i = 0; i < tile.tileRows; ++i) {
            for (int64_t j = 0; j < tile.tileColumns; ++j) {
              Value row = arith::AddIOp::create(
                  b, rowBase,
                  arith::AddIOp::create(
                      b, arith::MulIOp::create(b, ty, idx(b, tile.tileRows)),
                      idx(b, i)));
              Value column = arith::AddIOp::create(
                  b, col0,
                  arith::AddIOp::create(
                      b, arith::MulIOp::create(b, tx, idx(b, tile.tileColumns)),
                      idx(b, j)));
              int64_t at = i * tile.tileColumns + j;
              Value inside = arith::AndIOp::create(
                  b, arith::CmpIOp::create(b, P::ult, row, rowEnd),
                  arith::CmpIOp::create(b, P::ult, column, outColumns));
              when(b, inside, [&] {
                Value reads = source(b, row).first;
                Value y = select(b, reads, f32(b, 0.0), [&] {
                  return epilogue(
                      e, row, column, block.loadLocal(0, thread, at),
                      gated ? block.loadLocal(0, thread, tileSize() + at)
                            : Value());
                });
                store(b, y, kernel.out, {row, column});
              });
            }
          }
        },
        /*barrier=*/false);
  }

  /// epilogue(acc + bias) * row scale, as the host lowering.
  Value epilogue(Value e, Value row, Value column, Value gate, Value up) const {
    ImplicitLocOpBuilder &b = block.builder();
    auto biased = [&](Value acc, Value weightRow) -> Value {
      if (!kernel.bias)
        return acc;
      Value at = arith::AddIOp::create(
          b, arith::MulIOp::create(b, e, idx(b, kernel.n)), weightRow);
      return arith::AddFOp::create(b, acc, load(b, kernel.bias, at));
    };
    Value y =
        buildActivation(b, b.getLoc(), kernel.epilogue, biased(gate, column));
    if (up)
      y = arith::MulFOp::create(
          b, y,
          biased(up,
                 arith::AddIOp::create(b, column, idx(b, kernel.outColumns))));
    if (kernel.rowScale)
      y = arith::MulFOp::create(b, y, load(b, kernel.rowScale, row));
    return y;
  }

  /// Zeros of the block's rows that no segment covers, in its output
  /// columns (the row blocks write those whose gathered row is missing).
  void zero(Value rows, Value firstRow) {
    ImplicitLocOpBuilder &b = block.builder();
    Value covered = block.shared(2);
    block.phase([&](Value thread) {
      when(b, arith::CmpIOp::create(b, P::ult, thread, idx(b, tile.rows)), [&] {
        Value row = arith::AddIOp::create(b, firstRow, thread);
        Value inside = arith::CmpIOp::create(b, P::ult, row, rows);
        Value any =
            forLoop(b, idx(b, 0), idx(b, kernel.experts), 1,
                    Value(arith::ConstantIntOp::create(b, b.getI1Type(), 0)),
                    [&](ImplicitLocOpBuilder &b, Value e,
                        ValueRange acc) -> SmallVector<Value> {
                      auto [start, end] = segment(b, kernel, e, rows);
                      Value in = arith::AndIOp::create(
                          b, arith::CmpIOp::create(b, P::uge, row, start),
                          arith::CmpIOp::create(b, P::ult, row, end));
                      return {arith::OrIOp::create(b, acc[0], in)};
                    })[0];
        store(b,
              arith::ExtUIOp::create(b, b.getI32Type(),
                                     arith::AndIOp::create(b, inside, any)),
              covered, thread);
      });
    });
    block.phase(
        [&](Value thread) {
          Value col0 =
              arith::MulIOp::create(b, block.blockY(), idx(b, tile.columns));
          each(b, thread, idx(b, tile.rows * tile.columns), kThreads,
               [&](Value i) {
                 Value m = arith::DivUIOp::create(b, i, idx(b, tile.columns));
                 Value row = arith::AddIOp::create(b, firstRow, m);
                 Value column = arith::AddIOp::create(
                     b, col0,
                     arith::RemUIOp::create(b, i, idx(b, tile.columns)));
                 Value open = arith::AndIOp::create(
                     b,
                     arith::AndIOp::create(
                         b, arith::CmpIOp::create(b, P::ult, row, rows),
                         arith::CmpIOp::create(b, P::ult, column,
                                               idx(b, kernel.outColumns))),
                     arith::CmpIOp::create(b, P::eq, load(b, covered, m),
                                           i32(b, 0)));
                 when(b, open, [&] {
                   store(b, f32(b, 0.0), kernel.out, {row, column});
                 });
               });
        },
        /*barrier=*/false);
  }
};

} // namespace

/// The kernel with `tile`'s blocks over the rows [0, rows) of the segments.
static void emitTiled(ImplicitLocOpBuilder &b, const GroupedGemmKernel &kernel,
                      GemmTile tile, bool gated, Value rows, bool interpret) {
  Value experts = idx(b, kernel.experts);
  // The segments' row blocks, counted on the host (the offsets are host
  // buffers): the grid holds exactly those, then the zeroing blocks.
  Value gemmBlocks =
      forLoop(b, idx(b, 0), experts, 1, idx(b, 0),
              [&](ImplicitLocOpBuilder &b, Value e,
                  ValueRange acc) -> SmallVector<Value> {
                return {arith::AddIOp::create(
                    b, acc[0], rowBlocks(b, kernel, e, rows, tile.rows))};
              })[0];
  Value zeroBlocks = arith::CeilDivUIOp::create(b, rows, idx(b, tile.rows));
  int64_t weightSets = gated ? 2 : 1;
  BlockKernelSpec spec{
      arith::AddIOp::create(b, gemmBlocks, zeroBlocks),
      arith::CeilDivUIOp::create(b, idx(b, kernel.outColumns),
                                 idx(b, tile.columns)),
      idx(b, 1),
      kThreads,
      {{b.getF32Type(), kDepth * tile.rows},
       {b.getF32Type(), kDepth * weightSets * tile.columns},
       {b.getI32Type(), tile.rows}},
      {{b.getF32Type(), weightSets * tile.tileRows * tile.tileColumns}},
      interpret};
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    GemmBlock gemm{kernel, block, tile, gated};
    Value bx = block.blockX();
    // Uniform over the block: every thread takes the same branch, so the
    // barriers inside are reached by all of them.
    auto choice =
        scf::IfOp::create(b, arith::CmpIOp::create(b, P::ult, bx, gemmBlocks),
                          /*withElseRegion=*/true);
    OpBuilder::InsertionGuard restore(b);
    b.setInsertionPointToStart(&choice.getThenRegion().front());
    // Block bx is row block bx - (blocks of the experts before e) of the
    // first expert e whose blocks reach past bx.
    SmallVector<Value> found = forLoop(
        b, idx(b, 0), experts, 1, ValueRange{experts, idx(b, 0), idx(b, 0)},
        [&](ImplicitLocOpBuilder &b, Value e,
            ValueRange acc) -> SmallVector<Value> {
          Value blocks = rowBlocks(b, kernel, e, rows, tile.rows);
          Value next = arith::AddIOp::create(b, acc[2], blocks);
          Value here = arith::AndIOp::create(
              b, arith::CmpIOp::create(b, P::eq, acc[0], experts),
              arith::CmpIOp::create(b, P::ult, bx, next));
          return {arith::SelectOp::create(b, here, e, acc[0]),
                  arith::SelectOp::create(
                      b, here, arith::SubIOp::create(b, bx, acc[2]), acc[1]),
                  next};
        });
    Value e = found[0];
    auto [start, end] = segment(b, kernel, e, rows);
    Value rowBase = arith::AddIOp::create(
        b, start, arith::MulIOp::create(b, found[1], idx(b, tile.rows)));
    gemm.compute(e, rowBase, end);
    b.setInsertionPointToStart(&choice.getElseRegion().front());
    gemm.zero(rows,
              arith::MulIOp::create(b, arith::SubIOp::create(b, bx, gemmBlocks),
                                    idx(b, tile.rows)));
  });
}

void mlir::loom::moe::emitGroupedGemmKernel(ImplicitLocOpBuilder &b,
                                            const GroupedGemmKernel &kernel,
                                            bool interpret) {
  bool gated = kernel.epilogue == Activation::Swiglu ||
               kernel.epilogue == Activation::Geglu;
  Value rows = dim(b, kernel.out, 0);
  // Fewer than 32 rows per expert on average (decode, small batches): the
  // short tile, whose blocks waste less of each expert's last block.
  Value few = arith::CmpIOp::create(
      b, P::ult, rows, idx(b, kShortRowsPerExpert * kernel.experts));
  auto choice = scf::IfOp::create(b, few, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard restore(b);
  b.setInsertionPointToStart(&choice.getThenRegion().front());
  emitTiled(b, kernel, kShortTile, gated, rows, interpret);
  b.setInsertionPointToStart(&choice.getElseRegion().front());
  emitTiled(b, kernel, kWideTile, gated, rows, interpret);
}

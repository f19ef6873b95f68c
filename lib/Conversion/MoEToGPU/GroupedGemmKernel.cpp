//===- GroupedGemmKernel.cpp - moe.grouped_matmul on the GPU --------------===//

#include "loom/Conversion/GroupedGemmKernel.h"

#include "loom/Conversion/BlockKernel.h"
#include "loom/Conversion/KernelOps.h"
#include "loom/Dialect/MoE/Transforms/Builders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::moe;
using namespace mlir::loom::gpu_kernels;

namespace {

using P = arith::CmpIPredicate;

/// The K slice a block stages at a time, its threads, and a warp's.
constexpr int64_t kDepth = 16, kThreads = 256, kWarp = 32;

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
/// wide as the threads allow, so each weight slice serves 128 columns. When
/// those are too few blocks to keep the GPU's memory system busy (a decode
/// step reads every active expert's weight once, whatever the tile), the
/// narrow tile: 16 x 32 blocks of 2 x 1, four times the blocks for the
/// same bytes, as vLLM's fused MoE takes 16 x 32 blocks for small M.
constexpr GemmTile kWideTile{64, 64, 4, 4}, kShortTile{16, 128, 2, 4},
    kNarrowTile{16, 32, 2, 1};
static_assert(kWideTile.fitsTheBlock() && kShortTile.fitsTheBlock() &&
                  kNarrowTile.fitsTheBlock() &&
                  kShortTile.rows == kNarrowTile.rows,
              "a tile that leaves threads idle or staging uneven");
/// Below this many rows per expert on average, the short or narrow tile.
constexpr int64_t kShortRowsPerExpert = 32;

/// Decode steps (below 4 rows per expert on average): row vectors instead
/// of staged tiles. Each of the block's 8 warps takes 2 output columns of
/// up to 4 rows, its lanes striding K so that a warp reads 128 consecutive
/// bytes of a weight row per step, with no barrier in the K loop; the
/// lanes' partial sums are added in lane order through workgroup memory.
/// This is the shape of llama.cpp's and vLLM's matrix-vector kernels.
constexpr int64_t kVectorRowsPerExpert = 4, kWarpVectorColumns = 2;
/// Warp-wide K steps per iteration of a row-vector loop: a warp's reads in
/// flight per weight row (4 x 128 bytes of f32), with no alignment needed
/// beyond the element's, unlike 128-bit loads.
constexpr int64_t kVectorSteps = 4;
constexpr GemmTile kVectorTile{kVectorRowsPerExpert,
                               kThreads / kWarp *kWarpVectorColumns,
                               kVectorRowsPerExpert, kWarpVectorColumns};

/// The wide tile on tensor cores: TF32 mma.sync m16n8k8, or m16n8k16 for
/// f16 layers. The block's 8 warps are 2 x 4 warp tiles of 32 rows by 16
/// columns, each two 16-row by two 8-column mma tiles, per 8- or 16-deep
/// step of a staged slice. Fragments follow PTX's layout (as upstream's
/// nvgpu MMAUtils derives it); with g = lane / 4 and t = lane % 4, C value
/// v is (row g + 8 (v / 2), column 2 t + v % 2) in both shapes.
constexpr int64_t kWarpColumns = 4;
constexpr int64_t kWarpTileRows = 32, kWarpTileColumns = 16;
constexpr int64_t kMmaRows = kWarpTileRows / 16,
                  kMmaColumns = kWarpTileColumns / 8;
static_assert(kThreads / kWarp == (64 / kWarpTileRows) * kWarpColumns &&
                  kWarpColumns * kWarpTileColumns == 64 &&
                  kMmaRows * kMmaColumns * 4 == 4 * 4,
              "the mma warp tiles cover the wide tile, 16 values per thread");

/// One mma.sync shape and its operand layouts.
struct MmaShape {
  /// f16 operands (m16n8k16), else TF32 (m16n8k8).
  bool half;
  int64_t depth() const { return half ? 16 : 8; }
  int64_t steps() const { return kDepth / depth(); }
  /// Values per thread of an A and of a B fragment.
  int64_t aValues() const { return half ? 8 : 4; }
  int64_t bValues() const { return half ? 4 : 2; }
  /// A value v's row, less g: TF32 8 (v % 2); f16 8 (v / 2 % 2).
  int64_t aRow(int64_t v) const { return half ? 8 * (v / 2 % 2) : 8 * (v % 2); }
  /// A value v's k as (multiple of t, offset): TF32 t + 4 (v / 2); f16
  /// 2 t + 8 (v / 4) + v % 2 (two values per register).
  std::pair<int64_t, int64_t> aK(int64_t v) const {
    return half ? std::pair<int64_t, int64_t>{2, 8 * (v / 4) + v % 2}
                : std::pair<int64_t, int64_t>{1, 4 * (v / 2)};
  }
  /// B value v's k (its column is g): TF32 t + 4 v; f16 2 t + 8 (v / 2) +
  /// v % 2.
  std::pair<int64_t, int64_t> bK(int64_t v) const {
    return half ? std::pair<int64_t, int64_t>{2, 8 * (v / 2) + v % 2}
                : std::pair<int64_t, int64_t>{1, 4 * v};
  }
  /// The lane offset (within a row group) and value holding A (row, k), and
  /// the value holding B (k, ·): the inverse of the maps above.
  int64_t laneOfK(int64_t k) const { return half ? k % 8 / 2 : k % 4; }
  int64_t aValueOf(int64_t rowGroup, int64_t k) const {
    return half ? 2 * (rowGroup + 2 * (k / 8)) + k % 2 : rowGroup + 2 * (k / 4);
  }
  int64_t bValueOf(int64_t k) const {
    return half ? 2 * (k / 8) + k % 2 : k / 4;
  }
};

/// x rounded to TF32 (10 mantissa bits, to nearest, ties away from zero),
/// as cvt.rna.tf32.f32: the tensor cores then multiply exactly what the
/// interpreter does.
Value roundToTF32(ImplicitLocOpBuilder &b, Value x) {
  Value bits = arith::BitcastOp::create(b, b.getI32Type(), x);
  bits =
      arith::AndIOp::create(b, arith::AddIOp::create(b, bits, i32(b, 0x1000)),
                            i32(b, static_cast<int32_t>(0xFFFFE000u)));
  return arith::BitcastOp::create(b, b.getF32Type(), bits);
}

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
  /// Tensor cores (the wide tile only), of this shape.
  bool mma;
  MmaShape shape;
  /// The workgroup array `zero` marks covered rows in.
  unsigned coveredArray;
  /// Weight rows a block stages per K slice: its output columns' rows,
  /// and for gated epilogues their up rows after them.
  int64_t stagedRows() const { return (gated ? 2 : 1) * tile.columns; }
  int64_t tileSize() const { return tile.tileRows * tile.tileColumns; }
  int64_t accumulators() const { return (gated ? 2 : 1) * tileSize(); }

  int64_t weightSets() const { return gated ? 2 : 1; }

  /// The block row and column of thread `thread`'s accumulator `a` (of
  /// one weight set).
  std::pair<Value, Value> outputOf(Value thread, int64_t a) const {
    ImplicitLocOpBuilder &b = block.builder();
    auto add = [&](Value x, int64_t c) -> Value {
      return arith::AddIOp::create(b, x, idx(b, c));
    };
    auto mul = [&](Value x, int64_t c) -> Value {
      return arith::MulIOp::create(b, x, idx(b, c));
    };
    auto div = [&](Value x, int64_t c) -> Value {
      return arith::DivUIOp::create(b, x, idx(b, c));
    };
    auto rem = [&](Value x, int64_t c) -> Value {
      return arith::RemUIOp::create(b, x, idx(b, c));
    };
    if (!mma) {
      Value tx = rem(thread, tile.threadColumns());
      Value ty = div(thread, tile.threadColumns());
      return {add(mul(ty, tile.tileRows), a / tile.tileColumns),
              add(mul(tx, tile.tileColumns), a % tile.tileColumns)};
    }
    // a = (mma row tile * kMmaColumns + mma column tile) * 4 + value.
    Value warp = div(thread, kWarp), lane = rem(thread, kWarp);
    int64_t mi = a / 4 / kMmaColumns, ni = a / 4 % kMmaColumns, v = a % 4;
    Value row =
        add(mul(div(warp, kWarpColumns), kWarpTileRows), mi * 16 + 8 * (v / 2));
    Value column =
        add(mul(rem(warp, kWarpColumns), kWarpTileColumns), ni * 8 + v % 2);
    return {arith::AddIOp::create(b, row, div(lane, 4)),
            arith::AddIOp::create(b, column, mul(rem(lane, 4), 2))};
  }

  /// Whether row `row` reads an input row (always, without a gather map)
  /// and that row's index.
  std::pair<Value, Value> source(ImplicitLocOpBuilder &b, Value row) const {
    if (!kernel.gather)
      return {arith::ConstantIntOp::create(b, b.getI1Type(), 1), row};
    Value g = load(b, kernel.gather, row);
    return {inRange(b, g, dim(b, kernel.input, 0)), asIndex(b, g)};
  }

  /// Weight row `weightRow` of expert `e` at K `kCol`, both inside the
  /// weights: loaded, or decoded from the coded weights.
  Value weightAt(ImplicitLocOpBuilder &b, Value e, Value weightRow,
                 Value kCol) const {
    Value row = arith::AddIOp::create(
        b, arith::MulIOp::create(b, e, idx(b, kernel.n)), weightRow);
    if (kernel.decodeWeight)
      return kernel.decodeWeight(b, row, kCol);
    return load(b, kernel.weights,
                arith::AddIOp::create(
                    b, arith::MulIOp::create(b, row, idx(b, kernel.k)), kCol)
                    .getResult());
  }

  /// Rows [rowBase, rowBase + tile.rows) of expert `e`'s segment (ending
  /// at rowEnd) as row vectors, against the block's output columns.
  void computeRowVectors(Value e, Value rowBase, Value rowEnd) {
    ImplicitLocOpBuilder &b = block.builder();
    Value partials = block.shared(0);
    Value col0 = arith::MulIOp::create(b, block.blockY(), idx(b, tile.columns));
    Value outColumns = idx(b, kernel.outColumns);
    int64_t values = accumulators(), rowsPerBlock = tile.rows;
    int64_t columns = tile.tileColumns;
    // Value v of a warp: weight set v / (rows * columns), row v / columns
    // % rows, column v % columns.
    auto rowOf = [&](int64_t v) { return v / columns % rowsPerBlock; };
    auto columnOf = [&](int64_t v) { return v % columns; };
    auto setOf = [&](int64_t v) { return v / (rowsPerBlock * columns); };
    block.phase([&](Value thread) {
      Value lane = arith::RemUIOp::create(b, thread, idx(b, kWarp));
      Value warp = arith::DivUIOp::create(b, thread, idx(b, kWarp));
      Value warpColumn = arith::AddIOp::create(
          b, col0, arith::MulIOp::create(b, warp, idx(b, columns)));
      // Each row's source and whether it reads one, found once.
      SmallVector<Value> reads, sources;
      for (int64_t r = 0; r < rowsPerBlock; ++r) {
        Value row = arith::AddIOp::create(b, rowBase, idx(b, r));
        Value inside = arith::CmpIOp::create(b, P::ult, row, rowEnd);
        auto guard = scf::IfOp::create(
            b, TypeRange{b.getI1Type(), b.getIndexType()}, inside,
            /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard restore(b);
          b.setInsertionPointToStart(&guard.getThenRegion().front());
          auto [readsRow, src] = source(b, row);
          scf::YieldOp::create(b, ValueRange{readsRow, src});
          b.setInsertionPointToStart(&guard.getElseRegion().front());
          scf::YieldOp::create(
              b, ValueRange{arith::ConstantIntOp::create(b, b.getI1Type(), 0),
                            idx(b, 0)});
        }
        reads.push_back(guard.getResult(0));
        sources.push_back(guard.getResult(1));
      }
      SmallVector<Value> zeros(values, f32(b, 0.0));
      // kVectorSteps steps of the warp per iteration, their loads issued
      // before their products, so that each warp keeps that many 128-byte
      // reads per weight row in flight. A lane still adds its K in order.
      SmallVector<Value> sums = forLoop(
          b, lane, idx(b, kernel.k), kWarp * kVectorSteps, zeros,
          [&](ImplicitLocOpBuilder &b, Value kStep,
              ValueRange acc) -> SmallVector<Value> {
            SmallVector<SmallVector<Value>> x(kVectorSteps), w(kVectorSteps);
            for (int64_t u = 0; u < kVectorSteps; ++u) {
              Value kCol = arith::AddIOp::create(b, kStep, idx(b, u * kWarp));
              Value inK =
                  arith::CmpIOp::create(b, P::ult, kCol, idx(b, kernel.k));
              for (int64_t r = 0; r < rowsPerBlock; ++r)
                x[u].push_back(
                    select(b, arith::AndIOp::create(b, reads[r], inK),
                           f32(b, 0.0), [&] {
                             return load(b, kernel.input, {sources[r], kCol});
                           }));
              for (int64_t set = 0; set < weightSets(); ++set)
                for (int64_t c = 0; c < columns; ++c) {
                  Value column =
                      arith::AddIOp::create(b, warpColumn, idx(b, c));
                  Value inside = arith::AndIOp::create(
                      b, arith::CmpIOp::create(b, P::ult, column, outColumns),
                      inK);
                  w[u].push_back(select(b, inside, f32(b, 0.0), [&] {
                    return weightAt(
                        b, e,
                        arith::AddIOp::create(b, column,
                                              idx(b, set * kernel.outColumns)),
                        kCol);
                  }));
                }
            }
            SmallVector<Value> next(acc);
            for (int64_t u = 0; u < kVectorSteps; ++u)
              for (int64_t v = 0; v < values; ++v)
                next[v] = arith::AddFOp::create(
                    b, next[v],
                    arith::MulFOp::create(
                        b, x[u][rowOf(v)],
                        w[u][setOf(v) * columns + columnOf(v)]));
            return next;
          });
      // partials[(warp * values + v) * 32 + lane]
      for (int64_t v = 0; v < values; ++v) {
        Value at = arith::AddIOp::create(
            b,
            arith::MulIOp::create(
                b,
                arith::AddIOp::create(
                    b, arith::MulIOp::create(b, warp, idx(b, values)),
                    idx(b, v)),
                idx(b, kWarp)),
            lane);
        store(b, sums[v], partials, at);
      }
    });
    block.phase(
        [&](Value thread) {
          // Thread (warp, row, column) of the first weight set closes its
          // output: the lanes' sums in lane order, then the epilogue.
          int64_t outputs = rowsPerBlock * columns;
          when(b,
               arith::CmpIOp::create(b, P::ult, thread,
                                     idx(b, kThreads / kWarp * outputs)),
               [&] {
                 Value warp =
                     arith::DivUIOp::create(b, thread, idx(b, outputs));
                 Value v = arith::RemUIOp::create(b, thread, idx(b, outputs));
                 Value row = arith::AddIOp::create(
                     b, rowBase, arith::DivUIOp::create(b, v, idx(b, columns)));
                 Value column = arith::AddIOp::create(
                     b,
                     arith::AddIOp::create(
                         b, col0,
                         arith::MulIOp::create(b, warp, idx(b, columns))),
                     arith::RemUIOp::create(b, v, idx(b, columns)));
                 auto laneSum = [&](int64_t set) {
                   Value base = arith::MulIOp::create(
                       b,
                       arith::AddIOp::create(
                           b, arith::MulIOp::create(b, warp, idx(b, values)),
                           arith::AddIOp::create(b, v, idx(b, set * outputs))),
                       idx(b, kWarp));
                   return forLoop(b, idx(b, 0), idx(b, kWarp), 1,
                                  Value(f32(b, 0.0)),
                                  [&](ImplicitLocOpBuilder &b, Value l,
                                      ValueRange acc) -> SmallVector<Value> {
                                    return {arith::AddFOp::create(
                                        b, acc[0],
                                        load(b, partials,
                                             arith::AddIOp::create(b, base, l)
                                                 .getResult()))};
                                  })[0];
                 };
                 storeOutput(e, row, rowEnd, column, laneSum);
               });
        },
        /*barrier=*/false);
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
          Value w = select(b, inside, f32(b, 0.0),
                           [&] { return weightAt(b, e, weightRow, kCol); });
          store(b, w, bs,
                arith::AddIOp::create(
                    b, arith::MulIOp::create(b, kk, idx(b, stagedRows())), nn)
                    .getResult());
        }
      });
      if (mma)
        multiplyOnTensorCores();
      else
        multiplyOnThreads();
    });
    block.phase(
        [&](Value thread) {
          for (int64_t at = 0; at < tileSize(); ++at) {
            auto [r, c] = outputOf(thread, at);
            Value row = arith::AddIOp::create(b, rowBase, r);
            Value column = arith::AddIOp::create(b, col0, c);
            storeOutput(e, row, rowEnd, column, [&](int64_t set) {
              return block.loadLocal(0, thread, set * tileSize() + at);
            });
          }
        },
        /*barrier=*/false);
  }

  /// The staged slice's products on each thread's register tile.
  void multiplyOnThreads() {
    ImplicitLocOpBuilder &b = block.builder();
    Value as = block.shared(0), bs = block.shared(1);
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
            auto at = [&](Value array, int64_t stride, Value base, int64_t i) {
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
  }

  /// Index of A value `v` of mma row tile `mi` at step `step` in a
  /// thread's fragment array, and of B value `v` of mma column tile `ni`
  /// and weight set `set`.
  int64_t aSlot(int64_t step, int64_t mi, int64_t v) const {
    return (step * kMmaRows + mi) * shape.aValues() + v;
  }
  int64_t bSlot(int64_t step, int64_t ni, int64_t set, int64_t v) const {
    return ((step * kMmaColumns + ni) * weightSets() + set) * shape.bValues() +
           v;
  }

  /// Thread `thread`'s A and B fragments of the staged slice (rounded to
  /// TF32; f16 values are f16 already) into its arrays 1 and 2.
  void loadFragments(Value thread) {
    ImplicitLocOpBuilder &b = block.builder();
    Value as = block.shared(0), bs = block.shared(1);
    auto at = [&](Value array, int64_t stride, Value k, Value x) {
      Value i = arith::AddIOp::create(
          b, arith::MulIOp::create(b, k, idx(b, stride)), x);
      Value v = load(b, array, i);
      return shape.half ? v : roundToTF32(b, v);
    };
    auto kOf = [&](std::pair<int64_t, int64_t> scaleAndOffset, Value t,
                   int64_t step) -> Value {
      return arith::AddIOp::create(
          b, arith::MulIOp::create(b, t, idx(b, scaleAndOffset.first)),
          idx(b, step * shape.depth() + scaleAndOffset.second));
    };
    Value warp = arith::DivUIOp::create(b, thread, idx(b, kWarp));
    Value lane = arith::RemUIOp::create(b, thread, idx(b, kWarp));
    Value g = arith::DivUIOp::create(b, lane, idx(b, 4));
    Value t = arith::RemUIOp::create(b, lane, idx(b, 4));
    Value warpRow = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, warp, idx(b, kWarpColumns)),
        idx(b, kWarpTileRows));
    Value warpColumn = arith::MulIOp::create(
        b, arith::RemUIOp::create(b, warp, idx(b, kWarpColumns)),
        idx(b, kWarpTileColumns));
    auto plus = [&](Value x, int64_t c) -> Value {
      return arith::AddIOp::create(b, x, idx(b, c));
    };
    for (int64_t step = 0; step < shape.steps(); ++step) {
      for (int64_t mi = 0; mi < kMmaRows; ++mi)
        for (int64_t v = 0; v < shape.aValues(); ++v) {
          Value row = plus(arith::AddIOp::create(b, warpRow, g),
                           mi * 16 + shape.aRow(v));
          block.storeLocal(1, thread, aSlot(step, mi, v),
                           at(as, tile.rows, kOf(shape.aK(v), t, step), row));
        }
      for (int64_t ni = 0; ni < kMmaColumns; ++ni)
        for (int64_t set = 0; set < weightSets(); ++set)
          for (int64_t v = 0; v < shape.bValues(); ++v) {
            Value column = plus(arith::AddIOp::create(b, warpColumn, g),
                                ni * 8 + set * tile.columns);
            block.storeLocal(
                2, thread, bSlot(step, ni, set, v),
                at(bs, stagedRows(), kOf(shape.bK(v), t, step), column));
          }
    }
  }

  /// The staged slice's products on the tensor cores: each warp's mma
  /// tiles, accumulated in its threads' C fragments. The interpreter
  /// emulates the warp: each C value sums the A and B values that the
  /// fragment layout puts in its row's and column's lanes.
  void multiplyOnTensorCores() {
    ImplicitLocOpBuilder &b = block.builder();
    if (!block.interpreting()) {
      block.phase([&](Value thread) {
        loadFragments(thread);
        Type f32 = b.getF32Type();
        Type operand = shape.half ? Type(b.getF16Type()) : f32;
        // The thread's values `first` .. + count of `array`, as a fragment
        // of `rows` registers of `type`.
        auto fragment = [&](unsigned array, int64_t first, int64_t count,
                            int64_t rows, Type type) -> Value {
          SmallVector<Value> values;
          for (int64_t i = 0; i < count; ++i) {
            Value v = block.loadLocal(array, thread, first + i);
            if (type != f32)
              v = arith::TruncFOp::create(b, type, v);
            values.push_back(v);
          }
          return vector::FromElementsOp::create(
              b, VectorType::get({rows, count / rows}, type), values);
        };
        for (int64_t step = 0; step < shape.steps(); ++step)
          for (int64_t mi = 0; mi < kMmaRows; ++mi)
            for (int64_t ni = 0; ni < kMmaColumns; ++ni)
              for (int64_t set = 0; set < weightSets(); ++set) {
                int64_t c0 = set * tileSize() + (mi * kMmaColumns + ni) * 4;
                Value a = fragment(1, aSlot(step, mi, 0), shape.aValues(), 4,
                                   operand);
                Value w = fragment(2, bSlot(step, ni, set, 0), shape.bValues(),
                                   2, operand);
                Value c = fragment(0, c0, 4, 2, f32);
                Value d = nvgpu::MmaSyncOp::create(
                    b, a, w, c, ArrayRef<int64_t>{16, 8, shape.depth()},
                    /*tf32Enabled=*/!shape.half);
                for (int64_t v = 0; v < 4; ++v)
                  block.storeLocal(0, thread, c0 + v,
                                   vector::ExtractOp::create(
                                       b, d, ArrayRef<int64_t>{v / 2, v % 2}));
              }
      });
      return;
    }
    block.phase([&](Value thread) { loadFragments(thread); },
                /*barrier=*/false);
    block.phase([&](Value thread) {
      Value lane = arith::RemUIOp::create(b, thread, idx(b, kWarp));
      Value warpBase = arith::SubIOp::create(b, thread, lane);
      Value g = arith::DivUIOp::create(b, lane, idx(b, 4));
      Value t = arith::RemUIOp::create(b, lane, idx(b, 4));
      // The lane holding A (row r, k) and B (k, column n) of an mma tile.
      auto aLane = [&](Value r, int64_t k) -> Value {
        return arith::AddIOp::create(
            b, warpBase,
            arith::AddIOp::create(b, arith::MulIOp::create(b, r, idx(b, 4)),
                                  idx(b, shape.laneOfK(k))));
      };
      for (int64_t set = 0; set < weightSets(); ++set)
        for (int64_t a = 0; a < tileSize(); ++a) {
          int64_t mi = a / 4 / kMmaColumns, ni = a / 4 % kMmaColumns;
          int64_t v = a % 4;
          // C value v: row g + 8 (v / 2) of the tile, column 2 t + v % 2.
          Value n = arith::AddIOp::create(
              b, arith::MulIOp::create(b, t, idx(b, 2)), idx(b, v % 2));
          Value sum = block.loadLocal(0, thread, set * tileSize() + a);
          for (int64_t step = 0; step < shape.steps(); ++step)
            for (int64_t k = 0; k < shape.depth(); ++k) {
              Value x = block.loadLocal(
                  1, aLane(g, k), aSlot(step, mi, shape.aValueOf(v / 2, k)));
              Value w = block.loadLocal(
                  2, aLane(n, k), bSlot(step, ni, set, shape.bValueOf(k)));
              sum =
                  arith::AddFOp::create(b, sum, arith::MulFOp::create(b, x, w));
            }
          block.storeLocal(0, thread, set * tileSize() + a, sum);
        }
    });
  }

  /// out[row, column] = the epilogue of weight set 0's sum (and set 1's,
  /// gated) that `sum` builds, inside the segment and the output columns;
  /// 0 for a row whose gathered source is missing.
  void storeOutput(Value e, Value row, Value rowEnd, Value column,
                   function_ref<Value(int64_t set)> sum) const {
    ImplicitLocOpBuilder &b = block.builder();
    Value inside = arith::AndIOp::create(
        b, arith::CmpIOp::create(b, P::ult, row, rowEnd),
        arith::CmpIOp::create(b, P::ult, column, idx(b, kernel.outColumns)));
    when(b, inside, [&] {
      Value reads = source(b, row).first;
      Value y = select(b, reads, f32(b, 0.0), [&] {
        return epilogue(e, row, column, sum(0), gated ? sum(1) : Value());
      });
      store(b, y, kernel.out, {row, column});
    });
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
    Value covered = block.shared(coveredArray);
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

/// The grid's blocks for the row blocks of `tileRows` rows of all
/// segments: counted on the host from host offsets; for segments that
/// partition the rows on the device, the bound floor(R / tileRows) +
/// min(E, R) (each nonempty segment adds at most one partial block).
static Value segmentRowBlocks(ImplicitLocOpBuilder &b,
                              const GroupedGemmKernel &kernel, Value rows,
                              int64_t tileRows) {
  if (kernel.segmentsOnDevice)
    return arith::AddIOp::create(
        b, arith::DivUIOp::create(b, rows, idx(b, tileRows)),
        arith::MinUIOp::create(b, rows, idx(b, kernel.experts)));
  return forLoop(b, idx(b, 0), idx(b, kernel.experts), 1, idx(b, 0),
                 [&](ImplicitLocOpBuilder &b, Value e,
                     ValueRange acc) -> SmallVector<Value> {
                   return {arith::AddIOp::create(
                       b, acc[0], rowBlocks(b, kernel, e, rows, tileRows))};
                 })[0];
}

/// The kernel with `tile`'s blocks over the rows [0, rows) of the segments.
/// How a block forms its products: staged tiles on the threads or on the
/// tensor cores, or row vectors.
enum class BlockProduct { Threads, TensorCores, RowVectors };

/// `gemmBlocks` is segmentRowBlocks of the tile's rows: the grid's blocks
/// before the zeroing ones.
static void emitTiled(ImplicitLocOpBuilder &b, const GroupedGemmKernel &kernel,
                      GemmTile tile, bool gated, BlockProduct product,
                      Value rows, Value gemmBlocks, bool interpret) {
  bool mma = product == BlockProduct::TensorCores;
  bool vectors = product == BlockProduct::RowVectors;
  Value experts = idx(b, kernel.experts);
  // The grid holds exactly the segments' row blocks, then the zeroing
  // blocks.
  Value zeroBlocks = arith::CeilDivUIOp::create(b, rows, idx(b, tile.rows));
  int64_t weightSets = gated ? 2 : 1;
  BlockKernelSpec spec{arith::AddIOp::create(b, gemmBlocks, zeroBlocks),
                       arith::CeilDivUIOp::create(b, idx(b, kernel.outColumns),
                                                  idx(b, tile.columns)),
                       idx(b, 1),
                       kThreads,
                       {},
                       {},
                       interpret};
  // Row vectors: each warp's lanes' partial sums, formed within one phase.
  // Tiles: the staged slices, and each thread's register tile across them.
  // Then the rows the zeroing blocks find covered.
  int64_t tileValues = weightSets * tile.tileRows * tile.tileColumns;
  if (vectors) {
    spec.shared.push_back({b.getF32Type(), kThreads * tileValues});
  } else {
    spec.shared.append({{b.getF32Type(), kDepth * tile.rows},
                        {b.getF32Type(), kDepth * weightSets * tile.columns}});
    spec.local.push_back({b.getF32Type(), tileValues});
  }
  unsigned coveredArray = spec.shared.size();
  spec.shared.push_back({b.getI32Type(), tile.rows});
  // Tensor cores: each thread's A and B fragments of a staged slice.
  // f16 layers on f16 tensor cores (their products exact, as TF32's are
  // for bf16 values); the rest on TF32.
  MmaShape shape{getElementTypeOrSelf(kernel.input.getType()).isF16() &&
                 kernel.weights &&
                 getElementTypeOrSelf(kernel.weights.getType()).isF16()};
  if (mma) {
    spec.local.push_back(
        {b.getF32Type(), shape.steps() * kMmaRows * shape.aValues()});
    spec.local.push_back({b.getF32Type(), shape.steps() * kMmaColumns *
                                              weightSets * shape.bValues()});
  }
  BlockKernel::emit(b, spec, [&](BlockKernel &block) {
    ImplicitLocOpBuilder &b = block.builder();
    GemmBlock gemm{kernel, block, tile, gated, mma, shape, coveredArray};
    Value bx = block.blockX();
    // Uniform over the block: every thread takes the same branch, so the
    // barriers inside are reached by all of them.
    branch(
        b, arith::CmpIOp::create(b, P::ult, bx, gemmBlocks),
        [&] {
          // Block bx is row block bx - (blocks of the experts before e) of
          // the first expert e whose blocks reach past bx; the segments
          // have found[2] blocks in all (fewer than gemmBlocks when that
          // is a bound).
          SmallVector<Value> found = forLoop(
              b, idx(b, 0), experts, 1,
              ValueRange{experts, idx(b, 0), idx(b, 0)},
              [&](ImplicitLocOpBuilder &b, Value e,
                  ValueRange acc) -> SmallVector<Value> {
                Value blocks = rowBlocks(b, kernel, e, rows, tile.rows);
                Value next = arith::AddIOp::create(b, acc[2], blocks);
                Value here = arith::AndIOp::create(
                    b, arith::CmpIOp::create(b, P::eq, acc[0], experts),
                    arith::CmpIOp::create(b, P::ult, bx, next));
                return {
                    arith::SelectOp::create(b, here, e, acc[0]),
                    arith::SelectOp::create(
                        b, here, arith::SubIOp::create(b, bx, acc[2]), acc[1]),
                    next};
              });
          when(b, arith::CmpIOp::create(b, P::ult, bx, found[2]), [&] {
            Value e = found[0];
            auto [start, end] = segment(b, kernel, e, rows);
            Value rowBase = arith::AddIOp::create(
                b, start,
                arith::MulIOp::create(b, found[1], idx(b, tile.rows)));
            if (vectors)
              gemm.computeRowVectors(e, rowBase, end);
            else
              gemm.compute(e, rowBase, end);
          });
        },
        [&] {
          gemm.zero(rows, arith::MulIOp::create(
                              b, arith::SubIOp::create(b, bx, gemmBlocks),
                              idx(b, tile.rows)));
        });
  });
}

void mlir::loom::moe::emitGroupedGemmKernel(ImplicitLocOpBuilder &b,
                                            const GroupedGemmKernel &kernel,
                                            bool interpret) {
  bool gated = kernel.epilogue == Activation::Swiglu ||
               kernel.epilogue == Activation::Geglu;
  Value rows = dim(b, kernel.out, 0);
  // Fewer than 4 rows per expert on average (decode steps): row vectors.
  // Fewer than 32 (small batches): the short tile, whose blocks waste less
  // of each expert's last block, or when its grid would leave SMs idle
  // (fewer than fill-blocks), the narrow one.
  auto below = [&](int64_t rowsPerExpert) -> Value {
    return arith::CmpIOp::create(b, P::ult, rows,
                                 idx(b, rowsPerExpert * kernel.experts));
  };
  // `rowBlocks`: the tile's segmentRowBlocks where the caller has them.
  auto tiled = [&](GemmTile tile, BlockProduct product, Value rowBlocks = {}) {
    return [&, tile, product, rowBlocks] {
      emitTiled(b, kernel, tile, gated, product, rows,
                rowBlocks ? rowBlocks
                          : segmentRowBlocks(b, kernel, rows, tile.rows),
                interpret);
    };
  };
  auto fewRows = [&] {
    if (kernel.fillBlocks == 0)
      return tiled(kShortTile, BlockProduct::Threads)();
    // The short and narrow tiles' rows are the same: one count serves the
    // choice and either grid.
    Value rowBlocks = segmentRowBlocks(b, kernel, rows, kShortTile.rows);
    Value shortBlocks = arith::MulIOp::create(
        b, rowBlocks,
        idx(b, llvm::divideCeil(kernel.outColumns, kShortTile.columns)));
    branch(b,
           arith::CmpIOp::create(b, P::ult, shortBlocks,
                                 idx(b, kernel.fillBlocks)),
           tiled(kNarrowTile, BlockProduct::Threads, rowBlocks),
           tiled(kShortTile, BlockProduct::Threads, rowBlocks));
  };
  // No kernel for row counts below the caller's least.
  auto possible = [&](int64_t rowsPerExpert) {
    return kernel.leastRows < rowsPerExpert * kernel.experts;
  };
  auto belowShort = [&] {
    if (!possible(kVectorRowsPerExpert))
      return fewRows();
    branch(b, below(kVectorRowsPerExpert),
           tiled(kVectorTile, BlockProduct::RowVectors), fewRows);
  };
  auto wide = tiled(kWideTile, kernel.tensorCores ? BlockProduct::TensorCores
                                                  : BlockProduct::Threads);
  if (!possible(kShortRowsPerExpert))
    return wide();
  branch(b, below(kShortRowsPerExpert), belowShort, wide);
}

void mlir::loom::moe::describeBlockShapes(llvm::raw_ostream &os,
                                          const GroupedGemmKernel &kernel) {
  auto tile = [&](const GemmTile &t) {
    os << t.rows << " x " << t.columns << " blocks of " << t.tileRows << " x "
       << t.tileColumns << " per thread";
  };
  auto possible = [&](int64_t rowsPerExpert) {
    return kernel.leastRows < rowsPerExpert * kernel.experts;
  };
  os << "by the rows per expert at run time: ";
  if (possible(kShortRowsPerExpert))
    os << "from " << kShortRowsPerExpert << ", ";
  if (kernel.tensorCores) {
    bool half = getElementTypeOrSelf(kernel.input.getType()).isF16() &&
                kernel.weights &&
                getElementTypeOrSelf(kernel.weights.getType()).isF16();
    os << kWideTile.rows << " x " << kWideTile.columns << " blocks on "
       << (half ? "f16" : "TF32") << " tensor cores";
  } else {
    tile(kWideTile);
  }
  if (!possible(kShortRowsPerExpert))
    return;
  os << "; below " << kShortRowsPerExpert << ", ";
  tile(kShortTile);
  if (kernel.fillBlocks > 0) {
    os << " (";
    tile(kNarrowTile);
    os << " where those would be fewer than " << kernel.fillBlocks
       << " blocks)";
  }
  if (possible(kVectorRowsPerExpert))
    os << "; below " << kVectorRowsPerExpert << ", row vectors ("
       << kWarpVectorColumns << " columns per warp)";
}

int64_t mlir::loom::moe::groupedGemmBlockRows(int64_t rows, int64_t experts) {
  if (rows < kVectorRowsPerExpert * experts)
    return kVectorTile.rows;
  return rows < kShortRowsPerExpert * experts ? kShortTile.rows
                                              : kWideTile.rows;
}

LogicalResult mlir::loom::moe::checkFillBlocks(Operation *op, StringRef pass,
                                               int64_t fillBlocks) {
  if (fillBlocks >= 0)
    return success();
  return op->emitError() << pass
                         << ": fill-blocks must be 0 (never narrow) or a "
                            "block count, got "
                         << fillBlocks;
}

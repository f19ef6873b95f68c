//===- ContractionTiling.h - The register tiling of linalg contractions -*-
// C++ -*-===//
//
// Generic linalg contractions (attention's scores and context, user
// matmuls) are tiled to a register tile and vectorized; the tile is the
// linalg.tile decision (costmodel.md §1). The decision's features and the
// lowering both read the problem from here, so they agree on which loops
// the tile covers.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TRANSFORMS_CONTRACTIONTILING_H
#define LOOM_TRANSFORMS_CONTRACTIONTILING_H

#include "loom/CostModel/TargetInfo.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/DialectRegistry.h"

#include <optional>

namespace mlir::loom {

/// A contraction's loops seen by its register tile: one m, n and k loop are
/// tiled (n is the vector dim); every other loop runs at tile 1.
struct ContractionTiling {
  /// Loop indices of the tiled m, n and k dims: the m and n dims the output
  /// varies fastest along, the k dim the lhs varies fastest along.
  unsigned mDim, nDim, kDim;
  /// Their sizes; m may be dynamic (ShapedType::kDynamic: rows of tokens),
  /// n and k are static.
  int64_t m, n, k;
  /// Whether m is known only at run time; it stays set where the cost
  /// model judges the tiling at a row count. If so, the fewest rows it
  /// runs at (the op's loom.min_rows, kMinRowsAttrName; else 1).
  bool dynamicRows;
  int64_t minRows;
  /// The product of every other loop's trip count (batch dims, the other
  /// m, n and k dims).
  int64_t outerIterations;
  /// Whether the operand's innermost dim is the one named (for a packed
  /// rhs, see packsRhs, its copy's).
  bool lhsContiguousK, rhsContiguousN, rhsContiguousK, outContiguousN;
  /// The rhs's elements (all its dims are static).
  int64_t rhsElements;
  /// Bytes per element of the result, whose type the tile's arithmetic
  /// runs in (f32: 4; f16, bf16: 2), and whether that type is bf16; bytes
  /// per element of the rhs, which may be narrower (f16 products summed in
  /// f32).
  unsigned elementBytes;
  bool bf16;
  unsigned rhsElementBytes;
  /// Loop order of the tiled nest: batch, m, n, then k dims, each group's
  /// tiled dim innermost in it.
  SmallVector<int64_t> interchange;

  /// The tiling of `op`, or failure when it is not one the register tile
  /// serves: a contraction of f32, f16 or bf16 tensors with m, n and k
  /// dims, static but for the tiled m dim.
  static FailureOr<ContractionTiling> of(linalg::LinalgOp op);

  /// Multiply-adds of the contraction, at one row if the rows are dynamic.
  double multiplyAdds() const;

  /// Whether a register tile keeps its sums in f32 on `target`, rounding
  /// them to the half-precision result once, after its k loop: where the
  /// target has no arithmetic in that type (bf16 on every x86 CPU, f16
  /// without AVX512-FP16), LLVM would widen each multiply-add to f32 and
  /// round it, four instructions and a conversion's latency on every
  /// accumulator's chain, for a sum no more accurate (clang's excess
  /// precision for _Float16 makes the same trade).
  bool sumsInF32(const cost::TargetInfo &target) const;

  /// Vector lanes of the tile's arithmetic on `target`: the result type's,
  /// or f32's where the sums are kept in f32.
  int64_t lanes(const cost::TargetInfo &target) const;

  /// The trip count of `op`'s rows loop (this tiling's m), built at the
  /// builder's insertion point.
  OpFoldResult rowCount(OpBuilder &builder, linalg::LinalgOp op) const;

  /// Tile sizes per loop for the register tile (tileM, tileN, tileK).
  SmallVector<int64_t> tileSizes(int64_t tileM, int64_t tileN,
                                 int64_t tileK) const;
};

/// A register tile: tile_m x tile_n x tile_k, its vectors along n (outer
/// products) or k (partial sums).
struct RegisterTile {
  int64_t m, n, k;
  bool alongK;
};

/// The fewest rows over which loom-tile-linalg packs the rhs for `tile`
/// on `target` (one copy laid out along n, made before the loops). Along n
/// a tile gathers each rhs vector of a rhs laid out otherwise element by
/// element, once per row tile, while the copy transposes 16 x 16 blocks at
/// a fraction of a shuffle per element. Gathering a full vector (an insert
/// per lane, across the register's 128-bit lanes) costs more than the copy
/// even once, so such a tile packs from its first row; a narrower vector
/// is cheaper to gather, and packs from its second row tile. std::nullopt
/// where it never does: vectors along k, a one-column tile (scalar reads,
/// nothing to gather), or a rhs laid out along n already. The thresholds
/// are measured (docs/CostModel.md, "When packing pays, measured").
std::optional<int64_t> rhsPackingRows(const ContractionTiling &tiling,
                                      const RegisterTile &tile,
                                      const cost::TargetInfo &target);

/// Whether the rhs is packed for `tile` at the tiling's rows, where they
/// are known (static rows, or the rows the cost model judges dynamic ones
/// at). Dynamic rows are packed where, at run time, they number at least
/// rhsPackingRows.
bool packsRhs(const ContractionTiling &tiling, const RegisterTile &tile,
              const cost::TargetInfo &target);

/// Where a tile does not divide a static dim of `size`, loom-tile-linalg
/// splits the contraction there: the extent the tile divides, then the
/// remainder (each only if not empty). A dynamic size is not split.
SmallVector<int64_t, 2> splitExtents(int64_t size, int64_t tile);

/// The tile a part of the split contraction with static extents m, n and k
/// runs: `tile` clipped to the part, which it then divides. A part one
/// element deep along k runs along n. A dynamic m keeps its tile.
RegisterTile clipToPart(const RegisterTile &tile, int64_t m, int64_t n,
                        int64_t k);

/// The rows of the tiles dynamic rows run in, for a tile of `tileM` rows:
/// `tileM`, then the powers of two below it, down to one row (6: 6, 4, 2,
/// 1). A static remainder runs as one tile clipped to it; a dynamic one's
/// size is unknown, so it runs as at most one tile of each power of two.
SmallVector<int64_t, 4> dynamicRowTiles(int64_t tileM);

/// Dynamic rows are split where the row count is known, at run time: the
/// rows a tile of `tileM` divides, then of the fewer than `tileM` rows
/// left those each next tile of dynamicRowTiles divides. The rows of each
/// part for `rows` in all (each only if not empty) with the rows of its
/// tile.
SmallVector<std::pair<int64_t, int64_t>, 4> splitDynamicRows(int64_t rows,
                                                             int64_t tileM);

/// Makes linalg's contraction ops (named and generic) TunableOpInterface
/// ops of the linalg.tile decision.
void registerLinalgTileExternalModels(DialectRegistry &registry);

} // namespace mlir::loom

#endif // LOOM_TRANSFORMS_CONTRACTIONTILING_H

//===- ContractionTiling.cpp - The loops a contraction's tile covers ------===//

#include "loom/Transforms/ContractionTiling.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::loom;

/// The dim of `group` that `map` lists last: the one its operand is laid
/// out fastest along.
static unsigned innermostIn(ArrayRef<unsigned> group, AffineMap map) {
  unsigned innermost = group.front();
  std::optional<unsigned> innermostPosition;
  for (unsigned dim : group) {
    std::optional<unsigned> position =
        map.getResultPosition(getAffineDimExpr(dim, map.getContext()));
    if (position && (!innermostPosition || *position > *innermostPosition)) {
      innermost = dim;
      innermostPosition = position;
    }
  }
  return innermost;
}

static bool isInnermost(unsigned dim, AffineMap map) {
  return map.getNumResults() &&
         map.getResults().back() == getAffineDimExpr(dim, map.getContext());
}

FailureOr<ContractionTiling> ContractionTiling::of(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return failure();
  // f32, or f16 / bf16 (the tile's arithmetic in the op's own types).
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type ||
        !isa<Float32Type, Float16Type, BFloat16Type>(type.getElementType()))
      return failure();
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.empty() || dims->n.empty() || dims->k.empty())
    return failure();

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap lhs = maps[0], rhs = maps[1], out = maps[2];
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  ContractionTiling tiling;
  tiling.mDim = innermostIn(dims->m, out);
  tiling.nDim = innermostIn(dims->n, out);
  tiling.kDim = innermostIn(dims->k, lhs);
  tiling.m = ranges[tiling.mDim];
  tiling.n = ranges[tiling.nDim];
  tiling.k = ranges[tiling.kDim];
  tiling.dynamicRows = ShapedType::isDynamic(tiling.m);
  auto minRows = op->getAttrOfType<IntegerAttr>(kMinRowsAttrName);
  tiling.minRows = minRows ? minRows.getInt() : 1;
  // Only the rows (the tiled m dim: tokens) may be dynamic; they are then
  // split at run time (splitDynamicRows).
  tiling.outerIterations = 1;
  for (auto [dim, range] : llvm::enumerate(ranges)) {
    if (ShapedType::isDynamic(range) && dim != tiling.mDim)
      return failure();
    if (dim != tiling.mDim && dim != tiling.nDim && dim != tiling.kDim)
      tiling.outerIterations *= range;
  }
  tiling.lhsContiguousK = isInnermost(tiling.kDim, lhs);
  tiling.rhsContiguousN = isInnermost(tiling.nDim, rhs);
  tiling.rhsContiguousK = isInnermost(tiling.kDim, rhs);
  tiling.outContiguousN = isInnermost(tiling.nDim, out);
  tiling.rhsElements =
      cast<ShapedType>(op.getDpsInputs()[1].getType()).getNumElements();
  Type element = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  tiling.elementBytes = element.getIntOrFloatBitWidth() / 8;
  tiling.rhsElementBytes = getElementTypeOrSelf(op.getDpsInputs()[1].getType())
                               .getIntOrFloatBitWidth() /
                           8;
  tiling.bf16 = element.isBF16();

  auto appendGroup = [&](ArrayRef<unsigned> group, unsigned tiled) {
    for (unsigned dim : group)
      if (dim != tiled)
        tiling.interchange.push_back(dim);
    tiling.interchange.push_back(tiled);
  };
  tiling.interchange.append(dims->batch.begin(), dims->batch.end());
  appendGroup(dims->m, tiling.mDim);
  appendGroup(dims->n, tiling.nDim);
  appendGroup(dims->k, tiling.kDim);
  // A dim in no group (read by one input only) is a reduction the register
  // tile does not model.
  if (tiling.interchange.size() != ranges.size())
    return failure();
  return tiling;
}

SmallVector<int64_t> ContractionTiling::tileSizes(int64_t tileM, int64_t tileN,
                                                  int64_t tileK) const {
  SmallVector<int64_t> sizes(interchange.size(), 1);
  sizes[mDim] = tileM;
  sizes[nDim] = tileN;
  sizes[kDim] = tileK;
  return sizes;
}

OpFoldResult ContractionTiling::rowCount(OpBuilder &builder,
                                         linalg::LinalgOp op) const {
  return op.createLoopRanges(builder, op.getLoc())[mDim].size;
}

double ContractionTiling::multiplyAdds() const {
  double rows = ShapedType::isDynamic(m) ? 1 : m;
  return double(outerIterations) * rows * n * k;
}

bool ContractionTiling::sumsInF32(const cost::TargetInfo &target) const {
  return bf16 || (elementBytes == 2 && !target.halfArithmetic);
}

int64_t ContractionTiling::lanes(const cost::TargetInfo &target) const {
  return target.vectorBytes / (sumsInF32(target) ? 4 : elementBytes);
}

std::optional<int64_t>
mlir::loom::rhsPackingRows(const ContractionTiling &tiling,
                           const RegisterTile &tile,
                           const cost::TargetInfo &target) {
  if (tile.alongK || tiling.rhsContiguousN || tile.n == 1)
    return std::nullopt;
  return tile.n >= tiling.lanes(target) ? 1 : tile.m + 1;
}

bool mlir::loom::packsRhs(const ContractionTiling &tiling,
                          const RegisterTile &tile,
                          const cost::TargetInfo &target) {
  std::optional<int64_t> rows = rhsPackingRows(tiling, tile, target);
  return rows && !ShapedType::isDynamic(tiling.m) && tiling.m >= *rows;
}

SmallVector<int64_t, 2> mlir::loom::splitExtents(int64_t size, int64_t tile) {
  if (ShapedType::isDynamic(size) || size % tile == 0)
    return {size};
  SmallVector<int64_t, 2> extents;
  if (size >= tile)
    extents.push_back(size / tile * tile);
  extents.push_back(size % tile);
  return extents;
}

RegisterTile mlir::loom::clipToPart(const RegisterTile &tile, int64_t m,
                                    int64_t n, int64_t k) {
  RegisterTile part{ShapedType::isDynamic(m) ? tile.m : std::min(tile.m, m),
                    std::min(tile.n, n), std::min(tile.k, k), tile.alongK};
  part.alongK = tile.alongK && part.k > 1;
  return part;
}

SmallVector<int64_t, 4> mlir::loom::dynamicRowTiles(int64_t tileM) {
  SmallVector<int64_t, 4> tiles = {tileM};
  for (int64_t rows = llvm::PowerOf2Ceil(tileM) / 2; rows >= 1; rows /= 2)
    tiles.push_back(rows);
  return tiles;
}

SmallVector<std::pair<int64_t, int64_t>, 4>
mlir::loom::splitDynamicRows(int64_t rows, int64_t tileM) {
  SmallVector<std::pair<int64_t, int64_t>, 4> parts;
  for (int64_t tileRows : dynamicRowTiles(tileM)) {
    if (rows >= tileRows)
      parts.push_back({rows / tileRows * tileRows, tileRows});
    rows %= tileRows;
  }
  return parts;
}

//===- KernelBuilders.cpp - Builders shared by the vector kernels ---------===//

#include "KernelBuilders.h"

#include "loom/Dialect/Loom/IR/LoomDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

mlir::loom::lut::KernelSchedule
mlir::loom::lut::scheduleOf(Operation *epilogue, KernelSchedule defaults) {
  auto decision =
      epilogue->getAttrOfType<DecisionAttr>(DecisionAttr::kAttrName);
  if (!decision)
    return defaults;
  std::optional<int64_t> quadFromN = decision.getIntKnob("quad_from_n");
  return {decision.getIntKnob("column_tile").value_or(defaults.columnTile),
          decision.getIntKnob("prefetch").value_or(defaults.prefetchDistance),
          quadFromN ? quadFromN : defaults.quadFromN,
          decision.getIntKnob("gemv_prefetch"),
          decision.getIntKnob("dot_from_n")};
}

mlir::loom::lut::KernelSchedule
mlir::loom::lut::KernelSchedule::serving(int64_t from,
                                         std::optional<int64_t> below) const {
  KernelSchedule schedule = *this;
  if (!gemvPrefetch)
    return schedule;
  if (below && *below <= 2)
    schedule.prefetchDistance = *gemvPrefetch;
  if (from >= 2 || (below && *below <= 2))
    schedule.gemvPrefetch.reset();
  return schedule;
}

Value mlir::loom::lut::branchOnColumns(OpBuilder &b, Location loc, Value n,
                                       int64_t bound, Type resultType,
                                       function_ref<Value(OpBuilder &)> below,
                                       function_ref<Value(OpBuilder &)> from) {
  Value isBelow = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, n,
                                        indexConst(b, loc, bound));
  auto branch = scf::IfOp::create(b, loc, resultType, isBelow,
                                  /*withElseRegion=*/true);
  OpBuilder thenBuilder = OpBuilder::atBlockBegin(branch.thenBlock());
  scf::YieldOp::create(thenBuilder, loc, below(thenBuilder));
  OpBuilder elseBuilder = OpBuilder::atBlockBegin(branch.elseBlock());
  scf::YieldOp::create(elseBuilder, loc, from(elseBuilder));
  return branch.getResult(0);
}

Value mlir::loom::lut::indexConst(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value mlir::loom::lut::splatConst(OpBuilder &b, Location loc, VectorType type,
                                  TypedAttr value) {
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, value));
}

Value mlir::loom::lut::emptyWithRows(OpBuilder &b, Location loc,
                                     RankedTensorType type, Value rows) {
  return tensor::EmptyOp::create(
      b, loc, type, type.isDynamicDim(0) ? ValueRange{rows} : ValueRange{});
}

ValueRange mlir::loom::lut::buildLoop(
    OpBuilder &b, Location loc, Value ub, ValueRange iters,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
  return scf::ForOp::create(
             b, loc, indexConst(b, loc, 0), ub, indexConst(b, loc, 1), iters,
             [&](OpBuilder &bb, Location l, Value iv, ValueRange args) {
               scf::YieldOp::create(bb, l, body(bb, iv, args));
             })
      .getResults();
}

/// A private constant memref.global holding `bytes`, 64-byte aligned, in
/// the module of `anchor`; returns its memref.
Value mlir::loom::lut::globalStream(OpBuilder &b, Location loc,
                                    Operation *anchor, ArrayRef<int8_t> bytes) {
  auto module = anchor->getParentOfType<ModuleOp>();
  auto type = MemRefType::get({int64_t(bytes.size())}, b.getI8Type());
  auto tensorType = RankedTensorType::get(type.getShape(), b.getI8Type());
  // Attributes are uniqued: the kernels built for each range of N of one
  // GEMM find their stream by identity and share its bytes.
  auto value = DenseElementsAttr::get(tensorType, bytes);
  for (auto global : module.getOps<memref::GlobalOp>())
    if (global.getInitialValueAttr() == value && global.getConstant() &&
        global.getAlignment() == 64)
      return memref::GetGlobalOp::create(b, loc, type, global.getSymName());
  // Built detached: SymbolTable::insert renames it when another kernel's
  // stream already holds the name.
  OpBuilder detached(b.getContext());
  auto global = memref::GlobalOp::create(
      detached, loc, b.getStringAttr("__loom_lut_stream"),
      b.getStringAttr("private"), TypeAttr::get(type), value, b.getUnitAttr(),
      b.getI64IntegerAttr(64));
  SymbolTable(module).insert(global, module.getBody()->begin());
  return memref::GetGlobalOp::create(b, loc, type, global.getSymName());
}

Value mlir::loom::lut::forEachRowBlock(
    OpBuilder &b, Location loc, Value y, int64_t m, int64_t rowsPerBlock,
    OpFoldResult colStart, OpFoldResult colCount,
    function_ref<Value(OpBuilder &, Value, Value)> body) {
  int64_t blocks = llvm::divideCeil(m, rowsPerBlock);
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(blocks)}, ValueRange{y},
      std::nullopt);
  OpBuilder fb(forall.getTerminator());
  Value block = forall.getInductionVar(0),
        shared = forall.getRegionIterArgs()[0];
  Value first =
      arith::MulIOp::create(fb, loc, block, indexConst(fb, loc, rowsPerBlock));
  OpFoldResult rows = fb.getIndexAttr(rowsPerBlock);
  if (m % rowsPerBlock != 0)
    rows = arith::MinSIOp::create(
               fb, loc, indexConst(fb, loc, rowsPerBlock),
               arith::SubIOp::create(fb, loc, indexConst(fb, loc, m), first))
               .getResult();
  SmallVector<OpFoldResult> offsets = {colStart, first},
                            sizes = {colCount, rows},
                            strides = {fb.getIndexAttr(1), fb.getIndexAttr(1)};
  Value slice =
      tensor::ExtractSliceOp::create(fb, loc, shared, offsets, sizes, strides);
  slice = body(fb, block, slice);
  fb.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(fb, loc, slice, shared, offsets, sizes,
                                        strides);
  return forall.getResult(0);
}

Value mlir::loom::lut::forEachColumnTile(
    OpBuilder &b, Location loc, Value count, int64_t tile, Value slice,
    function_ref<Value(OpBuilder &, ArrayRef<Value>, Value)> body) {
  // Tiles of `size` columns from `start` while whole ones fit; returns the
  // first column left.
  auto tilesFrom = [&](int64_t size, Value start) -> Value {
    Value sizeValue = indexConst(b, loc, size);
    Value tiles = arith::DivUIOp::create(
        b, loc, arith::SubIOp::create(b, loc, count, start), sizeValue);
    slice = buildLoop(
        b, loc, tiles, {slice},
        [&](OpBuilder &nb, Value t, ValueRange out) -> SmallVector<Value> {
          Value first = arith::AddIOp::create(
              nb, loc, start, arith::MulIOp::create(nb, loc, t, sizeValue));
          SmallVector<Value> cols;
          for (int64_t c = 0; c < size; ++c)
            cols.push_back(
                arith::AddIOp::create(nb, loc, first, indexConst(nb, loc, c)));
          return {body(nb, cols, out[0])};
        })[0];
    return arith::AddIOp::create(
        b, loc, start, arith::MulIOp::create(b, loc, tiles, sizeValue));
  };
  Value covered = tilesFrom(tile, indexConst(b, loc, 0));
  // The rest (< tile columns) in at most one tile of each smaller power of
  // two, so that a few columns still share their loads: N = 2 with tiles
  // of 4 streams the weight once, not twice.
  for (int64_t size = llvm::PowerOf2Ceil(tile) / 2; size >= 1; size /= 2)
    covered = tilesFrom(size, covered);
  return slice;
}

void mlir::loom::lut::prefetchStream(OpBuilder &b, Location loc, Value stream,
                                     Value offset, int64_t streamBytes) {
  Value clamped = arith::MinSIOp::create(
      b, loc, offset,
      indexConst(b, loc, std::max<int64_t>(0, streamBytes - 64)));
  memref::PrefetchOp::create(b, loc, stream, ValueRange{clamped},
                             b.getBoolAttr(false), b.getI32IntegerAttr(3),
                             b.getBoolAttr(true));
}

Value mlir::loom::lut::storeTileRows(OpBuilder &b, Location loc,
                                     ValueRange vectors, ArrayRef<Value> cols,
                                     Value result, bool masked) {
  Type outElt = cast<RankedTensorType>(result.getType()).getElementType();
  int64_t perColumn = vectors.size() / cols.size();
  for (auto [c, col] : llvm::enumerate(cols))
    for (int64_t v = 0; v < perColumn; ++v) {
      Value value = vectors[c * perColumn + v];
      auto type = cast<VectorType>(value.getType());
      if (type.getElementType() != outElt)
        value = arith::TruncFOp::create(b, loc, type.clone(outElt), value);
      result = vector::TransferWriteOp::create(
                   b, loc, value, result,
                   ValueRange{col, indexConst(b, loc, v * type.getDimSize(0))},
                   ArrayRef<bool>{!masked})
                   .getResult();
    }
  return result;
}

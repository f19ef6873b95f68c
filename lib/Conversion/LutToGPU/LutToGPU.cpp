//===- LutToGPU.cpp - The convert-lut-to-gpu pass -------------------------===//
//
// Each supported lut.mpgemm becomes one kernel launch over host buffers: the
// activations, the weight folded into plane words (constants) and the
// result. loom-gpu-device-copies stages them through device memory after
// bufferization, whose deallocation would refuse gpu.alloc / gpu.dealloc.
//
//===----------------------------------------------------------------------===//

#include "LookupKernel.h"

#include <algorithm>

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTLUTTOGPU
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

namespace {

/// Why `op` cannot run on the GPU kernel, or "" when it can.
std::string unsupportedReason(MpGemmOp op, PackOp pack) {
  PackedType type = op.getWeight().getType();
  int64_t segment = type.getQuant().getGroupSizeFor(type.getK());
  if (op.hasIntActivations())
    return "int8 activations";
  if (!pack)
    return "a weight that is not a lut.pack of constants";
  if (segment % 4 != 0 && segment != type.getK())
    return "scale groups of " + std::to_string(segment) +
           " K, which split lookup groups of 4";
  return "";
}

/// A constant 1-D tensor of `values` as a read-only buffer.
template <typename T>
Value constantBuffer(ImplicitLocOpBuilder &b, Type element,
                     ArrayRef<T> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, element);
  Value tensor =
      arith::ConstantOp::create(b, DenseElementsAttr::get(type, values));
  auto buffer = bufferization::ToBufferOp::create(
      b, MemRefType::get(type.getShape(), element), tensor, /*readOnly=*/true);
  return buffer;
}

struct ConvertLutToGPUPass
    : loom::impl::ConvertLutToGPUBase<ConvertLutToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockRows <= 0 || blockRows % 32 != 0 || kChunk <= 0 ||
        kChunk % kWordK != 0 || (4 * kChunk) % blockRows != 0 ||
        blockColumns < 1 || blockColumns > 16) {
      getOperation().emitError()
          << "convert-lut-to-gpu: block-rows must be a positive multiple of "
             "32, k-chunk a positive multiple of 32, 4 * k-chunk a "
             "multiple of block-rows and block-columns in [1, 16] (got "
             "block-rows="
          << int64_t(blockRows) << ", k-chunk=" << int64_t(kChunk)
          << ", block-columns=" << int64_t(blockColumns) << ")";
      return signalPassFailure();
    }
    SmallVector<MpGemmOp> gemms;
    getOperation().walk([&](MpGemmOp op) { gemms.push_back(op); });
    for (MpGemmOp op : gemms)
      if (failed(lower(op)))
        return signalPassFailure();
  }

  LogicalResult lower(MpGemmOp op) {
    auto pack = op.getWeight().getDefiningOp<PackOp>();
    std::string reason = unsupportedReason(op, pack);
    PackedType type = op.getWeight().getType();
    QuantAttr quant = type.getQuant();
    int64_t segment = quant.getGroupSizeFor(type.getK());
    FailureOr<PlaneWords> folded =
        reason.empty() ? foldPlaneWords(pack, segment, blockRows, kChunk)
                       : FailureOr<PlaneWords>(failure());
    if (reason.empty() && failed(folded))
      reason = "a weight that is not a lut.pack of constants";
    if (!reason.empty())
      return op.emitOpError("has no GPU lowering for ") << reason;

    ImplicitLocOpBuilder b(op.getLoc(), op);
    // Split-K: about `target-blocks` blocks at one token; f32 results
    // only (the splits add atomically).
    int64_t chunks = folded->words * kWordK / kChunk;
    int64_t rowBlocks = folded->paddedRows / blockRows;
    int64_t splits = 1;
    if (cast<RankedTensorType>(op.getType()).getElementType().isF32())
      splits = std::clamp<int64_t>(llvm::divideCeil(targetBlocks, rowBlocks), 1,
                                   chunks);
    int64_t chunksPerSplit = llvm::divideCeil(chunks, splits);
    splits = llvm::divideCeil(chunks, chunksPerSplit);
    LookupKernel kernel{type.getM(),
                        type.getK(),
                        blockRows,
                        kChunk,
                        /*columns=*/1,
                        splits,
                        chunksPerSplit,
                        *folded,
                        /*planeWeights=*/{},
                        quant.getPlaneOffset(),
                        /*x=*/{},
                        /*words=*/{},
                        /*scale=*/{},
                        /*offset=*/{},
                        /*y=*/{}};
    double kappa = quant.getEncoding() == Encoding::Binary ? 1.0 : 0.5;
    for (unsigned p = 0; p < folded->planes; ++p)
      kernel.planeWeights.push_back(kappa * quant.getPlaneWeight(p));

    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getResult().getType());
    Value xHost = bufferization::ToBufferOp::create(
        b, MemRefType::get(xType.getShape(), xType.getElementType()), op.getX(),
        /*readOnly=*/true);
    Value n = memref::DimOp::create(b, xHost, 0);
    SmallVector<Value> dynamicN;
    if (xType.isDynamicDim(0))
      dynamicN.push_back(n);
    auto yBuffer = MemRefType::get(yType.getShape(), yType.getElementType());
    Value yHost = memref::AllocOp::create(b, yBuffer, dynamicN);
    if (splits > 1)
      linalg::FillOp::create(b,
                             ValueRange{arith::ConstantFloatOp::create(
                                 b, b.getF32Type(), APFloat(0.0f))},
                             ValueRange{yHost});
    kernel.x = xHost;
    kernel.words = constantBuffer<int32_t>(b, b.getI32Type(), folded->words32);
    kernel.scale = constantBuffer<float>(b, b.getF32Type(), folded->scale);
    kernel.offset = folded->hasOffset ? constantBuffer<float>(b, b.getF32Type(),
                                                              folded->offset)
                                      : Value();
    kernel.y = yHost;

    // Decode (N below block-columns): a block per token. Larger N: a block
    // per block-columns tokens, each weight word read once for all of them.
    auto emit = [&](int64_t columns) {
      LookupKernel tiled = kernel;
      tiled.columns = columns;
      if (interpret)
        emitInterpreted(b, tiled, n);
      else
        emitLaunch(b, tiled, n);
    };
    if (blockColumns == 1) {
      emit(1);
    } else {
      Value few = arith::CmpIOp::create(
          b, arith::CmpIPredicate::slt, n,
          arith::ConstantIndexOp::create(b, blockColumns));
      auto choice = scf::IfOp::create(b, few, /*withElseRegion=*/true);
      OpBuilder::InsertionGuard restore(b);
      b.setInsertionPointToStart(&choice.getThenRegion().front());
      emit(1);
      b.setInsertionPointToStart(&choice.getElseRegion().front());
      emit(blockColumns);
    }
    Value result = bufferization::ToTensorOp::create(
        b, yType, yHost, /*restrict=*/true, /*writable=*/true);
    op.replaceAllUsesWith(result);
    op.erase();
    if (pack && pack->use_empty())
      pack->erase();
    return success();
  }

  /// The K range [begin, end) of split `split`.
  static std::pair<Value, Value>
  splitRange(ImplicitLocOpBuilder &b, const LookupKernel &kernel, Value split) {
    Value span = arith::ConstantIndexOp::create(b, kernel.chunksPerSplit *
                                                       kernel.kChunk);
    Value begin = arith::MulIOp::create(b, split, span);
    Value end = arith::MinUIOp::create(
        b, arith::AddIOp::create(b, begin, span),
        arith::ConstantIndexOp::create(b, kernel.weight.words * kWordK));
    return {begin, end};
  }

  /// The kernel over a grid of (row blocks, column blocks, K splits) blocks of
  /// block-rows threads, its tables in workgroup memory; no launch when N
  /// is 0.
  void emitLaunch(ImplicitLocOpBuilder &b, const LookupKernel &kernel,
                  Value n) {
    Value c0 = arith::ConstantIndexOp::create(b, 0);
    Value c1 = arith::ConstantIndexOp::create(b, 1);
    Value any = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, n, c0);
    auto guard = scf::IfOp::create(b, any, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard restore(b);
    b.setInsertionPointToStart(&guard.getThenRegion().front());
    auto workgroup = gpu::AddressSpaceAttr::get(
        b.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
    auto tablesType = MemRefType::get({kernel.tableEntries()}, b.getF32Type(),
                                      MemRefLayoutAttrInterface(), workgroup);
    Value rowBlocks = arith::ConstantIndexOp::create(
        b, kernel.weight.paddedRows / kernel.blockRows);
    Value columns = arith::ConstantIndexOp::create(b, kernel.columns);
    Value columnBlocks = arith::CeilDivUIOp::create(b, n, columns);
    Value threads = arith::ConstantIndexOp::create(b, kernel.blockRows);
    Value splits = arith::ConstantIndexOp::create(b, kernel.splits);
    auto launch = gpu::LaunchOp::create(
        b, rowBlocks, columnBlocks, splits, threads, c1, c1,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        ValueRange{}, TypeRange{tablesType});
    b.setInsertionPointToStart(&launch.getBody().front());
    Value tables = launch.getWorkgroupAttributions().front();
    Value thread = launch.getThreadIds().x;
    Value firstColumn =
        arith::MulIOp::create(b, launch.getBlockIds().y, columns);
    Value row = arith::AddIOp::create(
        b, arith::MulIOp::create(b, launch.getBlockIds().x, threads), thread);
    Value zero =
        arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(0.0f));
    auto [begin, end] = splitRange(b, kernel, launch.getBlockIds().z);
    auto chunks = scf::ForOp::create(
        b, begin, end, arith::ConstantIndexOp::create(b, kernel.kChunk),
        SmallVector<Value>(kernel.columns, zero));
    b.setInsertionPointToStart(chunks.getBody());
    Value chunk = chunks.getInductionVar();
    kernel.buildTables(b, tables, thread, firstColumn, chunk);
    gpu::BarrierOp::create(b);
    SmallVector<Value> accs =
        kernel.lookupChunk(b, tables, row, chunk, chunks.getRegionIterArgs());
    // The next chunk's tables overwrite these.
    gpu::BarrierOp::create(b);
    scf::YieldOp::create(b, accs);
    b.setInsertionPointAfter(chunks);
    kernel.storeRow(b, row, firstColumn, chunks.getResults());
    gpu::TerminatorOp::create(b);
  }

  /// The same kernel with its blocks and the threads of each phase as
  /// loops; the threads' accumulators live in a buffer across the phases a
  /// barrier separates on the GPU.
  void emitInterpreted(ImplicitLocOpBuilder &b, const LookupKernel &kernel,
                       Value n) {
    OpBuilder::InsertionGuard restore(b);
    Value c0 = arith::ConstantIndexOp::create(b, 0);
    Value c1 = arith::ConstantIndexOp::create(b, 1);
    Value rows = arith::ConstantIndexOp::create(b, kernel.blockRows);
    int64_t columns = kernel.columns;
    auto threadLoop = [&](function_ref<void(Value)> body) {
      auto loop = scf::ForOp::create(b, c0, rows, c1);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      body(loop.getInductionVar());
    };
    // Thread t's accumulator of column c at t * columns + c.
    auto accIndex = [&](Value t, int64_t c) -> Value {
      return arith::AddIOp::create(
          b,
          arith::MulIOp::create(b, t,
                                arith::ConstantIndexOp::create(b, columns)),
          arith::ConstantIndexOp::create(b, c));
    };
    auto blocks =
        scf::ForOp::create(b, c0,
                           arith::ConstantIndexOp::create(
                               b, kernel.weight.paddedRows / kernel.blockRows),
                           c1);
    b.setInsertionPointToStart(blocks.getBody());
    auto splits = scf::ForOp::create(
        b, c0, arith::ConstantIndexOp::create(b, kernel.splits), c1);
    b.setInsertionPointToStart(splits.getBody());
    auto columnBlocks = scf::ForOp::create(
        b, c0, n, arith::ConstantIndexOp::create(b, columns));
    b.setInsertionPointToStart(columnBlocks.getBody());
    Value firstColumn = columnBlocks.getInductionVar();
    Value firstRow = arith::MulIOp::create(b, blocks.getInductionVar(), rows);
    Value tables = memref::AllocaOp::create(
        b, MemRefType::get({kernel.tableEntries()}, b.getF32Type()));
    Value accs = memref::AllocaOp::create(
        b, MemRefType::get({kernel.blockRows * columns}, b.getF32Type()));
    Value zero =
        arith::ConstantFloatOp::create(b, b.getF32Type(), APFloat(0.0f));
    threadLoop([&](Value t) {
      for (int64_t c = 0; c < columns; ++c)
        memref::StoreOp::create(b, zero, accs, accIndex(t, c));
    });
    auto [begin, end] = splitRange(b, kernel, splits.getInductionVar());
    auto chunks = scf::ForOp::create(
        b, begin, end, arith::ConstantIndexOp::create(b, kernel.kChunk));
    auto loadAccs = [&](Value t) {
      SmallVector<Value> values;
      for (int64_t c = 0; c < columns; ++c)
        values.push_back(memref::LoadOp::create(b, accs, accIndex(t, c)));
      return values;
    };
    {
      OpBuilder::InsertionGuard inChunk(b);
      b.setInsertionPointToStart(chunks.getBody());
      Value chunk = chunks.getInductionVar();
      threadLoop([&](Value t) {
        kernel.buildTables(b, tables, t, firstColumn, chunk);
      });
      threadLoop([&](Value t) {
        Value row = arith::AddIOp::create(b, firstRow, t);
        SmallVector<Value> sums =
            kernel.lookupChunk(b, tables, row, chunk, loadAccs(t));
        for (int64_t c = 0; c < columns; ++c)
          memref::StoreOp::create(b, sums[c], accs, accIndex(t, c));
      });
    }
    threadLoop([&](Value t) {
      kernel.storeRow(b, arith::AddIOp::create(b, firstRow, t), firstColumn,
                      loadAccs(t));
    });
  }
};

} // namespace

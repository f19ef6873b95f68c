//===- LutToGPU.cpp - The convert-lut-to-gpu pass -------------------------===//
//
// Each supported lut.mpgemm becomes kernel launches over host buffers (the
// activations, the weight folded into plane words and its coefficient
// tables, the result): a decode kernel and an eight-token one, chosen on N.
// loom-gpu-device-copies stages the buffers through device memory after
// bufferization, whose deallocation would refuse gpu.alloc / gpu.dealloc.
//
//===----------------------------------------------------------------------===//

#include "LookupKernel.h"

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <algorithm>

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTLUTTOGPU
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::lut;

namespace {

constexpr int64_t kStaticSharedBytes = 48 * 1024;

/// K elements per segment (one weight scale, and with int8 activations one
/// activation scale), or none when the GPU kernel cannot serve `op`;
/// `reason` then says why.
std::optional<int64_t> kernelSegment(MpGemmOp op, PackOp pack,
                                     std::string &reason) {
  PackedType type = op.getWeight().getType();
  if (!pack) {
    reason = "a weight that is not a lut.pack of constants";
    return std::nullopt;
  }
  std::optional<int64_t> segment =
      op.hasIntActivations()
          ? op.getLookupSegment()
          : std::optional(type.getQuant().getGroupSizeFor(type.getK()));
  if (!segment) {
    reason = "activation scale blocks that do not align with the weight's "
             "scale groups";
    return std::nullopt;
  }
  if (*segment % 4 != 0 && *segment != type.getK()) {
    reason = "scale groups of " + std::to_string(*segment) +
             " K, which split lookup groups of 4";
    return std::nullopt;
  }
  return segment;
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
    // A block's tables are static shared memory: 48 KiB at most.
    int64_t tableBytes = 4 * kChunk * blockColumns * 4;
    if (tableBytes > kStaticSharedBytes) {
      getOperation().emitError()
          << "convert-lut-to-gpu: the tables of k-chunk=" << int64_t(kChunk)
          << " and block-columns=" << int64_t(blockColumns) << " take "
          << tableBytes << " bytes of shared memory, more than the "
          << kStaticSharedBytes << " a block can have statically";
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
    std::string reason;
    std::optional<int64_t> segment = kernelSegment(op, pack, reason);
    PackedType type = op.getWeight().getType();
    QuantAttr quant = type.getQuant();
    FailureOr<PlaneWords> folded =
        segment ? foldPlaneWords(pack, *segment, blockRows, kChunk)
                : FailureOr<PlaneWords>(failure());
    if (segment && failed(folded))
      reason = "a weight that is not a lut.pack of constants";
    if (!reason.empty())
      return op.emitOpError("has no GPU lowering for ") << reason;

    ImplicitLocOpBuilder b(op.getLoc(), op);
    bool exact = op.hasIntActivations();
    // Split-K: about `target-blocks` blocks at one token; f32 results
    // only (the splits add atomically) and not in the exact contract
    // (a segment's sum must not be cut).
    int64_t chunks = folded->words * kWordK / kChunk;
    int64_t rowBlocks = folded->paddedRows / blockRows;
    int64_t splits = 1;
    if (!exact && cast<RankedTensorType>(op.getType()).getElementType().isF32())
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
    // Every layout lowers from its codes' bit planes, trit3 included.
    for (unsigned p = 0; p < folded->planes; ++p)
      kernel.planeWeights.push_back(quant.getPlaneKappa() *
                                    quant.getPlaneWeight(p));

    // act_quant: int8 activations first, on the host (the reference
    // lowering of lut.quantize_activations).
    Value x = op.getX(), xScale = op.getXScale();
    auto xType = cast<RankedTensorType>(x.getType());
    if (ActQuantAttr actQuant = op.getActQuantAttr()) {
      SmallVector<int64_t> scaleShape = {xType.getDimSize(0)};
      if (actQuant.getBlock() > 0)
        scaleShape.push_back(type.getK() / actQuant.getBlock());
      auto quantized = QuantizeActivationsOp::create(
          b, RankedTensorType::get(xType.getShape(), b.getI8Type()),
          RankedTensorType::get(scaleShape, b.getF32Type()), x,
          actQuant.getBlock());
      x = quantized.getQuantized();
      xScale = quantized.getScale();
      xType = cast<RankedTensorType>(x.getType());
    }
    auto yType = cast<RankedTensorType>(op.getResult().getType());
    auto asBuffer = [&](Value tensor) -> Value {
      auto tensorType = cast<RankedTensorType>(tensor.getType());
      return bufferization::ToBufferOp::create(
          b,
          MemRefType::get(tensorType.getShape(), tensorType.getElementType()),
          tensor, /*readOnly=*/true);
    };
    Value xHost = asBuffer(x);
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
    kernel.y = yHost;
    // Exact with zero points: they enter the integer sums, and the offset
    // table (-s * z) is not needed.
    bool integerZeroPoints = exact && !folded->zeroPoint.empty();
    if (folded->hasOffset && !integerZeroPoints)
      kernel.offset = constantBuffer<float>(b, b.getF32Type(), folded->offset);
    if (exact) {
      kernel.exact = true;
      kernel.xScale = asBuffer(xScale);
      auto scaleType = cast<RankedTensorType>(xScale.getType());
      kernel.xScaleBlock = scaleType.getRank() == 2
                               ? type.getK() / scaleType.getDimSize(1)
                               : type.getK();
      if (integerZeroPoints)
        kernel.zeroPoints =
            constantBuffer<int32_t>(b, b.getI32Type(), folded->zeroPoint);
    }

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
    auto tablesType =
        MemRefType::get({kernel.tableEntries()}, kernel.tableType(b),
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
    auto [begin, end] = splitRange(b, kernel, launch.getBlockIds().z);
    auto chunks = scf::ForOp::create(
        b, begin, end, arith::ConstantIndexOp::create(b, kernel.kChunk),
        kernel.initialState(b));
    b.setInsertionPointToStart(chunks.getBody());
    Value chunk = chunks.getInductionVar();
    kernel.buildTables(b, tables, thread, firstColumn, chunk);
    gpu::BarrierOp::create(b);
    SmallVector<Value> state = kernel.lookupChunk(
        b, tables, row, firstColumn, chunk, chunks.getRegionIterArgs());
    // The next chunk's tables overwrite these.
    gpu::BarrierOp::create(b);
    scf::YieldOp::create(b, state);
    b.setInsertionPointAfter(chunks);
    kernel.storeRow(b, row, firstColumn, chunks.getResults());
    gpu::TerminatorOp::create(b);
  }

  /// The same kernel with its blocks and the threads of each phase as
  /// loops; each thread's state lives in buffers across the phases a
  /// barrier separates on the GPU.
  void emitInterpreted(ImplicitLocOpBuilder &b, const LookupKernel &kernel,
                       Value n) {
    OpBuilder::InsertionGuard restore(b);
    Value c0 = arith::ConstantIndexOp::create(b, 0);
    Value c1 = arith::ConstantIndexOp::create(b, 1);
    Value rows = arith::ConstantIndexOp::create(b, kernel.blockRows);
    auto threadLoop = [&](function_ref<void(Value)> body) {
      auto loop = scf::ForOp::create(b, c0, rows, c1);
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(loop.getBody());
      body(loop.getInductionVar());
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
        b, c0, n, arith::ConstantIndexOp::create(b, kernel.columns));
    b.setInsertionPointToStart(columnBlocks.getBody());
    Value firstColumn = columnBlocks.getInductionVar();
    Value firstRow = arith::MulIOp::create(b, blocks.getInductionVar(), rows);
    Value tables = memref::AllocaOp::create(
        b, MemRefType::get({kernel.tableEntries()}, kernel.tableType(b)));
    // One buffer per state value, indexed by thread.
    SmallVector<Value> stateBuffers;
    for (Type type : kernel.stateTypes(b))
      stateBuffers.push_back(memref::AllocaOp::create(
          b, MemRefType::get({kernel.blockRows}, type)));
    auto loadState = [&](Value t) {
      SmallVector<Value> values;
      for (Value buffer : stateBuffers)
        values.push_back(memref::LoadOp::create(b, buffer, t));
      return values;
    };
    auto storeState = [&](ValueRange values, Value t) {
      for (auto [value, buffer] : llvm::zip_equal(values, stateBuffers))
        memref::StoreOp::create(b, value, buffer, t);
    };
    threadLoop([&](Value t) { storeState(kernel.initialState(b), t); });
    auto [begin, end] = splitRange(b, kernel, splits.getInductionVar());
    auto chunks = scf::ForOp::create(
        b, begin, end, arith::ConstantIndexOp::create(b, kernel.kChunk));
    {
      OpBuilder::InsertionGuard inChunk(b);
      b.setInsertionPointToStart(chunks.getBody());
      Value chunk = chunks.getInductionVar();
      threadLoop([&](Value t) {
        kernel.buildTables(b, tables, t, firstColumn, chunk);
      });
      threadLoop([&](Value t) {
        Value row = arith::AddIOp::create(b, firstRow, t);
        storeState(kernel.lookupChunk(b, tables, row, firstColumn, chunk,
                                      loadState(t)),
                   t);
      });
    }
    threadLoop([&](Value t) {
      kernel.storeRow(b, arith::AddIOp::create(b, firstRow, t), firstColumn,
                      loadState(t));
    });
  }
};

} // namespace

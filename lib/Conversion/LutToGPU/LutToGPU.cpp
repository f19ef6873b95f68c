//===- LutToGPU.cpp - The convert-lut-to-gpu pass -------------------------===//
//
// Each supported lut.mpgemm becomes kernel launches over host buffers (the
// activations, the weight folded into plane words and its coefficient
// tables, the result): a one-token and an eight-token lookup kernel, chosen
// on N, and from a crossover N on the grouped GEMM kernel, which decodes the
// weight slices it stages.
// loom-gpu-device-copies stages the buffers through device memory after
// bufferization, whose deallocation would refuse gpu.alloc / gpu.dealloc.
//
//===----------------------------------------------------------------------===//

#include "LookupKernel.h"

#include "loom/Conversion/BlockKernel.h"
#include "loom/Conversion/GroupedGemmKernel.h"
#include "loom/Conversion/HostBuffers.h"
#include "loom/Conversion/KernelOps.h"
#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/IR/LutOps.h"

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

/// The roofline of the choice between the lookups and the GEMM that
/// decodes its weight slices, with an H200's figures (no GPU has measured
/// them for Loom yet; costmodel.md §8: GPU decisions use the roofline until
/// it has): shared-memory table loads (132 SMs x 32 lanes x 1.98 GHz);
/// sustained GEMM rates of TF32 mma.sync and of fp32 FMA, and the latter's
/// instruction rate for the decoding.
constexpr double kLookupsPerSecond = 8.4e12, kTensorFlops = 3e14,
                 kSimtFlops = 6e13, kSimtInstructionsPerSecond = kSimtFlops / 2;
/// The largest N the crossover looks at: past it, costs per token no
/// longer change.
constexpr int64_t kLargestCrossover = 4096;

/// The N from which the decoding GEMM beats the lookups at every larger N
/// (0: never). Each of its row blocks decodes the whole weight, about 5
/// instructions per plane and 10 more per weight; each token then costs
/// 2 M K flops against M K / 4 lookups per plane.
int64_t dequantizeCrossover(int64_t m, int64_t k, int64_t planes,
                            bool tensorCores, int64_t atLeast) {
  double weights = double(m) * k;
  double lookupsPerToken = weights / 4 * planes / kLookupsPerSecond;
  double gemmPerToken = 2 * weights / (tensorCores ? kTensorFlops : kSimtFlops);
  double decodePerBlock =
      weights * (5 * planes + 10) / kSimtInstructionsPerSecond;
  auto gemmWins = [&](int64_t n) {
    int64_t blocks =
        llvm::divideCeil(n, moe::groupedGemmBlockRows(n, /*experts=*/1));
    return blocks * decodePerBlock + n * gemmPerToken < n * lookupsPerToken;
  };
  if (!gemmWins(kLargestCrossover))
    return 0;
  int64_t from = kLargestCrossover;
  while (from > atLeast && gemmWins(from - 1))
    --from;
  return from;
}

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
  return readBuffer(b, tensor);
}

struct ConvertLutToGPUPass
    : loom::impl::ConvertLutToGPUBase<ConvertLutToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (dequantizeFromN < -1) {
      emitError(getOperation().getLoc())
          << "convert-lut-to-gpu: dequantize-from-n must be -1 (the "
             "roofline's crossover), 0 (never) or an N, got "
          << int64_t(dequantizeFromN);
      return signalPassFailure();
    }
    if (failed(moe::checkFillBlocks(getOperation(), "convert-lut-to-gpu",
                                    fillBlocks)))
      return signalPassFailure();
    if (blockRows <= 0 || blockRows % 32 != 0 || kChunk <= 0 ||
        kChunk % kWordK != 0 || (4 * kChunk) % blockRows != 0 ||
        blockColumns < 1 || blockColumns > 16 || rowsPerThread < 1 ||
        rowsPerThread > 8) {
      emitError(getOperation().getLoc())
          << "convert-lut-to-gpu: block-rows must be a positive multiple of "
             "32, k-chunk a positive multiple of 32, 4 * k-chunk a "
             "multiple of block-rows, block-columns in [1, 16] and "
             "rows-per-thread in [1, 8] (got block-rows="
          << int64_t(blockRows) << ", k-chunk=" << int64_t(kChunk)
          << ", block-columns=" << int64_t(blockColumns)
          << ", rows-per-thread=" << int64_t(rowsPerThread) << ")";
      return signalPassFailure();
    }
    // A block's tables are static shared memory: 48 KiB at most.
    int64_t tableBytes = 4 * kChunk * blockColumns * 4;
    if (tableBytes > kStaticSharedBytes) {
      emitError(getOperation().getLoc())
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
    // Elongated along M as far as M fills it: GEMMs of fewer rows would
    // only pad more.
    int64_t rows =
        std::clamp<int64_t>(type.getM() / blockRows, 1, rowsPerThread);
    FailureOr<PlaneWords> folded =
        segment ? foldPlaneWords(pack, *segment, blockRows * rows, kChunk)
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
    int64_t rowBlocks = folded->paddedRows / (blockRows * rows);
    int64_t splits = 1;
    if (!exact && cast<RankedTensorType>(op.getType()).getElementType().isF32())
      splits = std::clamp<int64_t>(llvm::divideCeil(targetBlocks, rowBlocks), 1,
                                   chunks);
    int64_t chunksPerSplit = llvm::divideCeil(chunks, splits);
    splits = llvm::divideCeil(chunks, chunksPerSplit);
    LookupKernel kernel{type.getM(),
                        type.getK(),
                        blockRows,
                        rows,
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
    Value xHost = readBuffer(b, x);
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
      kernel.xScale = readBuffer(b, xScale);
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
    auto emitFor = [&](int64_t columns) {
      LookupKernel tiled = kernel;
      tiled.columns = columns;
      emit(b, tiled, n);
    };
    auto lookups = [&] {
      if (blockColumns == 1)
        return emitFor(1);
      gpu_kernels::branch(
          b,
          arith::CmpIOp::create(
              b, arith::CmpIPredicate::slt, n,
              arith::ConstantIndexOp::create(b, blockColumns)),
          [&] { emitFor(1); }, [&] { emitFor(blockColumns); });
    };
    int64_t dequantizeFrom =
        exact ? 0
        : dequantizeFromN >= 0
            ? dequantizeFromN
            : dequantizeCrossover(type.getM(), type.getK(), folded->planes,
                                  tensorCores, blockColumns);
    if (remarks)
      remarkChoices(op, kernel, dequantizeFrom);
    if (dequantizeFrom == 0)
      lookups();
    else
      gpu_kernels::branch(
          b,
          arith::CmpIOp::create(
              b, arith::CmpIPredicate::sge, n,
              arith::ConstantIndexOp::create(b, dequantizeFrom)),
          [&] { emitDequantizedGemm(b, kernel, n, dequantizeFrom); }, lookups);
    op.replaceAllUsesWith(asTensor(b, yType, yHost));
    op.erase();
    if (pack && pack->use_empty())
      pack->erase();
    return success();
  }

  /// The kernel choices made for `op` and what made them: fixed options
  /// and the roofline's crossover, since no GPU has measured a model for
  /// this target class (costmodel.md §8).
  void remarkChoices(MpGemmOp op, const LookupKernel &kernel,
                     int64_t dequantizeFrom) {
    InFlightDiagnostic remark = op.emitRemark("convert-lut-to-gpu: lookups of ")
                                << kernel.blockSpan() << " rows per block ("
                                << kernel.rowsPerThread
                                << " per thread), a token per block";
    if (blockColumns > 1)
      remark << " below N = " << int64_t(blockColumns) << " and "
             << int64_t(blockColumns) << " from there";
    if (kernel.splits > 1)
      remark << ", K split " << kernel.splits << " ways at one token";
    if (kernel.exact)
      remark << "; int8 activations keep the lookups at every N (exact)";
    else if (dequantizeFrom == 0)
      remark << "; the lookups at every N ("
             << (dequantizeFromN == 0 ? "dequantize-from-n=0"
                                      : "the roofline's crossover: never")
             << ")";
    else
      remark << "; from N = " << dequantizeFrom
             << " the GEMM that decodes its weight slices, on "
             << (tensorCores ? "TF32 tensor cores" : "fp32 FMA") << " ("
             << (dequantizeFromN > 0 ? "dequantize-from-n"
                                     : "the roofline's crossover")
             << ")";
    remark << ". No GPU class has a learned model until a GPU has measured "
              "one: options and the roofline (an H200's figures) decide";
  }

  /// Y through the grouped GEMM kernel over one segment of all N rows,
  /// which decodes each weight slice it stages from the plane words: the
  /// weight is read packed, and no dense copy of it is ever written.
  void emitDequantizedGemm(ImplicitLocOpBuilder &b, const LookupKernel &kernel,
                           Value n, int64_t leastN) {
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    // One segment of the N rows: offsets [0, N], counts [N].
    Value offsets =
        memref::AllocOp::create(b, MemRefType::get({2}, b.getI32Type()));
    Value counts =
        memref::AllocOp::create(b, MemRefType::get({1}, b.getI32Type()));
    Value rows = arith::IndexCastOp::create(b, b.getI32Type(), n);
    memref::StoreOp::create(b,
                            arith::ConstantIntOp::create(b, b.getI32Type(), 0),
                            offsets, ValueRange{index(0)});
    memref::StoreOp::create(b, rows, offsets, ValueRange{index(1)});
    memref::StoreOp::create(b, rows, counts, ValueRange{index(0)});
    moe::GroupedGemmKernel gemm{
        /*experts=*/1,
        kernel.m,
        kernel.k,
        kernel.m,
        moe::Activation::None,
        kernel.x,
        /*weights=*/{},
        offsets,
        counts,
        /*bias=*/{},
        /*rowScale=*/{},
        /*gather=*/{},
        kernel.y,
        tensorCores,
        fillBlocks,
        /*leastRows=*/leastN,
        [&](ImplicitLocOpBuilder &b, Value row, Value k) {
          return kernel.decodeWeight(b, row, k);
        }};
    moe::emitGroupedGemmKernel(b, gemm, interpret);
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

  /// The kernel over a grid of (row blocks, column blocks, K splits) blocks
  /// of block-rows threads, its tables in workgroup memory and each
  /// thread's sums in its own arrays across the chunks; or the same as
  /// host loops (`interpret`). No launch when N is 0.
  void emit(ImplicitLocOpBuilder &b, const LookupKernel &kernel, Value n) {
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, v);
    };
    Value columns = index(kernel.columns);
    int64_t rows = kernel.rowsPerThread;
    BlockKernelSpec spec{index(kernel.weight.paddedRows / kernel.blockSpan()),
                         arith::CeilDivUIOp::create(b, n, columns),
                         index(kernel.splits),
                         kernel.blockRows,
                         {{kernel.tableType(b), kernel.tableEntries()}},
                         {},
                         interpret};
    // One array per state value (their types differ), of one element per
    // row of the thread.
    for (Type type : kernel.stateTypes(b))
      spec.local.push_back({type, rows});
    BlockKernel::emit(b, spec, [&](BlockKernel &block) {
      ImplicitLocOpBuilder &b = block.builder();
      Value tables = block.shared(0);
      Value firstColumn = arith::MulIOp::create(b, block.blockY(), columns);
      // Row r of a thread: consecutive threads, consecutive rows, so a
      // warp's word loads stay 128 consecutive bytes.
      auto rowOf = [&](Value thread, int64_t r) -> Value {
        return arith::AddIOp::create(
            b,
            arith::MulIOp::create(b, block.blockX(), index(kernel.blockSpan())),
            arith::AddIOp::create(b, thread, index(r * kernel.blockRows)));
      };
      auto loadState = [&](Value thread, int64_t r) {
        SmallVector<Value> state;
        for (unsigned i = 0; i < spec.local.size(); ++i)
          state.push_back(block.loadLocal(i, thread, r));
        return state;
      };
      auto storeState = [&](ValueRange state, Value thread, int64_t r) {
        for (auto [i, value] : llvm::enumerate(state))
          block.storeLocal(i, thread, r, value);
      };
      block.phase(
          [&](Value thread) {
            for (int64_t r = 0; r < rows; ++r)
              storeState(kernel.initialState(b), thread, r);
          },
          /*barrier=*/false);
      auto [begin, end] = splitRange(b, kernel, block.blockZ());
      auto chunks = scf::ForOp::create(b, begin, end, index(kernel.kChunk));
      {
        OpBuilder::InsertionGuard inChunk(b);
        b.setInsertionPointToStart(chunks.getBody());
        Value chunk = chunks.getInductionVar();
        block.phase([&](Value thread) {
          kernel.buildTables(b, tables, thread, firstColumn, chunk);
        });
        // Every row of the block looks its codes up in these tables; the
        // next chunk's overwrite them: a barrier after.
        block.phase([&](Value thread) {
          for (int64_t r = 0; r < rows; ++r)
            storeState(kernel.lookupChunk(b, tables, rowOf(thread, r),
                                          firstColumn, chunk,
                                          loadState(thread, r)),
                       thread, r);
        });
      }
      block.phase(
          [&](Value thread) {
            for (int64_t r = 0; r < rows; ++r)
              kernel.storeRow(b, rowOf(thread, r), firstColumn,
                              loadState(thread, r));
          },
          /*barrier=*/false);
    });
  }
};

} // namespace

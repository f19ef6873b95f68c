//===- Pipelines.cpp - Loom's named pass pipelines ------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "loom/Conversion/Passes.h"
#include "loom/CostModel/SelectModel.h"
#include "loom/Dialect/Lut/Transforms/Passes.h"
#include "loom/Dialect/MoE/IR/StrategyModel.h"
#include "loom/Dialect/MoE/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::loom;

/// Loom's dialects through their reference lowerings to linalg, tensor,
/// scf and arith on tensors.
static void buildReferenceToTensorsPipeline(OpPassManager &pm) {
  pm.addPass(loom::createConvertWorkflowToFunc());
  pm.addPass(loom::createConvertMoEToLoops());
  pm.addPass(loom::createConvertLutToLoops());
  // Elementwise arith/math on tensors (user code inside wf.compute) has no
  // bufferization; linalg.generic does.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Tensors to bufferized loops.
static void buildBufferizeToLoopsPipeline(OpPassManager &pm) {
  pm.addPass(loom::createReadOnlyEntryArguments());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createCanonicalizerPass());
}

void loom::buildReferenceToLoopsPipeline(OpPassManager &pm) {
  buildReferenceToTensorsPipeline(pm);
  buildBufferizeToLoopsPipeline(pm);
}

/// Stages the launches' buffers through device memory and lowers the
/// outlined kernels' gpu.module to NVVM for `chip`.
static void buildKernelsToNVVMPipeline(OpPassManager &pm,
                                       const GPUPipelineOptions &options) {
  pm.addPass(loom::createGPUDeviceCopies());
  pm.addPass(loom::createGPUMergeModules());
  // gpu-to-llvm lowers allocations and copies in their async form: one
  // token chain per function.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  // The MoE GEMM's tensor-core tiles: nvgpu.mma.sync as nvvm.mma.sync.
  kernels.addPass(createConvertNVGPUToNVVMPass());
  // math.fma as llvm.intr.fma (one fma.rn.f32), not a libdevice call.
  kernels.addPass(createConvertMathToLLVMPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

/// Bufferized loops to the LLVM dialect; with `gpu`, the kernel launches
/// become calls of the GPU runtime (the mgpu* functions of the CUDA
/// shim, lib/Runtime/CudaShim.cpp) and the gpu.modules binaries.
static void buildLoopsToLLVMPipeline(OpPassManager &pm, bool emitCInterface,
                                     const GPUPipelineOptions *gpu = nullptr) {
  if (emitCInterface)
    pm.addNestedPass<func::FuncOp>(LLVM::createLLVMRequestCWrappersPass());
  // The 2-D reads and writes of loom-tile-linalg's register tiles, as one
  // 1-D transfer per row.
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  // The k-vector tiles' final sums, as adds of their partial-sum rows.
  pm.addNestedPass<func::FuncOp>(vector::createLowerVectorMultiReductionPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createLowerAffinePass());
  // Parallel loops (the row blocks of the LUT kernels) run on OpenMP's
  // thread pool.
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addNestedPass<func::FuncOp>(loom::createMergeParallelRegions());
  // Inlines the memref.alloca_scope that wraps each parallel body (it holds
  // no allocas here), which scf-to-cf could not leave single-block.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(loom::createConvertLutX86ToLLVM());
  // The register tiles of loom-tile-linalg: FMAs of a broadcast lhs
  // element and a row of rhs vectors.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // Buffers come from the runtime's cache (lib/Runtime/BufferCache.h).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  // The padding of in-bounds vector reads.
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  if (gpu)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  if (gpu) {
    GpuModuleToBinaryPassOptions binary;
    binary.compilationTarget = gpu->format;
    pm.addPass(createGpuModuleToBinaryPass(binary));
  }
}

void loom::buildReferencePipeline(OpPassManager &pm,
                                  const ReferencePipelineOptions &options) {
  buildReferenceToLoopsPipeline(pm);
  buildLoopsToLLVMPipeline(pm, options.emitCInterface);
}

/// loom-cpu-pipeline to bufferized loops; `offloadGemms` (when given)
/// takes the lut.mpgemm ops out before the CPU kernels see them.
static void
buildHostToLoopsPipeline(OpPassManager &pm, const CPUPipelineOptions &options,
                         function_ref<void(OpPassManager &)> offloadGemms) {
  // The model of the passes that own their decisions (MoE strategies,
  // linalg tiles): cost-model=none fixes the analytical choice there, as it
  // fixes the lut schedules.
  std::string ownedDecisionsModel = options.costModel == "none"
                                        ? std::string("roofline")
                                        : std::string(options.costModel);
  // MoE layers first: low-bit experts decompose into lut ops that the lut
  // passes below then optimize like any other.
  moe::MoESelectStrategyOptions moeStrategy;
  moeStrategy.rowTile = options.moeRowTile;
  moeStrategy.weightRows = options.moeColumnTile;
  moeStrategy.strategy = options.moeStrategy;
  moeStrategy.costModel = ownedDecisionsModel;
  moeStrategy.remarks = options.costModelRemarks;
  moeStrategy.report = options.costModelRemarks;
  moeStrategy.isa = options.isa;
  moeStrategy.cpu = options.cpu;
  moeStrategy.dumpDecisions = options.dumpDecisions;
  moeStrategy.loadDecisions = options.loadDecisions;
  pm.addPass(moe::createMoESelectStrategy(moeStrategy));
  pm.addPass(moe::createMoEDecompose());
  pm.addPass(moe::createMoEFuse());
  // The decomposition and the fusion each build a map of the rows' tokens
  // (the scatter's and the gather's): one is computed.
  pm.addPass(createCSEPass());
  pm.addPass(lut::createLutCanonicalize());
  if (offloadGemms)
    offloadGemms(pm);
  // A decode step's row gets a contraction (and a decision) of its own,
  // unless one tile is to hold for every contraction (linalg-tile-sizes).
  bool versionDecodeRows = options.linalgTileSizes.empty();
  if (versionDecodeRows)
    pm.addPass(loom::createLoomVersionDecodeRows());
  // Each GEMM's kernel schedule and path, from the cost model, unless the
  // schedule options are to hold for every GEMM (cost-model=none); a path
  // written into the IR (lut.dot_from_n) stays pinned, and
  // lut-select-strategy only decides the paths of GEMMs left undecided.
  if (options.costModel != "none") {
    LoomDecideOptions decide;
    decide.costModel = options.costModel;
    decide.isa = options.isa;
    decide.cpu = options.cpu;
    decide.weights = options.weights;
    decide.dumpDecisions = options.dumpDecisions;
    decide.loadDecisions = options.loadDecisions;
    decide.remarks = options.costModelRemarks;
    pm.addPass(loom::createLoomDecide(decide));
  }
  lut::LutSelectStrategyOptions strategy;
  strategy.isa = options.isa;
  pm.addPass(lut::createLutSelectStrategy(strategy));
  pm.addPass(lut::createLutDecomposeMpGemm());
  // table_precompute is Pure: GEMMs of one activation (Q, K and V, gate and
  // up) share one table.
  pm.addPass(createCSEPass());
  if (options.symmetrizeTables)
    pm.addPass(lut::createLutSymmetrizeTables());
  pm.addPass(lut::createLutQuantizeTables());
  pm.addPass(lut::createLutShareTables());
  pm.addPass(createCSEPass());
  if (options.fusePrecompute)
    pm.addPass(lut::createLutFusePrecompute());
  ConvertLutToVectorOptions vector;
  vector.isa = options.isa;
  vector.columnTile = options.columnTile;
  vector.prefetchDistance = options.prefetchDistance;
  vector.quadFromN = options.quadFromN;
  vector.tableBudget = options.tableBudget;
  pm.addPass(loom::createConvertLutToVector(vector));
  // Hoists what a fused producer computes per row (an RMSNorm's 1/rms)
  // out of the loops over groups.
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addPass(loom::createConvertMoEToVector());
  buildReferenceToTensorsPipeline(pm);
  // Linalg contractions (attention, user matmuls) to vectorized register
  // tiles; the hoisting keeps each tile's accumulators in registers across
  // its k loop.
  LoomTileLinalgOptions tiling;
  tiling.costModel = ownedDecisionsModel;
  tiling.remarks = options.costModelRemarks;
  tiling.isa = options.isa;
  tiling.cpu = options.cpu;
  tiling.dumpDecisions = options.dumpDecisions;
  tiling.loadDecisions = options.loadDecisions;
  tiling.tileSizes.assign(options.linalgTileSizes.begin(),
                          options.linalgTileSizes.end());
  tiling.vectorDim = options.linalgVectorDim;
  // Again for the contractions the lowerings since made (attention's).
  if (versionDecodeRows)
    pm.addPass(loom::createLoomVersionDecodeRows());
  pm.addPass(loom::createLoomTileLinalg(tiling));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLoopInvariantSubsetHoistingPass());
  // Forwards the hoisted accumulators (a k-vector tile's partial sums
  // start as a zero vector, not a zeroed buffer that bufferization would
  // allocate).
  pm.addPass(createCanonicalizerPass());
  buildBufferizeToLoopsPipeline(pm);
}

llvm::Error loom::verifyCPUPipelineOptions(const CPUPipelineOptions &options) {
  auto invalid = [](const llvm::Twine &message) {
    return llvm::createStringError("loom-cpu-pipeline: " + message);
  };
  if (options.costModel != "none" &&
      !cost::isCostModelOption(options.costModel))
    return invalid("cost-model must be auto, roofline, none or a directory "
                   "of models, got '" +
                   options.costModel + "'");
  if (options.weights != "dram" && options.weights != "cache")
    return invalid("weights must be dram or cache, got '" + options.weights +
                   "'");
  if (options.linalgVectorDim != "n" && options.linalgVectorDim != "k")
    return invalid("linalg-vector-dim must be n or k, got '" +
                   options.linalgVectorDim + "'");
  return llvm::Error::success();
}

void loom::buildCPUToLoopsPipeline(OpPassManager &pm,
                                   const CPUPipelineOptions &options) {
  buildHostToLoopsPipeline(pm, options, nullptr);
}

void loom::buildGPUPipeline(OpPassManager &pm,
                            const GPUPipelineOptions &options) {
  CPUPipelineOptions host;
  host.isa = options.isa;
  host.cpu = options.cpu;
  // The GPU's grouped GEMM kernel serves every T: no per-bucket copies of a
  // layer for the CPU kernel's register tiles (a layer's own strategy
  // stays).
  host.moeStrategy = "grouped";
  host.moeRowTile = moe::kDefaultTile.first;
  host.moeColumnTile = moe::kDefaultTile.second;
  ConvertLutToGPUOptions kernels;
  kernels.blockRows = options.blockRows;
  kernels.kChunk = options.kChunk;
  kernels.rowsPerThread = options.rowsPerThread;
  kernels.blockColumns = options.blockColumns;
  kernels.targetBlocks = options.targetBlocks;
  kernels.interpret = options.interpret;
  kernels.tensorCores = options.tensorCores;
  kernels.fillBlocks = options.fillBlocks;
  kernels.dequantizeFromN = options.dequantizeFromN;
  kernels.remarks = options.costModelRemarks;
  buildHostToLoopsPipeline(pm, host, [&](OpPassManager &pm) {
    pm.addPass(createConvertLutToGPU(kernels));
    ConvertMoEToGPUOptions moeKernels;
    moeKernels.interpret = options.interpret;
    moeKernels.tensorCores = options.tensorCores;
    moeKernels.fillBlocks = options.fillBlocks;
    moeKernels.remarks = options.costModelRemarks;
    pm.addPass(createConvertMoEToGPU(moeKernels));
    // Out of the host functions before bufferization, whose deallocation
    // analysis refuses gpu.barrier (it declares no memory effects); the
    // launches' buffers reach the device in buildKernelsToNVVMPipeline.
    if (!options.interpret)
      pm.addPass(createGpuKernelOutliningPass());
  });
  if (options.interpret) {
    buildLoopsToLLVMPipeline(pm, options.emitCInterface);
    return;
  }
  buildKernelsToNVVMPipeline(pm, options);
  buildLoopsToLLVMPipeline(pm, options.emitCInterface, &options);
}

void loom::buildCPUPipeline(OpPassManager &pm,
                            const CPUPipelineOptions &options) {
  buildCPUToLoopsPipeline(pm, options);
  buildLoopsToLLVMPipeline(pm, options.emitCInterface);
}

void loom::buildWorkflowPipeline(OpPassManager &pm,
                                 const WorkflowPipelineOptions &options) {
  pm.addPass(wf::createWfAssignIds());
  // The trace snapshot (wf.md §7.5): the source graph, frozen before any
  // pass changes it; the conversion embeds it for runs to take their
  // traces on.
  wf::WfExtractTraceOptions trace;
  trace.attach = true;
  pm.addPass(wf::createWfExtractTrace(trace));
  pm.addPass(wf::createWfInline());
  pm.addPass(wf::createWfCanonicalize());
  pm.addPass(wf::createWfDce());
  pm.addPass(wf::createWfCse());
  pm.addPass(wf::createWfDeduceObjectives());
  pm.addPass(wf::createWfPrefixShare());
  pm.addPass(wf::createWfBatch());
  wf::WfScheduleOptions schedule;
  schedule.isa = options.isa;
  schedule.cpu = options.cpu;
  schedule.costModel = options.costModel;
  pm.addPass(wf::createWfSchedule(schedule));
  pm.addPass(loom::createConvertWorkflowToRuntime());
}

void loom::registerPipelines() {
  PassPipelineRegistration<ReferencePipelineOptions>(
      "loom-reference-pipeline",
      "Lower lut, moe and wf through their reference lowerings to the LLVM "
      "dialect",
      buildReferencePipeline);
  // PassPipelineRegistration's builders cannot fail: this one refuses
  // options its passes would not check.
  registerPassPipeline(
      "loom-cpu-pipeline",
      "Loom's CPU pipeline: the LUT table-lookup decomposition and vector "
      "kernels, the grouped expert GEMM kernels, then the reference "
      "lowerings of the rest, to the LLVM dialect",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        CPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (llvm::Error error = verifyCPUPipelineOptions(options))
          return errorHandler(llvm::toString(std::move(error)));
        buildCPUPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> printOptions) {
        printOptions(CPUPipelineOptions());
      });
  PassPipelineRegistration<GPUPipelineOptions>(
      "loom-gpu-pipeline",
      "Loom's GPU pipeline: lut.mpgemm as table-lookup kernels in NVVM "
      "(serialized to PTX or a cubin) launched from the host, the rest as "
      "in loom-cpu-pipeline",
      buildGPUPipeline);
  PassPipelineRegistration<WorkflowPipelineOptions>(
      "loom-wf-pipeline",
      "Optimize and schedule workflow graphs, then embed their task tables "
      "for the workflow runtime",
      buildWorkflowPipeline);
}

//===- Pipelines.h - Loom's named pass pipelines ----------------*- C++ -*-===//
#ifndef LOOM_PIPELINES_PIPELINES_H
#define LOOM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "llvm/Support/Error.h"

namespace mlir {
class OpPassManager;
namespace loom {

struct ReferencePipelineOptions
    : public PassPipelineOptions<ReferencePipelineOptions> {
  PassOptions::Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Give every public function a _mlir_ciface_ wrapper"),
      llvm::cl::init(true)};
};

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Give every public function a _mlir_ciface_ wrapper"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> symmetrizeTables{
      *this, "symmetrize-tables",
      llvm::cl::desc("Keep half-size mirrored activation tables (the vector "
                     "kernels read full tables, so this leaves them to the "
                     "loop lowering)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> fusePrecompute{
      *this, "fuse-precompute",
      llvm::cl::desc("Build activation tables inside their elementwise "
                     "producer (lut-fuse-precompute)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> isa{
      *this, "isa",
      llvm::cl::desc("Vector ISA of the kernels: avx512-vbmi, avx512-vnni, "
                     "avx512, avx2 or generic (loom-compile passes the "
                     "target's)"),
      llvm::cl::init("generic")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("The CPU the kernels run on, by LLVM's name: the "
                     "deciding passes' cpu (loom-compile passes the "
                     "target's)")};
  PassOptions::Option<std::string> costModel{
      *this, "cost-model",
      llvm::cl::desc("What chooses each GEMM's kernel schedule (loom-decide), "
                     "each MoE layer's strategy and each linalg "
                     "contraction's register tile: auto, roofline, a "
                     "directory of models, or none (the column-tile and "
                     "prefetch-distance options; the roofline for MoE "
                     "layers and tiles)"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> weights{
      *this, "weights",
      llvm::cl::desc("Where the GEMMs' constant weights come from when the "
                     "model runs, which loom-decide weighs: dram (they "
                     "outgrow the caches, as when decoding a large model) "
                     "or cache (they stay cache-resident between calls)"),
      llvm::cl::init("dram")};
  PassOptions::Option<bool> costModelRemarks{
      *this, "cost-model-remarks",
      llvm::cl::desc("Report every decision's three best candidates, their "
                     "costs and the model as remarks (loom-decide, "
                     "moe-select-strategy, loom-tile-linalg), and each MoE "
                     "layer's choice per range of T"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> dumpDecisions{
      *this, "dump-decisions",
      llvm::cl::desc("Write the decisions of moe-select-strategy, "
                     "loom-decide and loom-tile-linalg to this JSON file, a "
                     "section each")};
  PassOptions::Option<std::string> loadDecisions{
      *this, "load-decisions",
      llvm::cl::desc("Replay the decisions of this JSON file (from "
                     "dump-decisions)")};
  // The schedule of the vector kernels where loom-decide made no choice
  // (convert-lut-to-vector's options; `bench/run lut --sweep` varies them
  // with cost-model=none).
  PassOptions::Option<int64_t> columnTile{
      *this, "column-tile",
      llvm::cl::desc("Columns of y that share each weight load"),
      llvm::cl::init(4)};
  PassOptions::Option<int64_t> prefetchDistance{
      *this, "prefetch-distance",
      llvm::cl::desc("Bytes ahead at which the index stream is prefetched "
                     "(0: none)"),
      llvm::cl::init(2048)};
  PassOptions::Option<int64_t> quadFromN{
      *this, "quad-from-n",
      llvm::cl::desc("The N from which weights whose tables fit P64's quads "
                     "take them (0: never; -1: the kernels' rule)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> tableBudget{
      *this, "table-budget",
      llvm::cl::desc("Bytes of activation tables per block of columns"),
      llvm::cl::init(524288)};
  // The register tile of the grouped expert GEMMs, fixed for
  // moe-select-strategy (0: its model chooses).
  PassOptions::Option<int64_t> moeRowTile{
      *this, "moe-row-tile",
      llvm::cl::desc("Dispatched rows per register tile of the expert GEMMs "
                     "(0: chosen by moe-select-strategy)"),
      llvm::cl::init(0)};
  PassOptions::Option<std::string> moeStrategy{
      *this, "moe-strategy",
      llvm::cl::desc("Strategy of every MoE layer: grouped, padded or dense "
                     "(empty: chosen by moe-select-strategy)"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> moeColumnTile{
      *this, "moe-column-tile",
      llvm::cl::desc("Weight rows per register tile of the expert GEMMs "
                     "(0: chosen by moe-select-strategy)"),
      llvm::cl::init(0)};
  PassOptions::ListOption<int64_t> linalgTileSizes{
      *this, "linalg-tile-sizes",
      llvm::cl::desc("Register tile m,n,k of every linalg contraction "
                     "(empty: chosen by loom-tile-linalg)")};
  PassOptions::Option<std::string> linalgVectorDim{
      *this, "linalg-vector-dim",
      llvm::cl::desc("With linalg-tile-sizes: the dim the tiles' vectors "
                     "run along, n or k"),
      llvm::cl::init("n")};
};

/// Lowers Loom's dialects through their reference lowerings to bufferized
/// loops (linalg, scf, memref, arith, math), stopping before LLVM.
void buildReferenceToLoopsPipeline(OpPassManager &pm);

/// The whole reference path: buildReferenceToLoopsPipeline, then the LLVM
/// dialect, ready for translation to LLVM IR.
void buildReferencePipeline(OpPassManager &pm,
                            const ReferencePipelineOptions &options);

/// Loom's CPU pipeline: the optimizing rewrites (lut-canonicalize,
/// lut-select-strategy, lut-decompose-mpgemm, lut-symmetrize-tables,
/// lut-quantize-tables, convert-lut-to-vector, moe-select-strategy,
/// moe-decompose, convert-moe-to-vector), then what remains through the
/// reference lowerings to the LLVM dialect.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Checks the options no pass of buildCPUPipeline would: those only a pass
/// that may not run reads (`weights` without loom-decide under
/// cost-model=none, `linalg-vector-dim` without linalg-tile-sizes), and
/// the cost model's name.
llvm::Error verifyCPUPipelineOptions(const CPUPipelineOptions &options);

/// buildCPUPipeline up to bufferized loops, stopping before LLVM.
void buildCPUToLoopsPipeline(OpPassManager &pm,
                             const CPUPipelineOptions &options);

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Give public functions _mlir_ciface_ wrappers (the "
                     "runtime calls those)"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("The GPU's compute capability"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{*this, "features",
                                            llvm::cl::desc("PTX ISA version"),
                                            llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the library embeds: isa (PTX, compiled by the "
                     "driver at load time), bin (a cubin, through ptxas) "
                     "or fatbin (both)"),
      llvm::cl::init("isa")};
  PassOptions::Option<bool> interpret{
      *this, "interpret",
      llvm::cl::desc("Run the GPU kernels as host loops (no device code): "
                     "tests the kernels' arithmetic without a GPU"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("Run the GEMMs' wide tile on tensor cores (mma.sync: "
                     "f16 for f16 MoE layers, else TF32; sm_80 and later): "
                     "the MoE grouped GEMMs and the lut GEMMs from "
                     "dequantize-from-n"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> fillBlocks{
      *this, "fill-blocks",
      llvm::cl::desc("The grouped GEMMs' grid size (in 16 x 128 blocks, "
                     "below 32 rows per expert) under which they take "
                     "16 x 32 blocks (0: never; 264: two per SM of an "
                     "H100 or H200)"),
      llvm::cl::init(264)};
  PassOptions::Option<int64_t> dequantizeFromN{
      *this, "dequantize-from-n",
      llvm::cl::desc("convert-lut-to-gpu's N from which a GEMM decodes its "
                     "weight and runs a GEMM kernel (0: never; -1: the "
                     "roofline crossover)"),
      llvm::cl::init(-1)};
  PassOptions::Option<int64_t> blockRows{
      *this, "block-rows",
      llvm::cl::desc("convert-lut-to-gpu's rows of Y per thread block"),
      llvm::cl::init(128)};
  PassOptions::Option<int64_t> rowsPerThread{
      *this, "rows-per-thread",
      llvm::cl::desc("convert-lut-to-gpu's rows of Y per thread (the tile "
                     "elongated along M, the tables' reuse axis)"),
      llvm::cl::init(2)};
  PassOptions::Option<int64_t> kChunk{
      *this, "k-chunk",
      llvm::cl::desc("convert-lut-to-gpu's K per table chunk"),
      llvm::cl::init(128)};
  PassOptions::Option<bool> costModelRemarks{
      *this, "cost-model-remarks",
      llvm::cl::desc("Report each lut GEMM's and MoE grouped GEMM's kernel "
                     "choices and what made them (options, thresholds and "
                     "the roofline: no GPU class has a model), and each MoE "
                     "plan left on the host, as remarks"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> targetBlocks{
      *this, "target-blocks",
      llvm::cl::desc("convert-lut-to-gpu's blocks per one-token GEMM (the "
                     "K split)"),
      llvm::cl::init(512)};
  PassOptions::Option<int64_t> blockColumns{
      *this, "block-columns",
      llvm::cl::desc("convert-lut-to-gpu's tokens per block for N at least "
                     "this"),
      llvm::cl::init(8)};
  PassOptions::Option<std::string> isa{
      *this, "isa",
      llvm::cl::desc("The host's kernels for what stays on the CPU (as "
                     "loom-cpu-pipeline's isa)"),
      llvm::cl::init("generic")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("The CPU the kernels run on, by LLVM's name: the "
                     "deciding passes' cpu (loom-compile passes the "
                     "target's)")};
};

/// Loom's GPU pipeline: each lut.mpgemm becomes a table-lookup kernel
/// launched from the host (convert-lut-to-gpu), the rest runs on the host
/// as in loom-cpu-pipeline; the kernels are outlined, lowered to NVVM and
/// serialized into the module as PTX or a cubin.
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

struct WorkflowPipelineOptions
    : public PassPipelineOptions<WorkflowPipelineOptions> {
  PassOptions::Option<std::string> isa{
      *this, "isa",
      llvm::cl::desc("The target wf-schedule costs wf.compute nodes on"),
      llvm::cl::init("generic")};
  PassOptions::Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("The CPU the kernels run on, by LLVM's name: the "
                     "deciding passes' cpu (loom-compile passes the "
                     "target's)")};
  PassOptions::Option<std::string> costModel{
      *this, "cost-model",
      llvm::cl::desc("What estimates wf.compute latencies: auto, roofline "
                     "or a directory of models (wf-schedule's option)"),
      llvm::cl::init("auto")};
};

/// Workflow graphs (wf.md §6): wf-assign-ids, wf-inline, wf-canonicalize,
/// wf-dce, wf-cse, wf-deduce-objectives, wf-prefix-share, wf-schedule,
/// then convert-wf-to-runtime, which leaves the task tables as an
/// LLVM-dialect constant.
void buildWorkflowPipeline(OpPassManager &pm,
                           const WorkflowPipelineOptions &options);

/// Registers `loom-reference-pipeline`, `loom-cpu-pipeline` and
/// `loom-wf-pipeline`.
void registerPipelines();

} // namespace loom
} // namespace mlir

#endif // LOOM_PIPELINES_PIPELINES_H

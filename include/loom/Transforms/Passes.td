#ifndef LOOM_TRANSFORMS_PASSES_TD
#define LOOM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ReadOnlyEntryArguments : Pass<"loom-readonly-entry-arguments",
                                  "::mlir::ModuleOp"> {
  let summary = "Forbid bufferization from writing into entry-point inputs";
  let description = [{
    One-shot bufferization with function boundaries treats tensor arguments
    as writable buffers, so `%c = arith.addf %a, %b` may store into `%a`'s
    memory. The inputs of a public function belong to its caller (a runtime
    user, a test, Python): this pass marks every tensor argument of every
    public `func.func` with `bufferization.writable = false`, so results get
    their own buffers.
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect"];
}

def MergeParallelRegions : Pass<"loom-merge-parallel-regions",
                                "::mlir::func::FuncOp"> {
  let summary = "Run a sequence of OpenMP parallel regions in one thread team";
  let description = [{
    `convert-scf-to-openmp` forks and joins a thread team for every parallel
    loop. A LUT GEMV has two (the table precompute, then the kernel), a
    blocked GEMM one more per column block, and at N = 1 the fork and join
    cost a noticeable share of a call of a few tens of microseconds.

    In every block, this pass merges a run of two or more `omp.parallel`
    ops — directly in the block or inside `scf.for` / `scf.if` — into one
    team, when every op between them either has no memory effects (each
    thread runs it) or is a `memref.alloc` whose sizes are known before the
    run (it moves before the team). The nested teams are dissolved: their
    worksharing loops bind to the merged team, and the implicit barrier at
    the end of each `omp.wsloop` keeps the phases ordered (an explicit
    `omp.barrier` stands in for a join where a team's body does not end in
    one). Teams with clauses (private, reduction, num_threads, ...) are left
    alone, and so are runs whose values are used after them.
  }];
  let dependentDialects = ["::mlir::omp::OpenMPDialect"];
}

def LoomDecide : Pass<"loom-decide", "::mlir::ModuleOp"> {
  let summary = "Let the cost model choose for every tunable op";
  let description = [{
    For every op implementing `TunableOpInterface`, enumerates its knob
    space in canonical order, featurizes every legal candidate and records
    the best-ranked one as `loom.decision = #loom.decision<...>`; lowering
    patterns read only that attribute. The model is a trained tree ensemble
    where one fits the target class and decision, the roofline otherwise
    (costmodel.md §4.5). With `replay=keep` an op that already carries a
    decision — from an earlier run, or pinned by hand — keeps it, so the IR
    after this pass replays the compile.
  }];
  let options = [
    Option<"costModel", "cost-model", "std::string", /*default=*/"\"auto\"",
           "auto (a shipped model where one fits, else the roofline), "
           "roofline, or a directory holding <target class>/<decision>.json">,
    Option<"replay", "replay", "std::string", /*default=*/"\"keep\"",
           "keep: ops that carry a decision keep it; recompute: decide "
           "again">,
    Option<"maxCandidates", "max-candidates", "int64_t", /*default=*/"4096",
           "Candidates ranked per op at most (the canonical list thinned "
           "to every k-th; 0: all)">,
    Option<"isa", "isa", "std::string", /*default=*/"\"generic\"",
           "Vector ISA of the kernels: its target class picks the model">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "The CPU the kernels run on, by LLVM's name (as -mcpu): its own "
           "models and calibration where Loom ships them, else the ISA "
           "class's; empty for any CPU of the ISA">,
    Option<"weights", "weights", "std::string", /*default=*/"\"dram\"",
           "Where constant weights are expected to come from at run time: "
           "dram (weights outgrow the caches, the decode case) or cache">,
    Option<"loadDecisions", "load-decisions", "std::string",
           /*default=*/"\"\"",
           "Pin the decisions of this file's loom-decide section (written "
           "by dump-decisions) first; an entry whose op changed is an "
           "error">,
    Option<"dumpDecisions", "dump-decisions", "std::string",
           /*default=*/"\"\"",
           "Write every decision to this JSON file's loom-decide section, "
           "keeping its other sections">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report each decision's three best candidates, their costs and "
           "the model as remarks">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

def GPUMergeModules : Pass<"loom-gpu-merge-modules", "::mlir::ModuleOp"> {
  let summary = "Gather the outlined kernels into one gpu.module";
  let description = [{
    gpu-kernel-outlining gives each launch a gpu.module of its own. This
    moves every kernel (and the globals it uses) into the first module,
    renaming on a clash, and points the launches at it: a model then
    serializes to one PTX module or cubin, loaded once when its library
    loads.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def GPUDeviceCopies : Pass<"loom-gpu-device-copies", "::mlir::ModuleOp"> {
  let summary = "Stage the memrefs of kernel launches through device memory";
  let description = [{
    Each host memref operand of a `gpu.launch_func` gets a device buffer
    (`gpu.alloc`), is copied in before the launch (`gpu.memcpy`), copied
    back after it when the kernel stores to it, and freed (`gpu.dealloc`).
    A constant global the kernel only reads (a folded weight, 1-D f32,
    i32, f16 or bf16) is instead the device copy the runtime keeps for the process
    (`loom_gpu_constant_f32` / `_i32`, uploaded on first use): weights
    cross the bus once, not per call. A buffer the host only allocates,
    sizes and frees — kernels alone read and write it, as a MoE layer's
    hidden rows between its two GEMMs — is allocated in device memory
    alone and never copied. A buffer of the function's body whose writes
    all come before a launch that reads it (a public function's inputs, a
    buffer host code fills) is copied once, at the function's top level
    before the op that holds that launch, serves every later launch and
    is freed at the return.
    Runs after bufferization and its deallocation, so that launches can be
    formed on tensors' buffers while deallocation never meets device
    memory. The copies are synchronous, as the launch is.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LoomVersionDecodeRows : Pass<"loom-version-decode-rows",
                                  "::mlir::ModuleOp"> {
  let summary = "Give contractions of dynamic rows a version for one row";
  let description = [{
    A contraction whose rows (tokens) are known only at run time takes one
    register tile for every row count, and the tile that suits a prompt of
    many rows can be several times slower on the one row of a decode step.
    This pass puts each such contraction under an `scf.if` on its row
    count: where it is 1, a copy over operands cast to one row (static
    shapes), which the cost model decides as the static decode contraction
    it is; otherwise the original, marked `loom.min_rows = 2`, which the
    cost model judges only at the row counts it runs at. Contractions that
    already carry a decision, or are marked, are left alone, so the pass
    may run again for contractions made later.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def LoomTileLinalg : Pass<"loom-tile-linalg", "::mlir::ModuleOp"> {
  let summary = "Tile linalg contractions to a register tile and vectorize "
                "them, the tile chosen by the cost model";
  let description = [{
    Every linalg contraction of f32, f16 or bf16 tensors (static but for
    the rows) with
    an m, an n and a k dim (named `linalg.matmul`, `linalg.batch_matmul`,
    `linalg.contract`, or a `linalg.generic` that multiplies and adds, as
    attention's scores and context are) is tiled to a register tile
    `tile_m x tile_n x tile_k` over its innermost m, n and k dims — every
    other loop at tile 1, batch dims outermost, k innermost — and the tile
    is vectorized. Its vectors run along n or along k (`vector_dim`):
    along n the tile is a `vector.contract`, whose lowering to outer
    products makes `tile_m x ⌈tile_n / lanes⌉` FMAs per k step; along k
    (for operands laid out along k, as attention's keys are) each k tile
    accumulates `tile_m x tile_n` vectors of partial sums, which a
    reduction adds up after the loops. From 2^18 multiply-adds the register
    tiles are an `scf.forall`, which the kernels' OpenMP pool runs. A
    dynamic row count is split at run time: the rows a tile divides run
    whole tiles (with static shapes; in parallel under an `scf.if` from the
    rows that reach 2^18 multiply-adds), the fewer than `tile_m` left in
    at most one tile each of the powers of two below `tile_m` (6: 4, 2
    and 1 rows), split the same way.

    A tile sums in its result's type where the CPU (`cpu`) has arithmetic
    in it: f32, and f16 with AVX512-FP16. Otherwise (bf16 on every x86
    CPU, f16 elsewhere) it keeps its sums in f32 across the k loop and
    rounds them once when it stores them, where LLVM would widen and round
    every multiply-add: as fast as f32 and never less accurate.

    A tile along n over a rhs laid out otherwise (attention's keys,
    `[out, in]` weights) would gather each rhs vector element by element,
    once per row tile. The pass first copies the rhs laid out along n (its
    other dims in order, then k, then n; OpenBLAS packs such an operand
    too), in 16 x 16 blocks (8 x 8 where 16 does not divide the two dims)
    that are vector transposes lowered to a shuffle network, and the tile
    reads the copy: from the first row tile where the tile's rows are whole
    vectors, from the second where they are narrower, never for a
    one-column tile (dynamic rows: in a version run from that row count).
    The cost model judges such a tile as reading a rhs laid out along n,
    plus the copy.

    The tile is the `linalg.tile` decision: a `loom.decision` already on
    the op (from `loom-decide`, `load-decisions` or by hand) is kept;
    otherwise the cost model ranks the legal tiles (those that fit their
    loops and whose accumulators fit the vector registers) and the pass
    records its choice as `loom.decision` before tiling. `tile-sizes`
    fixes one tile for every contraction instead, over any decision it
    carries. A tile that does not divide its loops first splits the
    contraction (`linalg::splitOp`) into the part it divides and static
    remainder parts, each tiled with the tile clipped to it. Other linalg
    ops are left to `convert-linalg-to-loops`.
  }];
  let options = [
    Option<"costModel", "cost-model", "std::string", /*default=*/"\"auto\"",
           "auto (a shipped model where one fits, else the roofline), "
           "roofline, or a directory holding <target class>/<decision>.json">,
    Option<"isa", "isa", "std::string", /*default=*/"\"generic\"",
           "Vector ISA of the host: its vector width and registers bound "
           "the tiles, its target class picks the model">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "The CPU the kernels run on, by LLVM's name (as -mcpu): its own "
           "models and calibration where Loom ships them, else the ISA "
           "class's; empty for any CPU of the ISA">,
    ListOption<"tileSizes", "tile-sizes", "int64_t",
               "Tile every contraction to this tile_m,tile_n,tile_k (a "
               "user decision; an illegal tile is an error)">,
    Option<"vectorDim", "vector-dim", "std::string", /*default=*/"\"n\"",
           "With tile-sizes: the dim the tile's vectors run along, n or k">,
    Option<"loadDecisions", "load-decisions", "std::string",
           /*default=*/"\"\"",
           "Pin the tiles of this file's loom-tile-linalg section (written "
           "by dump-decisions) first; an entry whose op changed is an "
           "error">,
    Option<"dumpDecisions", "dump-decisions", "std::string",
           /*default=*/"\"\"",
           "Write every contraction's tile to this JSON file's "
           "loom-tile-linalg section, keeping its other sections">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report each contraction's three best tiles, their costs and the "
           "model as remarks">,
  ];
  let dependentDialects = [
    "::mlir::loom::LoomDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::vector::VectorDialect",
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect"];
}

#endif // LOOM_TRANSFORMS_PASSES_TD

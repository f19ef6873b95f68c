#ifndef LOOM_CONVERSION_PASSES_TD
#define LOOM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertLutToLoops : Pass<"convert-lut-to-loops", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of the lut dialect to linalg on logical codes";
  let description = [{
    Evaluates every `lut` op from the logical content of its weights: a
    `!lut.packed` value becomes its codes, scales and offsets tensors
    (function signatures, calls and returns included), and `lut.mpgemm` /
    `lut.dequantize` become `linalg.generic` ops that decode each code,
    scale it and accumulate in f64. Correct and simple, not fast: it is the
    oracle every optimized lowering is checked against.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertLutToVector : Pass<"convert-lut-to-vector", "::mlir::ModuleOp"> {
  let summary = "Table-lookup GEMM kernels as vector code over byte shuffles";
  let description = [{
    Rewrites each `lut.lookup_accumulate` -> `lut.scale_combine` pair over
    16-entry tables (g = 4) and a constant bitplane weight into one loop
    nest of `vector` code (lut.md §4.3, variant S16): the weight's plane
    indices are folded at compile time into a nibble stream, one 64-byte
    load per row block and load (128 rows with one plane per byte; 64 rows
    when two planes of a row share a byte pair, weighed and added by one
    `vpmaddubsw`), the row blocks one after another, so a kernel reads one
    contiguous range; each index vector is looked up in the group's table by
    a byte shuffle; lookups are combined over planes and groups in int16 and
    flushed to int32 before they could overflow; each segment ends in the
    fp32 epilogue `y += s * (kappa * tscale * acc + c * xsum) - (s * z + min)
    * xsum`, with s (in its scale type) and, for zero points or mins,
    s * z + min folded to per-row constants. Int8 tables (`table_i8`) take
    one byte shuffle per index vector; exact int16 tables (int8 activations,
    `exact` / `act_quant`) two, of their unsigned low and signed high bytes,
    summed apart in int16 and joined as hi * 256 + lo in int32. A trit3
    weight (variant T3, lut.md §2.5) is one plane of the sign-canonical
    indices of its triples (a segment's last triple padded) over the 14-entry
    tables, read as 16 bytes, plus a stream of sign words, 64 rows per
    64-bit word: each lookup is negated where its row's bit is set (a
    masked subtract from zero; on the widened sums for int16 tables). Tiles
    of `column-tile` columns share each index load; columns come in blocks
    whose tables fit `table-budget` bytes, each block one `scf.forall` over
    the row blocks.

    The `lut.table_precompute` and `lut.fused_table_precompute` feeding such
    kernels become vector code as well, one `scf.forall` over rows and
    segments: for int8 tables of fp activations, one pass for max |T| (per
    group the sum of the activations' magnitudes, four groups per step) and
    the activation sum and
    one that computes the entries (multiply-adds by constant sign vectors,
    the loop lowering's sums in its order) and quantizes them; for exact
    int16 tables of int8 activations, one pass. trit3 tables read their
    triples as four lanes masked to the triple (and to the segment, where a
    padded triple ends it). A fused producer's body is evaluated on vectors
    of four activations.

    A `lut.dot_accumulate` -> `lut.scale_combine` pair (the int8-dot path,
    lut.md §4.2) over a constant weight whose segments are multiples of 8
    becomes the int8-dot kernel: the weight folded into value indices
    (1 bit for the two values of W1, 2 bits for the at most four of
    ternary and W2, else 4 bits, as the segment allows steps of 32, 16 or
    8 K; 16 rows per 64-byte load),
    looked up to signed values (1-bit indices: a bit test and a blend of the
    two values) and
    multiplied with the activations + 128 by `vpdpbusd`, 16 rows x 4 K per
    instruction, in tiles of `column-tile` columns; the folded 128 * sum of
    each row's values is subtracted before the same fp32 epilogue. Both
    kernels prefetch their stream `prefetch-distance` bytes ahead, or as
    the op's `loom.decision` says; where it gives a dynamic N's GEMV a
    distance of its own (`gemv_prefetch`), an `scf.if` on N < 2 runs a
    kernel built with it. Kernels over equal streams read one global.

    `isa` chooses the instructions: `avx512-vbmi` (as `avx512-vnni`, and
    for weights with one plane per byte - W1, W3, trit3 - with int8 tables
    the P64 kernel below), `avx512-vnni` (`vpshufb` on 64 lanes
    and `vpdpbusd`), `avx512` (`vpshufb` on 64 lanes, needs AVX-512BW; dot
    products by `vpmaddubsw` and a widening pair add), `avx2` (two 32-lane
    `vpshufb`), or `generic` (a compare and select per table entry, plain
    vector arithmetic: correct on any target, slow). Chains this pass does
    not match (mirrored or f32 tables, g = 8, weights that are not
    constants) are left for convert-lut-to-loops.
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"generic\"",
           "Instructions to emit: avx512-vbmi, avx512-vnni, avx512, avx2 or "
           "generic">,
    Option<"prefetchDistance", "prefetch-distance", "int64_t",
           /*default=*/"2048",
           "Bytes ahead of the loads at which the index stream is "
           "prefetched (0: no prefetch)">,
    Option<"columnTile", "column-tile", "int64_t", /*default=*/"4",
           "Columns of y that share each load of a weight stream (1 to 8)">,
    Option<"quadFromN", "quad-from-n", "int64_t", /*default=*/"-1",
           "The N from which weights whose tables fit P64's quads take them "
           "(0: never; -1: wherever they fit but a padded stream's GEMV)">,
    Option<"tableBudget", "table-budget", "int64_t", /*default=*/"524288",
           "Bytes of activation tables per block of columns (each block is "
           "one parallel loop over the row blocks; default: half of a "
           "1 MiB L2)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertLutX86ToLLVM : Pass<"convert-lut-x86-to-llvm"> {
  let summary = "The lut.x86 target ops as LLVM intrinsic calls";
  let description = [{
    Replaces `lut.x86.pshufb` by `llvm.call_intrinsic` of
    `llvm.x86.avx2.pshuf.b` (32 bytes) or `llvm.x86.avx512.pshuf.b.512`
    (64 bytes), and `lut.x86.pmaddubsw` by `llvm.x86.avx2.pmadd.ub.sw` or
    `llvm.x86.avx512.pmaddubs.w.512`. Runs after bufferization, next to the vector-to-LLVM
    conversion; the operands are builtin vectors, so no type changes.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def ConvertLutToGPU : Pass<"convert-lut-to-gpu", "::mlir::ModuleOp"> {
  let summary = "lut.mpgemm as a shared-memory table-lookup GPU kernel";
  let description = [{
    Replaces each `lut.mpgemm` of fp (f32, f16, bf16) or int8 activations
    (given with `x_scale`, or quantized on the host for `act_quant`) over a `lut.pack` of constants by a `gpu.launch` of the
    bit-serial table-lookup kernel of lut.md §4.5 over host buffers
    (`loom-gpu-device-copies` stages them through device memory once the
    program is bufferized). The weight is
    folded at compile time into 32-bit words of bit-plane indices, word w of
    plane p of row m at (w * planes + p) * Mpad + m, so the threads of a
    warp, one output row each, read consecutive words; scales and
    `-s * z - min` become per-(segment, row) fp32 tables. A block of
    `block-rows` threads holds `rows-per-thread` x `block-rows` rows (the
    tile elongated along M, the axis its tables are reused on) of one
    column of Y (N below `block-columns`: decode) or of `block-columns`
    columns (larger N; a run-time choice on N), so that each weight word a
    thread loads serves every column of its block.
    For each chunk of `k-chunk` K a block builds its columns' 16-entry
    tables T[u] = sum_l (2 bit_l(u) - 1) x_l in workgroup memory (all 16
    entries, so a lookup needs no sign fix-up; the entry of index 15 is the
    group's activation sum), then each thread looks its row's plane
    indices up and adds
    `s * (kappa * sum_p 2^p T[u_p] + c * T[15]) + (-s z - min) * T[15]`.
    Tables stay fp32 (the `fp` accuracy contract, tighter than `table_i8`).
    With int8 activations the kernel keeps the `exact` contract (lut.md
    §1.4): int32 tables, each segment's sum of x * (v(q) - z) exact in
    int32 (the doubled group sum halved; zero points subtracted as
    integers) and closed with fl(s_x * s) * fl(sum); no split-K there.
    `interpret` emits the same kernel with its blocks and threads as host
    loops and no device memory, as Triton's interpreter runs kernels on the
    CPU: the kernel's arithmetic is then tested on machines without a GPU.
    For large N (fp activations), the lookups' cost grows with N while a
    GEMM's per-token cost is far lower: from `dequantize-from-n` on, the
    MoE grouped GEMM kernel, with one expert and no epilogue, computes Y
    (its wide tile on tensor cores with `tensor-cores`), decoding each
    weight slice it stages from the plane words (the very values the
    lookups sum with), so the weight is read packed and never written
    dense. The default crossover is the roofline's on an H200: each row
    block's decoding and each token's multiply-adds against the tokens'
    lookups.
    Unsupported forms (weights that are not constants, scale groups that
    split a lookup group of 4, activation scale blocks that do not align
    with them) are errors at the op.
  }];
  let options = [
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"128",
           "Rows of Y per thread block (one per thread; a multiple of 32)">,
    Option<"kChunk", "k-chunk", "int64_t", /*default=*/"128",
           "K elements whose tables a block builds at a time (a multiple "
           "of 32; 4 * k-chunk must be a multiple of block-rows)">,
    Option<"rowsPerThread", "rows-per-thread", "int64_t", /*default=*/"2",
           "Rows of Y each thread computes: the tile elongated along M, the "
           "axis its tables are reused on, so that a block's tables serve "
           "block-rows x rows-per-thread rows (1 to 8; GEMMs of fewer rows "
           "take fewer)">,
    Option<"blockColumns", "block-columns", "int64_t", /*default=*/"8",
           "Columns of Y (tokens) per thread block when N is at least this "
           "(1 to 16); smaller N takes one per block">,
    Option<"targetBlocks", "target-blocks", "int64_t", /*default=*/"512",
           "Blocks a one-token GEMM should have: K is split across ceil("
           "target-blocks / row blocks) blocks (at most one per chunk; f32 "
           "results only), which add their sums atomically">,
    Option<"dequantizeFromN", "dequantize-from-n", "int64_t",
           /*default=*/"-1",
           "The N from which fp-activation GEMMs run a GEMM kernel that "
           "decodes the weight slices it stages, instead of the lookups (0: "
           "never; -1: the roofline crossover)">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"false",
           "Run that GEMM's wide tile on tensor cores (TF32 mma.sync)">,
    Option<"fillBlocks", "fill-blocks", "int64_t", /*default=*/"264",
           "Grouped GEMMs of fewer than 32 rows per expert whose grid of "
           "16 x 128 blocks would have fewer blocks than this take 16 x 32 "
           "blocks (four times as many, for the same weight bytes; 0: "
           "never). 264 is two per SM of an H100 or H200">,
    Option<"interpret", "interpret", "bool", /*default=*/"false",
           "Emit the kernel as host loops instead of a gpu.launch">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report each GEMM's kernel choices (tile, split-K, the N from "
           "which it decodes) and what made them as remarks">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertMoEToGPU : Pass<"convert-moe-to-gpu", "::mlir::ModuleOp"> {
  let summary = "moe routing, row moves and grouped GEMMs as GPU kernels";
  let description = [{
    moe.md §3.6, over host buffers that `loom-gpu-device-copies` stages
    through device memory once the program is bufferized:

    - a `moe.topk` of a `moe.gate` (group-limited too) becomes one
      routing kernel, a block per token: its threads share the E dot
      products over d, and the block's first thread scores, selects and
      weighs the experts as the host lowering does; the gate's scores are
      the kernel's too;
    - a dropless `moe.assign` over topk's ids (grouped layout, unit
      alignment, no priority, its capacity unread: R = T * k) becomes one
      block that numbers each expert's slots in slot-major order, and the
      element-wise maps of its row map (each row's token and weight)
      kernels of a thread per row, so the plan never leaves the device;
      other plans stay for the host lowering;
    - `moe.grouped_matmul` becomes one launch over every expert's rows:
      blocks of one expert's rows (found from the offsets; the grid sized
      by their count on the host, or by its bound for a device plan) by
      output columns: 64 x 64, below 32 rows per expert 16 x 128 or
      16 x 32, below 4 row vectors (a run-time choice); 16-deep slices of the rows (gathered through the row map of
      a fused dispatch) and of the expert's weight rows staged in workgroup
      memory; a register tile per thread (gate and up tiles together for
      SwiGLU / GeGLU), or TF32 tensor-core tiles with `tensor-cores`; and
      the bias, activation and row scale in the epilogue. With a fused
      combine (`scatter`) the rows go to a buffer that a scatter kernel
      adds into the init (a zero one is not read) in expert order, one
      thread per column: each sum has one order and no atomics;
    - a pre-score `moe.dispatch` that follows a `moe.assign` plan, and
      `moe.combine`, become row-copy and slot-order sum kernels;
    - `moe.aux_loss` becomes one block that sums in f64 in the host's
      order.

    f16 and bf16 activations, weights and results are loaded widened,
    computed in f32 and rounded where the host lowering stores.
    `interpret` emits the same
    kernels with their blocks and threads as host loops, the tensor cores'
    warp-wide products emulated from each thread's fragments.
  }];
  let options = [
    Option<"interpret", "interpret", "bool", /*default=*/"false",
           "Emit the kernels as host loops instead of gpu.launch ops">,
    Option<"tensorCores", "tensor-cores", "bool", /*default=*/"false",
           "Run the grouped GEMMs' wide tile on tensor cores (sm_80 and "
           "later): f16 mma.sync m16n8k16 for f16 layers, else TF32 "
           "m16n8k8 (operands rounded to 10-bit mantissas); sums in f32">,
    Option<"fillBlocks", "fill-blocks", "int64_t", /*default=*/"264",
           "Grouped GEMMs of fewer than 32 rows per expert whose grid of "
           "16 x 128 blocks would have fewer blocks than this take 16 x 32 "
           "blocks (four times as many, for the same weight bytes; 0: "
           "never). 264 is two per SM of an H100 or H200">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report each grouped GEMM's block shapes, the rows per expert "
           "that choose them, and each plan left on the host and why, as "
           "remarks">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertMoEToLoops : Pass<"convert-moe-to-loops", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of the moe dialect to scf loops";
  let description = [{
    Lowers every `moe` op (a `moe.layer` is decomposed first) to `scf.for`
    loops over tensors with the exact semantics of moe.md §1: softmax or
    sigmoid gate, top-k by repeated first-index-of-max (ties to the lower
    expert id) with group-limited routing, renormalization and scaling,
    Tutel's capacity rule, slot-major locations in token or priority order,
    grouped or padded row layouts, dispatch, per-expert GEMMs with their
    epilogue, and combine in slot order. Expert ids outside [0, E) are
    dropped and row indices are bounds-checked, so malformed routing data
    cannot make the code read or write out of bounds.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::loom::lut::LutDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvertMoEToVector : Pass<"convert-moe-to-vector", "::mlir::ModuleOp"> {
  let summary = "Lower moe.grouped_matmul to a tiled, multithreaded vector kernel";
  let description = [{
    Rewrites every `moe.grouped_matmul` into a loop nest of `vector` code
    (moe.md §3.4): per expert, an `scf.forall` over column tiles of the
    output; in each, register tiles of rows x weight rows (the op's `tile`,
    else `row-tile` x `column-tile`) hold one `vector<16xf32>` accumulator per pair
    and walk K sixteen elements at a time (weights stay in their [E, N, K]
    layout: both operands are contiguous along K, so nothing is packed per
    call); a butterfly folds each tile's accumulators into vectors of 16
    sums, and the epilogue (bias, activation, gate times up for `swiglu` /
    `geglu`, row scale) runs on those vectors. Rows left over after the
    full tiles take a tile of exactly their height; K past the last whole
    step is read masked. The activations' `math.exp` / `erf` / `tanh` on
    vectors are replaced by upstream's polynomial approximations.
    A GEMM's `gather` reads its rows from x through the row map (clamped
    indices; invalid rows are dropped at the store) and its `scatter` adds
    each result row into its token's row, one writer per column tile.
    `moe.topk` without expert groups becomes k selection rounds on one
    vector of the token's scores (maxnumf reduction, first matching lane,
    mask), bit-identical to the reference lowering.
    Every thread computes the same share of every expert's columns, so
    the time follows the routed rows, and results do not depend on the
    thread count.
  }];
  let options = [
    Option<"rowTile", "row-tile", "int64_t", /*default=*/"4",
           "dispatched rows per register tile of GEMMs without a `tile`">,
    Option<"columnTile", "column-tile", "int64_t", /*default=*/"6",
           "weight rows per register tile of GEMMs without a `tile` (even: "
           "gated epilogues pair gate and up rows; the tile's accumulators "
           "fit the 32 vector registers, as #moe.tile's)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertWorkflowToFunc : Pass<"convert-wf-to-func", "::mlir::ModuleOp"> {
  let summary = "Reference lowering of wf graphs of tensor computations";
  let description = [{
    Turns each `wf.graph` whose nodes are tensor computations into a
    `func.func` that runs them as plain sequential code: `wf.compute`
    regions are inlined, `wf.call` (from graphs or functions) becomes `func.call`, numeric `wf.const`
    and `wf.param.get` (a parameter's initial value) become
    `arith.constant`, and `wf.feedback` (inert for execution) is dropped.
    Module-level `wf` declarations are erased afterwards. LLM, tool, code
    and text nodes need the workflow runtime (`convert-wf-to-runtime`); this
    pass rejects them with a located error.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def ConvertWorkflowToRuntime : Pass<"convert-wf-to-runtime", "::mlir::ModuleOp"> {
  let summary = "Compile wf graphs to task tables for the workflow runtime";
  let description = [{
    wf.md §8.1: builds the task table of every `wf.graph` (each region a
    sub-table; objectives and `#wf.sched` priorities included), embeds
    their binary encoding as the constant `__loom_wf_program`, and defines
    `llvm.func @loom_wf_program(!llvm.ptr) -> !llvm.ptr`, which stores the
    encoding's size and returns its address; `llvm.func @loom_wf_trace()
    -> !llvm.ptr` returns the NUL-terminated trace snapshots that
    `wf-extract-trace` attached to the module as `wf.trace` (`{}` without
    one), on which `loom-run --trace` takes a run's trace. The `wf` ops are erased. The
    executor, the journal and the backends are the runtime's
    (`lib/Runtime/Workflow`); `loom-run` binds the backends and runs a
    graph from the library. Each `wf.compute` body becomes a public
    `func.func @__loom_wf_compute_<n>` over its tensor operands and
    results (static shapes) and rank-0 tensors boxing its i1, i64 and f64
    ones, which loom-compile compiles into the same library as an entry
    point and `loom-run` binds. Ops the runtime cannot run yet (`wf.call`
    before inlining, a `wf.compute` passing a rank-0 or dynamically shaped
    tensor, code defined by `impl`, a code parameter in a language other
    than Python) get a located error. A code def whose `source` is a
    Python code parameter becomes a row naming the parameter: the runtime
    runs the parameter's current text (docs: RationaleWf.md).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_CONVERSION_PASSES_TD

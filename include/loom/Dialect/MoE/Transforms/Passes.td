#ifndef LOOM_DIALECT_MOE_TRANSFORMS_PASSES_TD
#define LOOM_DIALECT_MOE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MoESelectStrategy : Pass<"moe-select-strategy"> {
  let summary = "Choose each moe.layer's strategy and GEMM tile by a cost model";
  let description = [{
    Sets `strategy = #moe.strategy<kind, tile = <rows = R, weight_rows = W>>`
    on every `moe.layer` that has none: `grouped`, `padded` or `dense`
    (moe.md §3.2), with the grouped GEMM kernel's register tile. This is
    the `moe.dispatch` decision of costmodel.md, and this pass owns it:

    - A layer carrying a `loom.decision` (pinned by hand, replayed, or made
      by `loom-decide`) takes that decision.
    - With `cost-model=auto` or a model directory, the learned
      `moe.dispatch` model for the `isa`'s target class ranks the layer's
      knob space (`TunableOpInterface`) and the choice is recorded as
      `loom.decision` with `source = "learned"` next to the strategy.
    - Otherwise (`cost-model=roofline`, no model for the class, or a fixed
      `row-tile`) the analytical model of `StrategyModel.h` chooses from
      every tile that fits the registers, with the host figures below. The
      default tile, this project's best measured one, is kept unless
      another is modeled more than 2 % faster.

    `dense` is considered for dropless post-score layers only; a layer with
    an explicit `layout` keeps its layout. The `strategy` option fixes the
    strategy (the tile is still chosen), and `row-tile` with `weight-rows`
    the tile: together they pin one candidate, as a sweep needs. For a dynamic T the choice is
    made at T = 1, 8, 32, 128, 512 and 2048 (the buckets 1, <= 8, <= 32,
    <= 128, <= 512 and more); when the buckets disagree, the layer becomes
    an `scf.index_switch` on T's bucket with one specialized copy per run
    of equal choices. Layers with low-bit (`!lut.stacked`) experts are left
    to the grouped default: the lut kernels they lower to are chosen by
    `lut.gemm` decisions.

    `dump-decisions` records what each layer runs in a decision file (see
    `loom-decide`): one `#moe.strategy` for a static T, an array of one per
    T bucket for a dynamic T. `load-decisions` pins them before anything
    is chosen — a single `#moe.strategy` then holds for every T — and
    refuses one that contradicts the layer's layout or drops tokens it
    must keep.

    There is no separate `decode` strategy on the CPU: the grouped kernel
    at a few rows per expert streams only the selected experts' weights,
    once each, split over threads by columns (moe.md §3.4's decode path);
    the model reports such layers as bandwidth-bound.

    The analytical host figures default to this project's measurements on
    one AMD Zen 5 core (the read probe of `bench/run moe`).
  }];
  let options = [
    Option<"peakGflops", "peak-gflops", "double", /*default=*/"140.0",
           "f32 GFLOP/s of one core at full FMA issue">,
    Option<"bandwidth", "bandwidth-gbps", "double", /*default=*/"36.0",
           "DRAM read bandwidth at the thread count below, GB/s">,
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "Threads the compiled layer runs on">,
    Option<"rowTile", "row-tile", "int64_t", /*default=*/"0",
           "Fix the tile's rows (with weight-rows; 0: the model chooses)">,
    Option<"weightRows", "weight-rows", "int64_t", /*default=*/"0",
           "Fix the tile's weight rows (with row-tile; 0: the model chooses)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark with each choice and its modeled time">,
    Option<"strategy", "strategy", "std::string", /*default=*/"\"\"",
           "Fix the strategy: grouped, padded or dense (empty: the model "
           "chooses; a layer's layout still wins)">,
    Option<"costModel", "cost-model", "std::string",
           /*default=*/"\"roofline\"",
           "auto (the shipped learned model, else the analytical one), "
           "roofline (the analytical model) or a directory of models">,
    Option<"isa", "isa", "std::string", /*default=*/"\"avx512\"",
           "The kernels' vector ISA: names the target class of the model">,
    Option<"cpu", "cpu", "std::string", /*default=*/"\"\"",
           "The CPU the kernels run on, by LLVM's name (as -mcpu): its own "
           "models and calibration where Loom ships them, else the ISA "
           "class's; empty for any CPU of the ISA">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the learned model's three best candidates of each layer "
           "(per T bucket), their costs and the model as remarks">,
    Option<"loadDecisions", "load-decisions", "std::string",
           /*default=*/"\"\"",
           "Pin the strategies of this file's moe-select-strategy section "
           "(written by dump-decisions) first; an entry whose layer changed "
           "is an error">,
    Option<"dumpDecisions", "dump-decisions", "std::string",
           /*default=*/"\"\"",
           "Write every layer's strategies to this JSON file's "
           "moe-select-strategy section, keeping its other sections (the "
           "pass must run on a module)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::loom::LoomDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MoEDecompose : Pass<"moe-decompose"> {
  let summary = "Split moe.layer into routing and expert-compute ops";
  let description = [{
    Rewrites every `moe.layer` into `moe.gate`, `moe.topk`, optional
    `moe.aux_loss`, `moe.assign` (with the token priority max_e P[t, e]
    under batch-prioritized routing), `moe.dispatch`, two
    `moe.grouped_matmul` (the first with the FFN activation as its
    epilogue) and `moe.combine`. A shared expert becomes a one-expert
    `moe.grouped_matmul` pair over all tokens (its optional sigmoid gate a
    per-row scale) whose output initializes the combine.

    The layer's `strategy` picks the form: `grouped` (the default) and
    `padded` set assign's layout (an explicit `layout` wins) and put the
    strategy's tile on both expert GEMMs; `dense` runs every expert's FFN
    over all tokens as one-expert grouped GEMMs whose row scale is the
    token's combine weight for that expert (0 when not selected) and sums
    them in expert order, with no assign, dispatch or combine.

    Low-bit experts (`!lut.stacked` weights, grouped or padded) become, per
    expert, `lut.mpgemm` over `lut.gather_rows` of the expert's tokens, the
    FFN epilogue and a second `lut.mpgemm`, whose rows fill the buffer
    `moe.combine` reads; `lut-share-tables` later builds each token's
    activation tables once for all of its experts.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::loom::lut::LutDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MoEFuse : Pass<"moe-fuse"> {
  let summary = "Fold dispatch and combine into the expert GEMMs";
  let description = [{
    moe.md §3.3. A `moe.dispatch` without a pre-score scale only copies
    token rows into the grouped buffer: every `moe.grouped_matmul` reading
    that buffer instead reads x through `gather` (the row's token, from
    `moe.assign`'s row map). A `moe.combine` of the rows of a
    `moe.grouped_matmul` used nowhere else becomes that GEMM with the
    combine weights as its `row_scale` and `scatter ... into` the combine's
    init (or zeros): each output row is added into its token. Neither
    [R, d] buffer is written or read any more; sums over a token's experts
    run in expert order instead of slot order (equal up to rounding).
    Only row moves that follow a `moe.assign` plan are fused.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_DIALECT_MOE_TRANSFORMS_PASSES_TD

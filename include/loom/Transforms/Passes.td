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

#endif // LOOM_TRANSFORMS_PASSES_TD

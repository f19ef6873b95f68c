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

#endif // LOOM_TRANSFORMS_PASSES_TD

//===- WorkflowToRuntime.cpp - wf graphs to an embedded task table --------===//
//
// Workflow graphs run on the runtime's executor, which needs their tables,
// not code: the library carries the tables as a constant (as an IREE module
// carries its bytecode), so that the executor, its journal and its
// backends stay one implementation for compiled libraries and tests.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Conversion/WorkflowToRuntime/OutlineCompute.h"
#include "loom/Conversion/WorkflowToRuntime/TaskTable.h"
#include "loom/Dialect/Workflow/IR/WorkflowOps.h"

namespace mlir::loom {
#define GEN_PASS_DEF_CONVERTWORKFLOWTORUNTIME
#include "loom/Conversion/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// An internal constant `name` holding `bytes`, at the end of `module`.
LLVM::GlobalOp embedBytes(OpBuilder &b, ModuleOp module, StringRef name,
                          StringRef bytes) {
  b.setInsertionPointToEnd(module.getBody());
  auto i8 = IntegerType::get(module.getContext(), 8);
  return LLVM::GlobalOp::create(b, module.getLoc(),
                                LLVM::LLVMArrayType::get(i8, bytes.size()),
                                /*isConstant=*/true, LLVM::Linkage::Internal,
                                name, b.getStringAttr(bytes));
}

struct ConvertWorkflowToRuntimePass
    : mlir::loom::impl::ConvertWorkflowToRuntimeBase<
          ConvertWorkflowToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(wf::outlineComputeBodies(module)))
      return signalPassFailure();
    FailureOr<wfrt::Program> program = wf::buildTaskTables(module);
    if (failed(program))
      return signalPassFailure();
    std::string bytes = wfrt::serializeProgram(*program);
    // wf-extract-trace's JSON from before optimization (`attach`), for
    // the runtime to fill with a run's values; "{}" without feedback.
    std::string trace = "{}";
    if (auto attr = module->getAttrOfType<StringAttr>("wf.trace"))
      trace = attr.str();
    module->removeAttr("wf.trace");
    trace.push_back('\0');

    for (Operation &op : llvm::make_early_inc_range(module.getOps()))
      if (isa<wf::WfDialect>(op.getDialect()))
        op.erase();

    MLIRContext *ctx = module.getContext();
    Location loc = module.getLoc();
    OpBuilder b(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto table = embedBytes(b, module, "__loom_wf_program", bytes);
    auto fn = LLVM::LLVMFuncOp::create(b, loc, "loom_wf_program",
                                       LLVM::LLVMFunctionType::get(ptr, {ptr}));
    Block *entry = fn.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    Value size = LLVM::ConstantOp::create(
        b, loc, i64, b.getI64IntegerAttr(static_cast<int64_t>(bytes.size())));
    LLVM::StoreOp::create(b, loc, size, entry->getArgument(0));
    Value address = LLVM::AddressOfOp::create(b, loc, table);
    LLVM::ReturnOp::create(b, loc, address);

    auto traceText = embedBytes(b, module, "__loom_wf_trace", trace);
    auto traceFn = LLVM::LLVMFuncOp::create(
        b, loc, "loom_wf_trace", LLVM::LLVMFunctionType::get(ptr, {}));
    b.setInsertionPointToStart(traceFn.addEntryBlock(b));
    LLVM::ReturnOp::create(b, loc,
                           LLVM::AddressOfOp::create(b, loc, traceText));
  }
};

} // namespace

//===- JitModule.cpp - Compile MLIR text with Loom and JIT it -------------===//

#include "JitModule.h"

#include "loom/InitAllDialects.h"
#include "loom/Pipelines/Pipelines.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;

std::unique_ptr<mlir::loom::test::JitModule>
mlir::loom::test::JitModule::compile(const std::string &source, std::string &error) {
  static bool initialized = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)initialized;

  auto jit = std::unique_ptr<JitModule>(new JitModule());
  jit->context = std::make_unique<MLIRContext>();
  mlir::loom::registerAllDialects(*jit->context);
  llvm::raw_string_ostream os(error);
  ScopedDiagnosticHandler handler(jit->context.get(), [&](Diagnostic &diag) {
    os << diag.getLocation() << ": " << diag << "\n";
    return success();
  });

  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(source, jit->context.get());
  if (!module)
    return nullptr;
  PassManager pm = PassManager::on<ModuleOp>(jit->context.get());
  mlir::loom::ReferencePipelineOptions options;
  mlir::loom::buildReferencePipeline(pm, options);
  if (failed(pm.run(*module)))
    return nullptr;

  // ExecutionEngineOptions holds a function_ref: keep the callable alive.
  auto optimize = makeOptimizingTransformer(2, 0, nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine) {
    os << llvm::toString(engine.takeError());
    return nullptr;
  }
  jit->engine = std::move(*engine);
  return jit;
}

uint16_t mlir::loom::test::toF16(float value) {
  _Float16 half = static_cast<_Float16>(value);
  uint16_t bits;
  std::memcpy(&bits, &half, 2);
  return bits;
}

float mlir::loom::test::fromF16(uint16_t bits) {
  _Float16 half;
  std::memcpy(&half, &bits, 2);
  return static_cast<float>(half);
}

uint16_t mlir::loom::test::toBF16(float value) {
  uint32_t u;
  std::memcpy(&u, &value, 4);
  u += 0x7FFF + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

float mlir::loom::test::fromBF16(uint16_t bits) {
  uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

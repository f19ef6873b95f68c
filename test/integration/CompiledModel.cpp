//===- CompiledModel.cpp - Compile MLIR text into a model library ---------===//

#include "CompiledModel.h"

#include "loom/Compiler/CompileModel.h"
#include "loom/InitAllDialects.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;

std::unique_ptr<loom::test::CompiledModel>
loom::test::CompiledModel::compile(const std::string &source,
                                   std::string &error, Pipeline pipeline,
                                   const std::string &isa) {
  MLIRContext context;
  registerAllDialects(context);
  llvm::raw_string_ostream os(error);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    os << diag.getLocation() << ": " << diag << "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module)
    return nullptr;
  // loom-compile's driver, with the pipeline's table layout and isa pinned.
  ModelCompileOptions options;
  options.referencePipeline = pipeline == Pipeline::Reference;
  if (!options.referencePipeline)
    options.pipelineOptions = "isa=" + isa + " symmetrize-tables=" +
                              (pipeline == Pipeline::Cpu ? "true" : "false");
  std::unique_ptr<llvm::TargetMachine> machine =
      createHostTargetMachine(options.codegen, error);
  if (!machine)
    return nullptr;
  CompileError failure;
  FailureOr<LoweredModel> lowered =
      lowerModel(*module, *machine, options, /*toLoops=*/false,
                 /*requireEntries=*/true, failure);
  if (failed(lowered)) {
    os << failure.message;
    return nullptr;
  }

  auto model = std::unique_ptr<CompiledModel>(new CompiledModel());
  SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("loom-test-model", "so", path)) {
    os << "cannot create a temporary file";
    return nullptr;
  }
  model->path = std::string(path);
  if (failed(buildSharedLibrary(*module, *lowered->entries, options.codegen,
                                model->path, error)))
    return nullptr;
  model->library = ::mlir::loom::ModelLibrary::open(model->path, error);
  return model->library ? std::move(model) : nullptr;
}

loom::test::CompiledModel::~CompiledModel() {
  library.reset();
  if (!path.empty())
    llvm::sys::fs::remove(path);
}

LoomTensor *loom::test::CompiledModel::tensor(const void *data,
                                              std::vector<int64_t> shape,
                                              LoomDType dtype) const {
  return api().tensor_create(const_cast<void *>(data), shape.data(),
                             static_cast<int64_t>(shape.size()), dtype, 0);
}

LoomTensorList *loom::test::CompiledModel::run(const std::string &entry,
                                               std::vector<LoomTensor *> inputs,
                                               std::string &error) const {
  LoomTensorList *list = api().tensor_list_create(
      inputs.data(), static_cast<int64_t>(inputs.size()));
  LoomTensorList *outputs = nullptr;
  LoomStatus status = api().run(entry.c_str(), list, &outputs);
  api().tensor_list_destroy(list);
  if (status != LOOM_OK) {
    error = api().last_error();
    return nullptr;
  }
  return outputs;
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

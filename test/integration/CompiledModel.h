//===- CompiledModel.h - Compile MLIR text into a model library -*- C++ -*-===//
//
// The integration tests write a small MLIR function per case and build it
// the way loom-compile does (loom-reference-pipeline, object code, the
// generated entry-point table, a shared library), then call it through the
// C runtime ABI, input checks included, on tensors they fill themselves.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_INTEGRATION_COMPILEDMODEL_H
#define LOOM_TEST_INTEGRATION_COMPILEDMODEL_H

#include "loom/Runtime/ModelLibrary.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir::loom::test {

/// Which of Loom's pipelines lowers the model: the reference lowerings, or
/// the CPU pipeline with mirrored half tables or with full tables.
enum class Pipeline { Reference, Cpu, CpuFullTables };

class CompiledModel {
public:
  /// Parses, lowers and builds `source` into a temporary shared library and
  /// opens it; on failure returns null and puts the diagnostics in `error`.
  /// `isa` is the CPU pipeline's byte shuffle (avx512, avx2, generic).
  static std::unique_ptr<CompiledModel>
  compile(const std::string &source, std::string &error,
          Pipeline pipeline = Pipeline::Reference,
          const std::string &isa = "generic");
  ~CompiledModel();

  /// A non-owning tensor over `data` (created by the model's own runtime).
  LoomTensor *tensor(const void *data, std::vector<int64_t> shape,
                     LoomDType dtype) const;

  /// Runs `entry`; takes ownership of `inputs`. Returns the outputs (owned
  /// by the caller), or null with `error` set to the runtime's message.
  LoomTensorList *run(const std::string &entry,
                      std::vector<LoomTensor *> inputs,
                      std::string &error) const;

  const ::mlir::loom::RuntimeApi &api() const { return library->api(); }

private:
  CompiledModel() = default;
  std::string path;
  std::unique_ptr<::mlir::loom::ModelLibrary> library;
};

/// The elements of output `index` of `outputs`, copied, as `T`.
template <typename T>
std::vector<T> outputValues(const ::mlir::loom::RuntimeApi &api,
                            const LoomTensorList *outputs, int64_t index) {
  const LoomTensor *t = api.tensor_list_get(outputs, index);
  const T *data = static_cast<const T *>(api.tensor_data(t));
  return std::vector<T>(data, data + api.tensor_num_elements(t));
}

/// IEEE binary16 and bfloat16 storage, round-to-nearest-even.
uint16_t toF16(float value);
float fromF16(uint16_t bits);
uint16_t toBF16(float value);
float fromBF16(uint16_t bits);

} // namespace mlir::loom::test

#endif // LOOM_TEST_INTEGRATION_COMPILEDMODEL_H

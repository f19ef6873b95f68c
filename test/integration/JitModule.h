//===- JitModule.h - Compile MLIR text with Loom and JIT it -----*- C++ -*-===//
//
// The integration tests write a small MLIR function per case, lower it with
// loom-reference-pipeline, JIT it and call its _mlir_ciface_ wrapper on
// buffers they fill themselves.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TEST_INTEGRATION_JITMODULE_H
#define LOOM_TEST_INTEGRATION_JITMODULE_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/MLIRContext.h"

#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace mlir::loom::test {

class JitModule {
public:
  /// Parses, lowers and JIT-compiles `source`; on failure returns null and
  /// puts the diagnostics into `error`.
  static std::unique_ptr<JitModule> compile(const std::string &source,
                                            std::string &error);

  /// The C-interface wrapper of function `name`, cast to `Fn`.
  template <typename Fn>
  Fn lookup(const std::string &name) {
    auto sym = engine->lookup("_mlir_ciface_" + name);
    if (!sym) {
      llvm::consumeError(sym.takeError());
      return nullptr;
    }
    return reinterpret_cast<Fn>(*sym);
  }

private:
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ExecutionEngine> engine;
};

/// A ranked memref descriptor viewing `data` with a row-major `shape`.
template <typename T, int N>
StridedMemRefType<T, N> view(T *data, std::array<int64_t, N> shape) {
  StridedMemRefType<T, N> d;
  d.basePtr = d.data = data;
  d.offset = 0;
  int64_t stride = 1;
  for (int i = N - 1; i >= 0; --i) {
    d.sizes[i] = shape[i];
    d.strides[i] = stride;
    stride *= shape[i];
  }
  return d;
}

template <typename T, int N>
StridedMemRefType<T, N> view(std::vector<T> &data,
                             std::array<int64_t, N> shape) {
  return view<T, N>(data.data(), shape);
}

/// Copies a row-major result out of a descriptor the compiled code
/// allocated, and frees it.
template <typename T, int N>
std::vector<T> takeResult(StridedMemRefType<T, N> &d) {
  int64_t count = 1;
  for (int i = 0; i < N; ++i)
    count *= d.sizes[i];
  std::vector<T> out(count);
  std::array<int64_t, N> index{};
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rem = flat, off = d.offset;
    for (int i = N - 1; i >= 0; --i) {
      index[i] = rem % d.sizes[i];
      rem /= d.sizes[i];
      off += index[i] * d.strides[i];
    }
    out[flat] = d.data[off];
  }
  free(d.basePtr);
  return out;
}

/// IEEE binary16 and bfloat16 storage, round-to-nearest-even.
uint16_t toF16(float value);
float fromF16(uint16_t bits);
uint16_t toBF16(float value);
float fromBF16(uint16_t bits);

} // namespace mlir::loom::test

#endif // LOOM_TEST_INTEGRATION_JITMODULE_H

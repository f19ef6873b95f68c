//===- ModelLibrary.h - A compiled model opened with dlopen -----*- C++ -*-===//
//
// A model library carries its own copy of Loom's runtime (linked
// statically), so a host program must use that copy: tensors made by one
// copy and errors set by another would not meet. ModelLibrary resolves the
// whole runtime API from the library itself.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_MODELLIBRARY_H
#define LOOM_RUNTIME_MODELLIBRARY_H

#include "loom-c/Runtime.h"

#include <memory>
#include <string>

namespace mlir::loom {

/// The runtime functions of one model library, named as in
/// loom-c/Runtime.h without the `loom_` prefix.
struct RuntimeApi {
#define LOOM_RUNTIME_FUNCTIONS(X)                                              \
  X(dtype_size) X(dtype_name) X(tensor_create) X(tensor_create_zeros)          \
  X(tensor_destroy) X(tensor_data) X(tensor_dtype) X(tensor_rank)              \
  X(tensor_shape) X(tensor_num_elements) X(tensor_list_create)                 \
  X(tensor_list_destroy) X(tensor_list_size) X(tensor_list_get)                \
  X(last_error) X(set_num_threads) X(entry_points) X(signature) X(run)
#define LOOM_DECLARE(name) decltype(&::loom_##name) name = nullptr;
  LOOM_RUNTIME_FUNCTIONS(LOOM_DECLARE)
#undef LOOM_DECLARE
};

class ModelLibrary {
public:
  /// Opens `path` and resolves its runtime; null with `error` set if it is
  /// not a Loom model.
  static std::unique_ptr<ModelLibrary> open(const std::string &path,
                                            std::string &error);
  ~ModelLibrary();

  const RuntimeApi &api() const { return runtime; }
  /// A symbol the library exports, or null.
  void *lookup(const char *symbol) const;

private:
  ModelLibrary() = default;
  void *handle = nullptr;
  RuntimeApi runtime;
};

} // namespace mlir::loom

#endif // LOOM_RUNTIME_MODELLIBRARY_H

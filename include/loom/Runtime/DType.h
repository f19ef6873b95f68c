//===- DType.h - Names and sizes of the C API's element types --*- C++ -*-===//
//
// Header-only, so that the model runtime (linked into every model library)
// and the workflow runtime (linked into the host tools, which use a model's
// own runtime copy) read one table without linking each other.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_DTYPE_H
#define LOOM_RUNTIME_DTYPE_H

#include "loom-c/Runtime.h"

#include <cstddef>

namespace mlir::loom::runtime {

/// An element type's name and bytes per element; {"", 0} for a value that
/// names no type (the C API's int32_t fields may hold any).
struct DTypeInfo {
  const char *name;
  size_t size;
};

constexpr DTypeInfo dtypeInfo(int32_t dtype) {
  switch (dtype) {
  case LOOM_F32:
    return {"f32", 4};
  case LOOM_F64:
    return {"f64", 8};
  case LOOM_F16:
    return {"f16", 2};
  case LOOM_BF16:
    return {"bf16", 2};
  case LOOM_I8:
    return {"i8", 1};
  case LOOM_I16:
    return {"i16", 2};
  case LOOM_I32:
    return {"i32", 4};
  case LOOM_I64:
    return {"i64", 8};
  case LOOM_BOOL:
    return {"bool", 1};
  default:
    return {"", 0};
  }
}

} // namespace mlir::loom::runtime

#endif // LOOM_RUNTIME_DTYPE_H

//===- Errors.h - The runtime's per-thread last error -----------*- C++ -*-===//
#ifndef LOOM_LIB_RUNTIME_ERRORS_H
#define LOOM_LIB_RUNTIME_ERRORS_H

#include "loom-c/Runtime.h"

#include <cstdarg>

namespace mlir::loom::runtime {

/// Sets this thread's last error from a printf-style message.
void setErrorV(const char *format, va_list args);

/// Sets the last error and returns `value`, so that a check reads
/// `return fail(nullptr, "...", ...)`.
template <typename T>
__attribute__((format(printf, 2, 3))) T fail(T value, const char *format, ...) {
  va_list args;
  va_start(args, format);
  setErrorV(format, args);
  va_end(args);
  return value;
}

/// A tensor over `data` that frees `allocation` (null: not owning).
LoomTensor *makeTensor(void *data, void *allocation, const int64_t *shape,
                       int64_t rank, LoomDType dtype);

} // namespace mlir::loom::runtime

#endif // LOOM_LIB_RUNTIME_ERRORS_H

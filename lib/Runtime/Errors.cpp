//===- Errors.cpp - The runtime's per-thread last error -------------------===//

#include "Errors.h"

#include <cstdio>

namespace {
thread_local char lastError[1024] = "";
} // namespace

void mlir::loom::runtime::setErrorV(const char *format, va_list args) {
  std::vsnprintf(lastError, sizeof(lastError), format, args);
}

const char *loom_last_error(void) { return lastError; }

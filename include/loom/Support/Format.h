//===- Format.h - Small formatting helpers for diagnostics ------*- C++ -*-===//
#ifndef LOOM_SUPPORT_FORMAT_H
#define LOOM_SUPPORT_FORMAT_H

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::loom {

/// A number as people write it ("2.5", "0", "1e-05"): diagnostics print
/// doubles with %e otherwise.
inline std::string formatNumber(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%g", value);
  return text;
}

} // namespace mlir::loom

#endif // LOOM_SUPPORT_FORMAT_H

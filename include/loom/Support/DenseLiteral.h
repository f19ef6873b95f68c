//===- DenseLiteral.h - Raw bytes as an MLIR dense literal ------*- C++ -*-===//
//
// Header-only and free of LLVM, so that tools outside the compiler (the
// benchmarks) can write modules with it too.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_SUPPORT_DENSELITERAL_H
#define LOOM_SUPPORT_DENSELITERAL_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace mlir::loom {

/// The MLIR text of a dense elements attribute holding `size` raw bytes
/// (`dense<"0x...">`): the parser takes them as the tensor's storage, which
/// is how programs write modules with large constant weights.
inline std::string hexDenseLiteral(const void *data, size_t size) {
  static const char digits[] = "0123456789ABCDEF";
  std::string text = "dense<\"0x";
  text.reserve(text.size() + 2 * size + 2);
  for (size_t i = 0; i < size; ++i) {
    uint8_t byte = static_cast<const uint8_t *>(data)[i];
    text += digits[byte >> 4];
    text += digits[byte & 15];
  }
  return text + "\">";
}

} // namespace mlir::loom

#endif // LOOM_SUPPORT_DENSELITERAL_H

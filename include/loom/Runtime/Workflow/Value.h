//===- Value.h - Values that flow along workflow edges ----------*- C++ -*-===//
//
// A workflow value is text, a list, a scalar, a tensor (between compute
// nodes) or an ordering token; any of them may instead be errored (wf.md §2:
// errors are a state, not a type), carrying the kind, the message and the
// instance that failed first.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_VALUE_H
#define LOOM_RUNTIME_WORKFLOW_VALUE_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlir::loom::wfrt {

enum class ValueKind : uint8_t {
  Text,
  List,
  I1,
  I64,
  F64,
  Token,
  Error,
  Tensor
};

struct Value {
  Value() = default;
  explicit Value(ValueKind kind) : kind(kind) {}

  ValueKind kind = ValueKind::Token;
  /// Text, the error message, or a tensor's bytes (C order).
  std::string text;
  std::vector<Value> list;
  int64_t i = 0;
  double f = 0;
  /// Tensors only: the element type (loom-c's LoomDType) and the shape.
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  /// Errors only: the error class (`timeout`, `transport`, `error`) and the
  /// instance that failed.
  std::string errorKind, failedInstance;

  static Value makeText(std::string s);
  static Value makeList(std::vector<Value> elements);
  static Value makeI64(int64_t v);
  static Value makeI1(bool v);
  static Value makeF64(double v);
  static Value makeToken();
  static Value makeTensor(int32_t dtype, std::vector<int64_t> shape,
                          std::string bytes);
  static Value makeError(std::string kind, std::string message,
                         std::string instance);

  bool isError() const { return kind == ValueKind::Error; }
  /// Trace's rendering of a value: text as is, lists as `[a, b]`, a tensor
  /// as its type and up to eight elements (`tensor<4xf32> [1, 2, 3, 4]`),
  /// errors as `(<Kind>) <message>`.
  std::string render() const;
  bool operator==(const Value &other) const;
};

/// FNV-1a over bytes, then a 64-bit finalizer: content keys and the
/// simulator's outputs must be identical on every run and platform.
uint64_t hashBytes(std::string_view bytes, uint64_t seed = 0);
uint64_t hashCombine(uint64_t a, uint64_t b);
uint64_t hashValue(const Value &v);

/// The bytes a tensor of loom-c's `dtype` and `shape` holds; 0 for an
/// unknown type.
size_t tensorBytes(int32_t dtype, const std::vector<int64_t> &shape);

/// The bits of a double, for hashing and encoding.
uint64_t doubleBits(double x);

/// Little-endian 64-bit words, the unit of every encoding here.
void appendU64(uint64_t x, std::string &out);
/// Reads the word at `pos`; false if fewer than 8 bytes are left.
bool readU64(std::string_view in, size_t &pos, uint64_t &x);

/// Length-prefixed, binary-safe encoding for the journal.
void encodeValue(const Value &v, std::string &out);
/// Decodes one value at `pos`; false on malformed input.
bool decodeValue(std::string_view in, size_t &pos, Value &v);

/// The simulator's token model (wf.md §9.1): fixed 4-byte pieces.
inline int64_t countTokens(std::string_view text) {
  return (static_cast<int64_t>(text.size()) + 3) / 4;
}

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_VALUE_H

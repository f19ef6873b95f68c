//===- Json.h - The JSON the HTTP backend reads and writes ------*- C++ -*-===//
//
// The runtime links neither LLVM nor MLIR, so it carries this small reader
// (RFC 8259, UTF-8 throughout, \u escapes with surrogate pairs) and writer.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_JSON_H
#define LOOM_RUNTIME_WORKFLOW_JSON_H

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlir::loom::wfrt {

struct Json {
  enum class Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object
  } kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  /// Appends member `key` to an object (moved in: an initializer list
  /// would copy a large value).
  Json &add(std::string key, Json value) {
    object.emplace_back(std::move(key), std::move(value));
    return *this;
  }

  /// The member `key` of an object, or null.
  const Json *get(std::string_view key) const;
  Json *get(std::string_view key) {
    return const_cast<Json *>(static_cast<const Json *>(this)->get(key));
  }
};

/// Builders for the values the runtime writes.
Json jsonString(std::string s);
Json jsonBool(bool b);
Json jsonNumber(double n);
Json jsonArray(std::vector<Json> items = {});
Json jsonObject(std::vector<std::pair<std::string, Json>> members = {});

/// Parses all of `text`; false with `error` (and the byte offset) if it is
/// not one JSON value.
bool parseJson(std::string_view text, Json &value, std::string &error);

/// `s` as a JSON string literal.
std::string quoteJson(std::string_view s);

/// `value` as JSON text, members in their order, nested values indented
/// by two spaces (`compact`: on one line, no spaces).
std::string writeJson(const Json &value, bool compact = false);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_JSON_H

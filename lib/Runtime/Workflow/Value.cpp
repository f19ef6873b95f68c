//===- Value.cpp - Workflow values, hashing and encoding ------------------===//

#include "loom/Runtime/Workflow/Value.h"

#include <cstring>

namespace mlir::loom::wfrt {

Value Value::makeText(std::string s) {
  Value v(ValueKind::Text);
  v.text = std::move(s);
  return v;
}
Value Value::makeList(std::vector<Value> elements) {
  Value v(ValueKind::List);
  v.list = std::move(elements);
  return v;
}
Value Value::makeI64(int64_t x) {
  Value v(ValueKind::I64);
  v.i = x;
  return v;
}
Value Value::makeI1(bool x) {
  Value v(ValueKind::I1);
  v.i = x;
  return v;
}
Value Value::makeF64(double x) {
  Value v(ValueKind::F64);
  v.f = x;
  return v;
}
Value Value::makeToken() { return Value(); }

Value Value::makeError(std::string kind, std::string message,
                       std::string instance) {
  Value v(ValueKind::Error);
  v.errorKind = std::move(kind);
  v.text = std::move(message);
  v.failedInstance = std::move(instance);
  return v;
}

std::string Value::render() const {
  switch (kind) {
  case ValueKind::Text:
    return text;
  case ValueKind::List: {
    std::string s = "[";
    for (size_t k = 0; k < list.size(); ++k)
      s += (k ? ", " : "") + list[k].render();
    return s + "]";
  }
  case ValueKind::I1:
    return i ? "True" : "False";
  case ValueKind::I64:
    return std::to_string(i);
  case ValueKind::F64:
    return std::to_string(f);
  case ValueKind::Token:
    return "<token>";
  case ValueKind::Error: {
    // Trace renders a failed node as `(<ExceptionClass>) <message>`.
    const char *cls = errorKind == "timeout"     ? "TimeoutError"
                      : errorKind == "transport" ? "TransportError"
                                                 : "ExecutionError";
    return std::string("(") + cls + ") " + text;
  }
  }
  return {};
}

bool Value::operator==(const Value &o) const {
  return kind == o.kind && text == o.text && list == o.list && i == o.i &&
         f == o.f && errorKind == o.errorKind &&
         failedInstance == o.failedInstance;
}

uint64_t hashBytes(std::string_view bytes, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

uint64_t hashCombine(uint64_t a, uint64_t b) {
  return hashBytes(std::string_view(reinterpret_cast<const char *>(&b), 8), a);
}

uint64_t hashValue(const Value &v) {
  std::string bytes;
  encodeValue(v, bytes);
  return hashBytes(bytes);
}

uint64_t doubleBits(double x) {
  uint64_t bits;
  static_assert(sizeof bits == sizeof x);
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

void appendU64(uint64_t x, std::string &out) {
  out.append(reinterpret_cast<const char *>(&x), 8);
}

bool readU64(std::string_view in, size_t &pos, uint64_t &x) {
  if (in.size() - pos < 8)
    return false;
  std::memcpy(&x, in.data() + pos, 8);
  pos += 8;
  return true;
}

namespace {
void putString(const std::string &s, std::string &out) {
  appendU64(s.size(), out);
  out += s;
}
bool getString(std::string_view in, size_t &pos, std::string &s) {
  uint64_t n;
  if (!readU64(in, pos, n) || in.size() - pos < n)
    return false;
  s.assign(in.data() + pos, n);
  pos += n;
  return true;
}
} // namespace

void encodeValue(const Value &v, std::string &out) {
  out += static_cast<char>(v.kind);
  switch (v.kind) {
  case ValueKind::Text:
    putString(v.text, out);
    break;
  case ValueKind::List:
    appendU64(v.list.size(), out);
    for (const Value &e : v.list)
      encodeValue(e, out);
    break;
  case ValueKind::I1:
  case ValueKind::I64:
    appendU64(static_cast<uint64_t>(v.i), out);
    break;
  case ValueKind::F64:
    appendU64(doubleBits(v.f), out);
    break;
  case ValueKind::Token:
    break;
  case ValueKind::Error:
    putString(v.errorKind, out);
    putString(v.text, out);
    putString(v.failedInstance, out);
    break;
  }
}

bool decodeValue(std::string_view in, size_t &pos, Value &v) {
  if (pos >= in.size() || static_cast<uint8_t>(in[pos]) > 6)
    return false;
  v = Value();
  v.kind = static_cast<ValueKind>(in[pos++]);
  uint64_t x;
  switch (v.kind) {
  case ValueKind::Text:
    return getString(in, pos, v.text);
  case ValueKind::List:
    if (!readU64(in, pos, x) || x > in.size())
      return false;
    v.list.resize(x);
    for (Value &e : v.list)
      if (!decodeValue(in, pos, e))
        return false;
    return true;
  case ValueKind::I1:
  case ValueKind::I64:
    if (!readU64(in, pos, x))
      return false;
    v.i = static_cast<int64_t>(x);
    return true;
  case ValueKind::F64:
    if (!readU64(in, pos, x))
      return false;
    std::memcpy(&v.f, &x, 8);
    return true;
  case ValueKind::Token:
    return true;
  case ValueKind::Error:
    return getString(in, pos, v.errorKind) && getString(in, pos, v.text) &&
           getString(in, pos, v.failedInstance);
  }
  return false;
}

} // namespace mlir::loom::wfrt

//===- Value.cpp - Workflow values, hashing and encoding ------------------===//

#include "loom/Runtime/Workflow/Value.h"
#include "loom-c/Runtime.h"
#include "loom/Runtime/DType.h"

#include <cstdio>
#include <cstring>

namespace mlir::loom::wfrt {

using runtime::dtypeInfo;

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

Value Value::makeTensor(int32_t dtype, std::vector<int64_t> shape,
                        std::string bytes) {
  Value v(ValueKind::Tensor);
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.text = std::move(bytes);
  return v;
}

namespace {

/// Element `k` of a tensor, as Python prints it ("" for f16/bf16).
std::string element(const Value &v, size_t k) {
  const char *at = v.text.data() + k * dtypeInfo(v.dtype).size;
  auto get = [&](auto x) {
    std::memcpy(&x, at, sizeof x);
    return x;
  };
  auto real = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return std::string(buf);
  };
  switch (v.dtype) {
  case LOOM_F32:
    return real(get(float()));
  case LOOM_F64:
    return real(get(double()));
  case LOOM_I8:
    return std::to_string(get(int8_t()));
  case LOOM_I16:
    return std::to_string(get(int16_t()));
  case LOOM_I32:
    return std::to_string(get(int32_t()));
  case LOOM_I64:
    return std::to_string(get(int64_t()));
  case LOOM_BOOL:
    return get(uint8_t()) ? "True" : "False";
  default:
    return "";
  }
}

} // namespace

size_t tensorBytes(int32_t dtype, const std::vector<int64_t> &shape) {
  size_t n = dtypeInfo(dtype).size;
  for (int64_t d : shape)
    n = d < 0 ? 0 : n * size_t(d);
  return n;
}

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
  case ValueKind::Tensor: {
    std::string s = "tensor<";
    for (int64_t d : shape)
      s += std::to_string(d) + "x";
    s += std::string(dtypeInfo(dtype).name) + ">";
    size_t size = dtypeInfo(dtype).size, count = size ? text.size() / size : 0;
    if (count == 0 || element(*this, 0).empty())
      return s;
    s += " [";
    for (size_t k = 0; k < count && k < 8; ++k)
      s += (k ? ", " : "") + element(*this, k);
    return s + (count > 8 ? ", ...]" : "]");
  }
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
         f == o.f && dtype == o.dtype && shape == o.shape &&
         errorKind == o.errorKind && failedInstance == o.failedInstance;
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
  case ValueKind::Tensor:
    appendU64(static_cast<uint64_t>(v.dtype), out);
    appendU64(v.shape.size(), out);
    for (int64_t d : v.shape)
      appendU64(static_cast<uint64_t>(d), out);
    putString(v.text, out);
    break;
  case ValueKind::Error:
    putString(v.errorKind, out);
    putString(v.text, out);
    putString(v.failedInstance, out);
    break;
  }
}

bool decodeValue(std::string_view in, size_t &pos, Value &v) {
  if (pos >= in.size() ||
      static_cast<uint8_t>(in[pos]) > static_cast<uint8_t>(ValueKind::Tensor))
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
  case ValueKind::Tensor: {
    if (!readU64(in, pos, x))
      return false;
    v.dtype = static_cast<int32_t>(x);
    if (!readU64(in, pos, x) || x > in.size())
      return false;
    v.shape.resize(x);
    for (int64_t &d : v.shape) {
      if (!readU64(in, pos, x))
        return false;
      d = static_cast<int64_t>(x);
    }
    return getString(in, pos, v.text) &&
           tensorBytes(v.dtype, v.shape) == v.text.size() &&
           !std::string(dtypeInfo(v.dtype).name).empty();
  }
  }
  return false;
}

} // namespace mlir::loom::wfrt

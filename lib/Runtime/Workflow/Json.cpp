//===- Json.cpp - The JSON the HTTP backend reads and writes --------------===//

#include "loom/Runtime/Workflow/Json.h"

#include <cstdio>
#include <cstdlib>

namespace mlir::loom::wfrt {

const Json *Json::get(std::string_view key) const {
  for (const auto &[k, v] : object)
    if (k == key)
      return &v;
  return nullptr;
}

Json jsonString(std::string s) {
  Json v;
  v.kind = Json::Kind::String;
  v.string = std::move(s);
  return v;
}

Json jsonBool(bool b) {
  Json v;
  v.kind = Json::Kind::Bool;
  v.boolean = b;
  return v;
}

Json jsonNumber(double n) {
  Json v;
  v.kind = Json::Kind::Number;
  v.number = n;
  return v;
}

Json jsonArray(std::vector<Json> items) {
  Json v;
  v.kind = Json::Kind::Array;
  v.array = std::move(items);
  return v;
}

Json jsonObject(std::vector<std::pair<std::string, Json>> members) {
  Json v;
  v.kind = Json::Kind::Object;
  v.object = std::move(members);
  return v;
}

namespace {

class Parser {
public:
  explicit Parser(std::string_view text) : text(text) {}

  bool parse(Json &v, std::string &error) {
    if (!value(v, 0) || (skipSpace(), pos != text.size())) {
      error = (message.empty() ? "trailing characters" : message) +
              " at byte " + std::to_string(pos);
      return false;
    }
    return true;
  }

private:
  bool fail(const char *what) {
    if (message.empty())
      message = what;
    return false;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' ||
                                 text[pos] == '\r' || text[pos] == '\t'))
      ++pos;
  }
  bool literal(std::string_view word) {
    if (text.substr(pos, word.size()) != word)
      return fail("unexpected character");
    pos += word.size();
    return true;
  }
  void appendUtf8(uint32_t c, std::string &out) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  bool hex4(uint32_t &c) {
    if (text.size() - pos < 4)
      return fail("truncated \\u escape");
    c = 0;
    for (int k = 0; k < 4; ++k) {
      char h = text[pos++];
      c <<= 4;
      if (h >= '0' && h <= '9')
        c |= h - '0';
      else if (h >= 'a' && h <= 'f')
        c |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        c |= h - 'A' + 10;
      else
        return fail("bad \\u escape");
    }
    return true;
  }
  bool string(std::string &out) {
    ++pos; // the opening quote
    while (pos < text.size() && text[pos] != '"') {
      char c = text[pos++];
      if (static_cast<unsigned char>(c) < 0x20)
        return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos == text.size())
        return fail("truncated escape");
      switch (char e = text[pos++]) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t c1;
        if (!hex4(c1))
          return false;
        if (c1 >= 0xD800 && c1 < 0xDC00) {
          uint32_t c2;
          if (text.substr(pos, 2) != "\\u" || (pos += 2, !hex4(c2)) ||
              c2 < 0xDC00 || c2 >= 0xE000)
            return fail("unpaired surrogate");
          c1 = 0x10000 + ((c1 - 0xD800) << 10) + (c2 - 0xDC00);
        } else if (c1 >= 0xDC00 && c1 < 0xE000) {
          return fail("unpaired surrogate");
        }
        appendUtf8(c1, out);
        break;
      }
      default:
        return fail("bad escape");
      }
    }
    if (pos == text.size())
      return fail("unterminated string");
    ++pos;
    return true;
  }
  bool value(Json &v, int depth) {
    if (depth > 256)
      return fail("nested too deeply");
    skipSpace();
    if (pos == text.size())
      return fail("unexpected end");
    char c = text[pos];
    if (c == '{') {
      v.kind = Json::Kind::Object;
      ++pos;
      skipSpace();
      if (pos < text.size() && text[pos] == '}')
        return ++pos, true;
      for (;;) {
        skipSpace();
        if (pos == text.size() || text[pos] != '"')
          return fail("expected a member name");
        std::pair<std::string, Json> member;
        if (!string(member.first))
          return false;
        skipSpace();
        if (pos == text.size() || text[pos++] != ':')
          return fail("expected ':'");
        if (!value(member.second, depth + 1))
          return false;
        v.object.push_back(std::move(member));
        skipSpace();
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == '}')
          return ++pos, true;
        return fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = Json::Kind::Array;
      ++pos;
      skipSpace();
      if (pos < text.size() && text[pos] == ']')
        return ++pos, true;
      for (;;) {
        v.array.emplace_back();
        if (!value(v.array.back(), depth + 1))
          return false;
        skipSpace();
        if (pos < text.size() && text[pos] == ',') {
          ++pos;
          continue;
        }
        if (pos < text.size() && text[pos] == ']')
          return ++pos, true;
        return fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = Json::Kind::String;
      return string(v.string);
    }
    if (c == 't' || c == 'f') {
      v.kind = Json::Kind::Bool;
      v.boolean = c == 't';
      return literal(v.boolean ? "true" : "false");
    }
    if (c == 'n') {
      v.kind = Json::Kind::Null;
      return literal("null");
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::string number;
      while (pos < text.size() &&
             std::string_view("+-.eE0123456789").find(text[pos]) !=
                 std::string_view::npos)
        number += text[pos++];
      char *end = nullptr;
      v.kind = Json::Kind::Number;
      v.number = std::strtod(number.c_str(), &end);
      if (*end)
        return fail("bad number");
      return true;
    }
    return fail("unexpected character");
  }

  std::string_view text;
  size_t pos = 0;
  std::string message;
};

} // namespace

bool parseJson(std::string_view text, Json &value, std::string &error) {
  value = Json();
  return Parser(text).parse(value, error);
}

std::string quoteJson(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      q += "\\\"";
      break;
    case '\\':
      q += "\\\\";
      break;
    case '\n':
      q += "\\n";
      break;
    case '\r':
      q += "\\r";
      break;
    case '\t':
      q += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        q += buf;
      } else {
        q += c;
      }
    }
  }
  return q + "\"";
}

namespace {

/// `depth` < 0: compact, no space between tokens.
void write(const Json &v, std::string &out, int depth) {
  bool compact = depth < 0;
  std::string inner = compact ? "" : "\n" + std::string(2 * (depth + 1), ' ');
  switch (v.kind) {
  case Json::Kind::Null:
    out += "null";
    return;
  case Json::Kind::Bool:
    out += v.boolean ? "true" : "false";
    return;
  case Json::Kind::Number: {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v.number);
    out += buf;
    return;
  }
  case Json::Kind::String:
    out += quoteJson(v.string);
    return;
  case Json::Kind::Array:
  case Json::Kind::Object: {
    bool array = v.kind == Json::Kind::Array;
    size_t size = array ? v.array.size() : v.object.size();
    out += array ? '[' : '{';
    for (size_t k = 0; k < size; ++k) {
      out += (k ? "," : "") + inner;
      if (!array)
        out += quoteJson(v.object[k].first) + (compact ? ":" : ": ");
      write(array ? v.array[k] : v.object[k].second, out,
            compact ? depth : depth + 1);
    }
    if (size && !compact)
      out += "\n" + std::string(2 * depth, ' ');
    out += array ? ']' : '}';
    return;
  }
  }
}

} // namespace

std::string writeJson(const Json &value, bool compact) {
  std::string out;
  write(value, out, compact ? -1 : 0);
  return out;
}

} // namespace mlir::loom::wfrt

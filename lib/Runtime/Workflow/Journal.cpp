//===- Journal.cpp - The checkpoint journal of a workflow run -------------===//

#include "loom/Runtime/Workflow/Journal.h"

#include <unistd.h>

namespace mlir::loom::wfrt {

namespace {
constexpr char kMagic[] = "LOOMWFJ1";

void putRecord(const JournalRecord &r, std::string &out) {
  std::string body;
  appendU64(r.key, body);
  encodeValue(Value::makeText(r.instance), body);
  encodeValue(r.value, body);
  encodeValue(Value::makeI64(r.attempts), body);
  encodeValue(Value::makeF64(r.startMs), body);
  encodeValue(Value::makeF64(r.endMs), body);
  // Length and checksum first: a record cut by a crash is recognisable.
  appendU64(body.size(), out);
  appendU64(hashBytes(body), out);
  out += body;
}

bool getRecord(std::string_view in, size_t &pos, JournalRecord &r) {
  uint64_t n, sum;
  size_t at = pos;
  if (!readU64(in, at, n) || !readU64(in, at, sum) || in.size() - at < n)
    return false;
  std::string_view body = in.substr(at, n);
  size_t p = 0;
  if (hashBytes(body) != sum || !readU64(body, p, r.key))
    return false;
  Value instance, attempts, start, end;
  if (!decodeValue(body, p, instance) || !decodeValue(body, p, r.value) ||
      !decodeValue(body, p, attempts) || !decodeValue(body, p, start) ||
      !decodeValue(body, p, end))
    return false;
  r.instance = instance.text;
  r.attempts = attempts.i;
  r.startMs = start.f;
  r.endMs = end.f;
  pos = at + n;
  return true;
}
} // namespace

Journal::~Journal() {
  if (file) {
    flush();
    std::fclose(file);
  }
}

std::string Journal::open(const std::string &path, const std::string &header,
                          bool resume) {
  std::string head = std::string(kMagic) + header + "\n";
  size_t validEnd = 0;
  if (resume) {
    std::FILE *in = std::fopen(path.c_str(), "rb");
    if (!in)
      return "cannot resume: no journal at '" + path + "'";
    std::string bytes;
    char chunk[65536];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, in)) > 0)
      bytes.append(chunk, n);
    std::fclose(in);
    if (bytes.compare(0, head.size(), head) != 0)
      return "cannot resume: '" + path +
             "' belongs to another program, input or parameter table";
    size_t pos = head.size();
    JournalRecord r;
    while (getRecord(bytes, pos, r)) {
      byKey[r.key] = previous.size();
      previous.push_back(r);
    }
    validEnd = pos;
  }
  file = std::fopen(path.c_str(), resume ? "r+b" : "wb");
  if (!file)
    return "cannot open journal '" + path + "'";
  if (resume) {
    // Drop a torn tail so that new records follow the last whole one.
    if (ftruncate(fileno(file), static_cast<off_t>(validEnd)) != 0)
      return "cannot truncate journal '" + path + "'";
    std::fseek(file, 0, SEEK_END);
  } else {
    std::fwrite(head.data(), 1, head.size(), file);
    std::fflush(file);
  }
  return {};
}

const JournalRecord *Journal::find(uint64_t key) const {
  auto it = byKey.find(key);
  return it == byKey.end() ? nullptr : &previous[it->second];
}

void Journal::append(const JournalRecord &record) {
  putRecord(record, buffer);
  ++buffered;
}

size_t Journal::flush() {
  size_t n = buffered;
  if (!file || n == 0)
    return 0;
  std::fwrite(buffer.data(), 1, buffer.size(), file);
  std::fflush(file);
  fsync(fileno(file));
  buffer.clear();
  buffered = 0;
  return n;
}

} // namespace mlir::loom::wfrt

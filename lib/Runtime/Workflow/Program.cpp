//===- Program.cpp - Task-table encoding ----------------------------------===//
//
// The encoding reuses the journal's value encoding for every field, so one
// decoder, checked against truncation, reads both.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Workflow/Program.h"

namespace mlir::loom::wfrt {

const GraphEntry *Program::findGraph(const std::string &name) const {
  for (const GraphEntry &g : graphs)
    if (g.name == name)
      return &g;
  return nullptr;
}

namespace {
constexpr char kMagic[] = "LOOMWFP5";

class Writer {
public:
  explicit Writer(std::string &out) : out(out) {}
  Writer &operator<<(int64_t x) {
    encodeValue(Value::makeI64(x), out);
    return *this;
  }
  Writer &operator<<(double x) {
    encodeValue(Value::makeF64(x), out);
    return *this;
  }
  Writer &operator<<(const std::string &s) {
    encodeValue(Value::makeText(s), out);
    return *this;
  }
  Writer &operator<<(const Value &v) {
    encodeValue(v, out);
    return *this;
  }
  Writer &operator<<(const std::vector<uint32_t> &xs) {
    *this << static_cast<int64_t>(xs.size());
    for (uint32_t x : xs)
      *this << static_cast<int64_t>(x);
    return *this;
  }

private:
  std::string &out;
};

class Reader {
public:
  explicit Reader(std::string_view in, size_t pos) : in(in), pos(pos) {}
  bool ok() const { return good; }
  Reader &operator>>(int64_t &x) {
    x = next(ValueKind::I64).i;
    return *this;
  }
  Reader &operator>>(int32_t &x) {
    x = static_cast<int32_t>(next(ValueKind::I64).i);
    return *this;
  }
  Reader &operator>>(double &x) {
    x = next(ValueKind::F64).f;
    return *this;
  }
  Reader &operator>>(std::string &s) {
    s = next(ValueKind::Text).text;
    return *this;
  }
  Reader &operator>>(Value &v) {
    if (good && !decodeValue(in, pos, v))
      good = false;
    return *this;
  }
  Reader &operator>>(std::vector<uint32_t> &xs) {
    int64_t n = 0;
    *this >> n;
    if (n < 0 || static_cast<size_t>(n) > in.size())
      good = false;
    for (int64_t k = 0; good && k < n; ++k) {
      int64_t x = 0;
      *this >> x;
      xs.push_back(static_cast<uint32_t>(x));
    }
    return *this;
  }
  /// A count no larger than the bytes left: a corrupt count cannot make a
  /// huge allocation.
  size_t count() {
    int64_t n = 0;
    *this >> n;
    if (n < 0 || static_cast<size_t>(n) > in.size() - pos)
      good = false;
    return good ? static_cast<size_t>(n) : 0;
  }

private:
  Value next(ValueKind kind) {
    Value v;
    if (good && (!decodeValue(in, pos, v) || v.kind != kind))
      good = false;
    return v;
  }
  std::string_view in;
  size_t pos;
  bool good = true;
};

void writeNode(Writer &w, const Node &n) {
  w << static_cast<int64_t>(n.kind) << n.id << n.operands << n.results
    << n.constant << static_cast<int64_t>(n.segments.size());
  for (const Segment &s : n.segments)
    w << static_cast<int64_t>(s.kind) << s.text << s.index;
  w << static_cast<int64_t>(n.callee) << n.maxTokens << n.temperature
    << static_cast<int64_t>(n.temperatureParam)
    << static_cast<int64_t>(n.seed.has_value()) << n.seed.value_or(0)
    << n.chunkTokens << n.count << n.seedBase << n.separator
    << static_cast<int64_t>(n.body) << static_cast<int64_t>(n.elseBody)
    << n.maxParallel << static_cast<int64_t>(n.objective) << n.priority
    << static_cast<int64_t>(n.ordered) << static_cast<int64_t>(n.prefixOnly)
    << static_cast<int64_t>(n.batch) << static_cast<int64_t>(n.origins.size());
  for (const std::string &origin : n.origins)
    w << origin;
  w << static_cast<int64_t>(n.stop.size());
  for (const std::string &s : n.stop)
    w << s;
}

void readNode(Reader &r, Node &n) {
  int64_t kind = 0, hasSeed = 0, seed = 0, objective = 0, ordered = 0,
          prefixOnly = 0;
  r >> kind >> n.id >> n.operands >> n.results >> n.constant;
  n.kind = static_cast<NodeKind>(kind);
  n.segments.resize(r.count());
  for (Segment &s : n.segments) {
    int64_t sk = 0;
    r >> sk >> s.text >> s.index;
    s.kind = static_cast<Segment::Kind>(sk);
  }
  r >> n.callee >> n.maxTokens >> n.temperature >> n.temperatureParam >>
      hasSeed >> seed >> n.chunkTokens >> n.count >> n.seedBase >>
      n.separator >> n.body >> n.elseBody >> n.maxParallel >> objective >>
      n.priority >> ordered >> prefixOnly >> n.batch;
  n.origins.resize(r.count());
  for (std::string &origin : n.origins)
    r >> origin;
  n.stop.resize(r.count());
  for (std::string &s : n.stop)
    r >> s;
  n.ordered = ordered;
  n.prefixOnly = prefixOnly;
  if (hasSeed)
    n.seed = seed;
  n.objective = static_cast<Objective>(objective);
}

/// What the executor relies on: slots within the table, callees and bodies
/// that exist, kinds it knows.
std::string checkTable(const Program &p, const Table &t, size_t k) {
  std::string where = "table " + std::to_string(k) + ": ";
  if (t.argKinds.size() > t.numSlots)
    return where + "more arguments than slots";
  for (uint32_t s : t.results)
    if (s >= t.numSlots)
      return where + "result slot out of range";
  for (const Node &n : t.nodes) {
    if (static_cast<int64_t>(n.kind) > static_cast<int64_t>(NodeKind::Python))
      return where + "unknown node kind";
    for (uint32_t s : n.operands)
      if (s >= t.numSlots)
        return where + "operand slot out of range in " + n.id;
    for (uint32_t s : n.results)
      if (s >= t.numSlots || s < t.argKinds.size())
        return where + "result slot out of range in " + n.id;
    for (const Segment &s : n.segments)
      if ((s.kind == Segment::Kind::Operand &&
           (s.index < 0 ||
            static_cast<size_t>(s.index) >= n.operands.size())) ||
          (s.kind == Segment::Kind::Param &&
           (s.index < 0 || static_cast<size_t>(s.index) >= p.params.size())))
        return where + "segment out of range in " + n.id;
    auto inRange = [](int32_t x, size_t n) {
      return x >= 0 && static_cast<size_t>(x) < n;
    };
    bool ok = true;
    switch (n.kind) {
    case NodeKind::Llm:
      ok = inRange(n.callee, p.models.size()) && n.maxTokens > 0;
      break;
    case NodeKind::Tool:
      ok = inRange(n.callee, p.tools.size());
      break;
    case NodeKind::Code:
      ok = inRange(n.callee, p.codeFunctions.size());
      break;
    case NodeKind::Compute:
      ok = inRange(n.callee, p.computeEntries.size());
      break;
    case NodeKind::Python:
      ok = inRange(n.callee, p.pythonCode.size());
      break;
    case NodeKind::Param:
      ok = inRange(n.callee, p.params.size());
      break;
    case NodeKind::Map:
    case NodeKind::Replicate:
    case NodeKind::Catch:
      ok =
          inRange(n.body, p.tables.size()) && n.body != static_cast<int32_t>(k);
      break;
    case NodeKind::If:
      ok = inRange(n.body, p.tables.size()) &&
           inRange(n.elseBody, p.tables.size());
      break;
    case NodeKind::While:
      ok = inRange(n.body, p.tables.size()) &&
           inRange(n.elseBody, p.tables.size()) && n.count >= 1 &&
           n.operands.size() >= n.results.size();
      break;
    default:
      break;
    }
    if (!ok)
      return where + "bad callee or body in " + n.id;
    if (n.batch != -1 && (n.kind != NodeKind::Llm || n.prefixOnly ||
                          !inRange(n.batch, t.numBatches)))
      return where + "bad batch in " + n.id;
  }
  return {};
}
} // namespace

std::string serializeProgram(const Program &p) {
  std::string out = kMagic;
  Writer w(out);
  w << static_cast<int64_t>(p.models.size());
  for (const ModelDecl &m : p.models)
    w << m.name << m.maxConcurrency << m.maxBatchedTokens << m.maxContext;
  w << static_cast<int64_t>(p.tools.size());
  for (const ToolDecl &t : p.tools)
    w << t.name << static_cast<int64_t>(t.deterministic)
      << static_cast<int64_t>(t.idempotent) << t.timeoutMs << t.maxAttempts
      << t.backoffMs << t.maxConcurrency << t.simMs << t.failProbability;
  w << static_cast<int64_t>(p.codeFunctions.size());
  for (const std::string &c : p.codeFunctions)
    w << c;
  w << static_cast<int64_t>(p.computeEntries.size());
  for (const std::string &c : p.computeEntries)
    w << c;
  w << static_cast<int64_t>(p.pythonCode.size());
  for (const PythonCode &c : p.pythonCode)
    w << c.function << static_cast<int64_t>(c.param)
      << static_cast<int64_t>(c.result);
  w << static_cast<int64_t>(p.params.size());
  for (const ParamDecl &q : p.params)
    w << q.name << q.value << static_cast<int64_t>(q.trainable);
  w << static_cast<int64_t>(p.tables.size());
  for (const Table &t : p.tables) {
    w << static_cast<int64_t>(t.argKinds.size());
    for (ValueKind k : t.argKinds)
      w << static_cast<int64_t>(k);
    w << static_cast<int64_t>(t.numSlots) << t.results
      << static_cast<int64_t>(t.numBatches)
      << static_cast<int64_t>(t.nodes.size());
    for (const Node &n : t.nodes)
      writeNode(w, n);
  }
  w << static_cast<int64_t>(p.graphs.size());
  for (const GraphEntry &g : p.graphs)
    w << g.name << static_cast<int64_t>(g.table);
  return out;
}

std::string deserializeProgram(std::string_view bytes, Program &p) {
  p = Program();
  size_t magic = sizeof(kMagic) - 1;
  if (bytes.substr(0, magic) != kMagic)
    return "not a Loom workflow program";
  Reader r(bytes, magic);
  p.models.resize(r.count());
  for (ModelDecl &m : p.models)
    r >> m.name >> m.maxConcurrency >> m.maxBatchedTokens >> m.maxContext;
  p.tools.resize(r.count());
  for (ToolDecl &t : p.tools) {
    int64_t det = 0, idem = 0;
    r >> t.name >> det >> idem >> t.timeoutMs >> t.maxAttempts >> t.backoffMs >>
        t.maxConcurrency >> t.simMs >> t.failProbability;
    t.deterministic = det;
    t.idempotent = idem;
  }
  p.codeFunctions.resize(r.count());
  for (std::string &c : p.codeFunctions)
    r >> c;
  p.computeEntries.resize(r.count());
  for (std::string &c : p.computeEntries)
    r >> c;
  p.pythonCode.resize(r.count());
  for (PythonCode &c : p.pythonCode) {
    int64_t result = 0;
    r >> c.function >> c.param >> result;
    c.result = static_cast<ValueKind>(result);
  }
  p.params.resize(r.count());
  for (ParamDecl &q : p.params) {
    int64_t trainable = 0;
    r >> q.name >> q.value >> trainable;
    q.trainable = trainable;
  }
  p.tables.resize(r.count());
  for (Table &t : p.tables) {
    t.argKinds.resize(r.count());
    for (ValueKind &k : t.argKinds) {
      int64_t x = 0;
      r >> x;
      k = static_cast<ValueKind>(x);
    }
    int64_t slots = 0, batches = 0;
    r >> slots >> t.results >> batches;
    t.numSlots = static_cast<uint32_t>(slots);
    t.numBatches = static_cast<uint32_t>(batches);
    t.nodes.resize(r.count());
    for (Node &n : t.nodes)
      readNode(r, n);
  }
  p.graphs.resize(r.count());
  for (GraphEntry &g : p.graphs)
    r >> g.name >> g.table;
  if (!r.ok())
    return "truncated or corrupt workflow program";
  for (const PythonCode &c : p.pythonCode)
    if (c.param < 0 || static_cast<size_t>(c.param) >= p.params.size() ||
        p.params[c.param].value.kind != ValueKind::Text)
      return "Python code " + c.function + " names no text parameter";
  for (size_t k = 0; k < p.tables.size(); ++k)
    if (std::string err = checkTable(p, p.tables[k], k); !err.empty())
      return err;
  for (const GraphEntry &g : p.graphs)
    if (g.table < 0 || static_cast<size_t>(g.table) >= p.tables.size())
      return "graph @" + g.name + " names a missing table";
  return {};
}

} // namespace mlir::loom::wfrt

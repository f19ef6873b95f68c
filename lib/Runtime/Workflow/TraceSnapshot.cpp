//===- TraceSnapshot.cpp - The source graph a trace is taken on -----------===//
//
// The snapshot's JSON form, as compiled libraries embed it.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Workflow/TraceSnapshot.h"

namespace mlir::loom::wfrt {

namespace {

Json number(int64_t n) { return jsonNumber(double(n)); }

/// [kind, index, body, position], the last two left out when 0.
Json ref(const SnapshotRef &r) {
  Json j = jsonArray({number(int64_t(r.kind)), number(r.index)});
  if (r.body || r.position) {
    j.array.push_back(number(r.body));
    j.array.push_back(number(r.position));
  }
  return j;
}

Json refs(const std::vector<SnapshotRef> &list) {
  std::vector<Json> items;
  for (const SnapshotRef &r : list)
    items.push_back(ref(r));
  return jsonArray(std::move(items));
}

/// Reads the members of a snapshot's JSON, remembering the first thing
/// that is not as written.
class Reader {
public:
  std::string error;

  int64_t integer(const Json *v, int64_t otherwise = 0) {
    if (!v)
      return otherwise;
    if (v->kind != Json::Kind::Number)
      fail("a number");
    return int64_t(v->number);
  }
  std::string text(const Json *v) {
    if (!v)
      return "";
    if (v->kind != Json::Kind::String)
      fail("a string");
    return v->string;
  }
  bool flag(const Json *v) {
    return v && v->kind == Json::Kind::Bool && v->boolean;
  }
  const std::vector<Json> &array(const Json *v) {
    static const std::vector<Json> none;
    if (!v)
      return none;
    if (v->kind != Json::Kind::Array)
      fail("an array");
    return v->array;
  }
  SnapshotRef ref(const Json &v) {
    const std::vector<Json> &a = array(&v);
    if (a.size() != 2 && a.size() != 4) {
      fail("a reference [kind, index(, body, position)]");
      return {};
    }
    SnapshotRef r;
    int64_t kind = integer(&a[0]);
    if (kind < 0 || kind > int64_t(SnapshotRef::Kind::RegionResult))
      fail("a reference kind");
    r.kind = SnapshotRef::Kind(kind);
    r.index = int32_t(integer(&a[1]));
    if (a.size() == 4) {
      r.body = int32_t(integer(&a[2]));
      r.position = int32_t(integer(&a[3]));
    }
    return r;
  }
  std::vector<SnapshotRef> refs(const Json *v) {
    std::vector<SnapshotRef> out;
    for (const Json &r : array(v))
      out.push_back(ref(r));
    return out;
  }
  void fail(const char *what) {
    if (error.empty())
      error = std::string("the trace snapshot has no ") + what +
              " where one "
              "belongs";
  }
};

/// The bodies a region of `kind` has.
size_t bodiesOf(SnapshotRegion::Kind kind) {
  return kind == SnapshotRegion::Kind::If || kind == SnapshotRegion::Kind::While
             ? 2
             : 1;
}

/// Whether every reference points at an existing node, region, body and
/// yield, and every region has the shape of its kind (so that
/// instantiation indexes nothing out of range).
bool checkRefs(const TraceSnapshot &s, std::string &error) {
  auto validRegion = [&](int32_t r) {
    return r >= -1 && (r < 0 || size_t(r) < s.regions.size());
  };
  bool ok = true;
  for (const SnapshotRegion &r : s.regions) {
    bool needsOperand = r.kind == SnapshotRegion::Kind::Map ||
                        r.kind == SnapshotRegion::Kind::If ||
                        r.kind == SnapshotRegion::Kind::Catch;
    ok &= validRegion(r.region) && r.node >= -1 &&
          (r.node < 0 || size_t(r.node) < s.nodes.size()) &&
          (r.node >= 0) == (r.kind != SnapshotRegion::Kind::Catch) &&
          (!needsOperand || !r.operands.empty()) &&
          r.yields.size() == bodiesOf(r.kind) &&
          (r.kind != SnapshotRegion::Kind::While || !r.yields[0].empty());
  }
  if (!ok) {
    error = "the trace snapshot has a region of the wrong shape";
    return false;
  }
  auto valid = [&](const SnapshotRef &r) {
    if (r.kind == SnapshotRef::Kind::None)
      return true;
    if (r.kind == SnapshotRef::Kind::Node)
      return r.index >= 0 && size_t(r.index) < s.nodes.size();
    if (r.index < 0 || size_t(r.index) >= s.regions.size() || r.body < 0 ||
        size_t(r.body) >= bodiesOf(s.regions[r.index].kind) || r.position < 0)
      return false;
    if (r.kind == SnapshotRef::Kind::RegionArg)
      return true;
    // A result is a yield of every body (a while's: after its condition).
    const SnapshotRegion &region = s.regions[r.index];
    size_t skip = region.kind == SnapshotRegion::Kind::While;
    for (size_t b = 0; b < region.yields.size(); ++b)
      if (region.kind != SnapshotRegion::Kind::While || b == 0)
        if (size_t(r.position) + skip >= region.yields[b].size())
          return false;
    return true;
  };
  for (const SnapshotNode &n : s.nodes) {
    ok &= validRegion(n.region) && validRegion(n.owns) && n.body >= 0 &&
          (n.region < 0 || size_t(n.body) < bodiesOf(s.regions[n.region].kind));
    for (const SnapshotEdge &e : n.parents)
      ok &= valid(e.ref);
    for (int32_t h : n.hiddenParams)
      ok &= h >= 0 && size_t(h) < s.nodes.size();
  }
  for (const SnapshotRegion &r : s.regions) {
    for (const SnapshotRef &x : r.operands)
      ok &= valid(x);
    for (const auto &body : r.yields)
      for (const SnapshotRef &x : body)
        ok &= valid(x);
  }
  for (const SnapshotRef &x : s.outputs)
    ok &= valid(x) && x.kind != SnapshotRef::Kind::None;
  for (const SnapshotRef &x : s.feedback)
    ok &= valid(x);
  ok &= s.feedback.size() == s.outputs.size();
  if (!ok)
    error = "the trace snapshot refers to a node or region it does not have";
  return ok;
}

} // namespace

Json snapshotToJson(const TraceSnapshot &s) {
  std::vector<Json> nodes, regions;
  for (const SnapshotNode &n : s.nodes) {
    std::vector<Json> parents, hidden;
    for (const SnapshotEdge &e : n.parents)
      parents.push_back(
          jsonArray({ref(e.ref), jsonString(e.name), number(e.token)}));
    for (int32_t h : n.hiddenParams)
      hidden.push_back(number(h));
    // Members at their default (the reader's) are left out: a snapshot
    // is embedded in every workflow library.
    const TraceNode &info = n.info;
    Json node = jsonObject();
    node.add("id", jsonString(info.id))
        .add("base", jsonString(info.base))
        .add("kind", number(int64_t(info.kind)))
        .add("type", jsonString(info.type));
    if (info.value != "?")
      node.add("value", jsonString(info.value));
    if (info.trainable)
      node.add("trainable", jsonBool(true));
    if (info.selected)
      node.add("selected", jsonBool(true));
    if (!info.constraint.empty())
      node.add("constraint", jsonString(info.constraint));
    if (!n.param.empty())
      node.add("param", jsonString(n.param));
    if (n.region >= 0)
      node.add("region", number(n.region)).add("body", number(n.body));
    if (!parents.empty())
      node.add("parents", jsonArray(std::move(parents)));
    if (!hidden.empty())
      node.add("hidden", jsonArray(std::move(hidden)));
    if (n.owns >= 0)
      node.add("owns", number(n.owns));
    nodes.push_back(std::move(node));
  }
  for (const SnapshotRegion &r : s.regions) {
    std::vector<Json> yields;
    for (const auto &body : r.yields)
      yields.push_back(refs(body));
    regions.push_back(jsonObject({{"kind", number(int64_t(r.kind))},
                                  {"node", number(r.node)},
                                  {"region", number(r.region)},
                                  {"body", number(r.body)},
                                  {"position", number(r.position)},
                                  {"operands", refs(r.operands)},
                                  {"yields", jsonArray(std::move(yields))},
                                  {"count", number(r.count)}}));
  }
  Json result = jsonObject();
  result.add("mode", jsonString(traceModeName(s.mode)))
      .add("nodes", jsonArray(std::move(nodes)))
      .add("regions", jsonArray(std::move(regions)))
      .add("outputs", refs(s.outputs))
      .add("feedback", refs(s.feedback));
  Json docs = jsonObject();
  for (const auto &[base, text] : s.documentation)
    docs.add(base, jsonString(text));
  result.add("documentation", std::move(docs));
  return result;
}

bool snapshotFromJson(const Json &json, TraceSnapshot &s, std::string &error) {
  Reader in;
  std::string mode = in.text(json.get("mode"));
  if (mode != "full" && mode != "trace-compat")
    in.fail("mode (full or trace-compat)");
  s.mode = mode == "full" ? TraceMode::Full : TraceMode::TraceCompat;
  for (const Json &j : in.array(json.get("nodes"))) {
    SnapshotNode &n = s.nodes.emplace_back();
    TraceNode &info = n.info;
    info.id = in.text(j.get("id"));
    info.base = in.text(j.get("base"));
    int64_t kind = in.integer(j.get("kind"));
    if (kind < 0 || kind > int64_t(TraceNode::Kind::Op))
      in.fail("node kind");
    info.kind = TraceNode::Kind(kind);
    info.type = in.text(j.get("type"));
    info.value = j.get("value") ? in.text(j.get("value")) : "?";
    info.trainable = in.flag(j.get("trainable"));
    info.selected = in.flag(j.get("selected"));
    info.constraint = in.text(j.get("constraint"));
    n.param = in.text(j.get("param"));
    n.region = int32_t(in.integer(j.get("region"), -1));
    n.body = int32_t(in.integer(j.get("body")));
    for (const Json &e : in.array(j.get("parents"))) {
      const std::vector<Json> &edge = in.array(&e);
      if (edge.size() != 3) {
        in.fail("parent [reference, name, token]");
        break;
      }
      n.parents.push_back(
          {in.ref(edge[0]), in.text(&edge[1]), in.integer(&edge[2]) != 0});
    }
    for (const Json &h : in.array(j.get("hidden")))
      n.hiddenParams.push_back(int32_t(in.integer(&h)));
    n.owns = int32_t(in.integer(j.get("owns"), -1));
  }
  for (const Json &j : in.array(json.get("regions"))) {
    SnapshotRegion &r = s.regions.emplace_back();
    int64_t kind = in.integer(j.get("kind"));
    if (kind < 0 || kind > int64_t(SnapshotRegion::Kind::Catch))
      in.fail("region kind");
    r.kind = SnapshotRegion::Kind(kind);
    r.node = int32_t(in.integer(j.get("node"), -1));
    r.region = int32_t(in.integer(j.get("region"), -1));
    r.body = int32_t(in.integer(j.get("body")));
    r.position = int32_t(in.integer(j.get("position")));
    r.operands = in.refs(j.get("operands"));
    for (const Json &body : in.array(j.get("yields")))
      r.yields.push_back(in.refs(&body));
    r.count = in.integer(j.get("count"));
  }
  if (const Json *docs = json.get("documentation"))
    for (const auto &[base, text] : docs->object)
      s.documentation[base] = in.text(&text);
  s.outputs = in.refs(json.get("outputs"));
  s.feedback = in.refs(json.get("feedback"));
  if (!in.error.empty()) {
    error = in.error;
    return false;
  }
  return checkRefs(s, error);
}

} // namespace mlir::loom::wfrt

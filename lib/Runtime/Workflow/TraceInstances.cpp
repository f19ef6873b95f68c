//===- TraceInstances.cpp - The instance graph a run executed -------------===//
//
// wf.md §7.1 over one run: the snapshot walked in source order, each region
// as the run took it — a map's body once per element, a replicate's per
// sample, an if's taken branch, a while's condition and body per
// iteration, a catch's fallback if its input failed. The run's decisions
// are read off its values (the list a map iterated, each condition), so
// the walk needs nothing from the executor but the value log, and it sees
// the source graph whatever the optimizer made of it.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Workflow/TraceSnapshot.h"
#include "loom/Runtime/Workflow/TraceValues.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <unordered_map>

namespace mlir::loom::wfrt {

namespace {

/// Python's repr of a list element, as Trace prints a list value.
std::string repr(const Value &v) {
  if (v.kind == ValueKind::List) {
    std::string s = "[";
    for (size_t k = 0; k < v.list.size(); ++k)
      s += (k ? ", " : "") + repr(v.list[k]);
    return s + "]";
  }
  if (v.kind != ValueKind::Text)
    return v.render();
  std::string s = "'";
  for (char c : v.text) {
    if (c == '\\' || c == '\'')
      s += '\\';
    if (c == '\n')
      s += "\\n";
    else
      s += c;
  }
  return s + "'";
}

/// A value as `(<type>) <py_name>=<value>` shows it: text as it is, lists
/// as Python prints them.
std::string show(const Value &v) {
  return v.kind == ValueKind::List ? repr(v) : v.render();
}

/// Where a walk is: one iteration (or branch) of each enclosing region.
struct Context {
  const Context *outer = nullptr;
  int32_t region = -1, body = 0;
  int64_t iteration = 0;
  std::string suffix;
};

/// What a reference stands for in the run: an instance, no node at all (a
/// replicate's index), or an instance that never ran because `failed` (an
/// instance, or -1 if unknown) failed before it.
struct Resolved {
  enum class State : uint8_t { Literal, Present, Absent };
  State state = State::Literal;
  int64_t instance = -1;
  /// A catch's fallback argument: the failed instance, whose error the
  /// fallback reads as data.
  bool caught = false;

  static Resolved present(int64_t i) { return {State::Present, i, false}; }
  static Resolved absent(int64_t failed) {
    return {State::Absent, failed, false};
  }
};

class RunInstances {
public:
  RunInstances(const TraceSnapshot &s, const RunValues &v) : s(s), v(v) {
    for (const auto &[id, value] : v.run.values)
      logged.try_emplace(id, &value);
    paramInstance.assign(s.nodes.size(), -1);
    for (size_t n = 0; n < s.nodes.size(); ++n) {
      const SnapshotNode &node = s.nodes[n];
      if (node.info.kind == TraceNode::Kind::Op)
        items[{node.region, node.body}].push_back({int64_t(n), 1, int32_t(n)});
    }
    for (size_t r = 0; r < s.regions.size(); ++r)
      if (s.regions[r].kind == SnapshotRegion::Kind::Catch)
        items[{s.regions[r].region, s.regions[r].body}].push_back(
            {s.regions[r].position, 0, int32_t(r)});
    for (auto &[key, list] : items)
      std::sort(list.begin(), list.end());
  }

  TraceGraph build() {
    // Arguments are the snapshot's first nodes, in order.
    for (size_t n = 0; n < s.nodes.size(); ++n)
      if (s.nodes[n].info.kind == TraceNode::Kind::Argument) {
        const Value *value = n < v.args.size() ? &v.args[n] : nullptr;
        paramInstance[n] = add(s.nodes[n].info, s.nodes[n].info.id, value);
      }
    g.documentation = s.documentation;
    Context top;
    walk(-1, 0, top);
    for (size_t k = 0; k < s.outputs.size(); ++k) {
      Resolved out = resolve(s.outputs[k], top);
      // An output that never ran: the instance that failed stands for it.
      if (out.state == Resolved::State::Literal || out.instance < 0)
        continue;
      g.outputs.push_back(uint32_t(out.instance));
      const SnapshotRef &text = s.feedback[k];
      Resolved r = resolve(text, top);
      bool present = r.state == Resolved::State::Present;
      g.feedbackNodes.push_back(present ? r.instance : -1);
      if (text.kind == SnapshotRef::Kind::None)
        g.feedback.push_back(v.feedbackText.empty() ? "?" : v.feedbackText);
      else
        g.feedback.push_back(present ? g.nodes[r.instance].value : "?");
    }
    return std::move(g);
  }

private:
  /// A new instance of `info` named `id` with `value` (else the snapshot's
  /// static one).
  int64_t add(const TraceNode &info, std::string id, const Value *value) {
    TraceNode &node = g.nodes.emplace_back(info);
    node.id = std::move(id);
    if (value)
      node.value = show(*value);
    values.push_back(value);
    return int64_t(g.nodes.size() - 1);
  }

  const Value *loggedValue(const std::string &id) const {
    auto it = logged.find(id);
    return it == logged.end() ? nullptr : it->second;
  }

  bool isError(int64_t instance) const {
    return values[instance] && values[instance]->isError();
  }

  bool truthy(int64_t instance) const {
    if (const Value *value = values[instance])
      return value->i != 0;
    return g.nodes[instance].value == "True";
  }

  /// An absent parent leaves its reader absent.
  static bool blocks(const Resolved &r) {
    return r.state == Resolved::State::Absent;
  }
  /// A failed parent too, unless a catch hands its error over as data.
  Resolved failedOrPresent(Resolved r) const {
    if (r.state == Resolved::State::Present && !r.caught && isError(r.instance))
      return Resolved::absent(r.instance);
    return r;
  }

  void walk(int32_t region, int32_t body, const Context &ctx) {
    auto it = items.find({region, body});
    if (it == items.end())
      return;
    for (const Item &item : it->second) {
      if (!item.isNode)
        runCatch(item.index, ctx);
      else if (s.nodes[item.index].owns >= 0)
        runStructured(item.index, ctx);
      else
        runNode(item.index, ctx);
    }
  }

  void runNode(int32_t n, const Context &ctx) {
    const SnapshotNode &node = s.nodes[n];
    std::string id = node.info.id + ctx.suffix;
    std::vector<std::pair<Resolved, const std::string *>> parents;
    for (const SnapshotEdge &edge : node.parents) {
      Resolved r = failedOrPresent(resolve(edge.ref, ctx));
      if (blocks(r)) {
        done[id] = r;
        return;
      }
      if (r.state == Resolved::State::Present)
        parents.push_back({r, &edge.name});
    }
    std::vector<uint32_t> hidden;
    for (int32_t h : node.hiddenParams)
      hidden.push_back(uint32_t(paramNode(h)));
    int64_t instance = add(node.info, id, loggedValue(id));
    TraceNode &created = g.nodes[instance];
    for (auto &[r, name] : parents) {
      created.parents.push_back(uint32_t(r.instance));
      created.inputNames.push_back(*name);
    }
    created.hiddenParams = std::move(hidden);
    done[id] = Resolved::present(instance);
  }

  void runStructured(int32_t n, const Context &ctx) {
    const SnapshotNode &node = s.nodes[n];
    const SnapshotRegion &region = s.regions[node.owns];
    std::string id = node.info.id + ctx.suffix;
    bool full = s.mode == TraceMode::Full;
    for (const SnapshotRef &operand : region.operands) {
      Resolved r = failedOrPresent(resolve(operand, ctx));
      if (blocks(r)) {
        done[id] = r;
        return;
      }
    }
    // A collect or merge node comes before its bodies' instances, as in
    // source order; compat has no node for if and while (Python's control
    // flow is untraced).
    bool isNode = full || region.kind == SnapshotRegion::Kind::Map ||
                  region.kind == SnapshotRegion::Kind::Replicate;
    int64_t instance = -1;
    if (isNode) {
      instance = add(node.info, id, loggedValue(id));
      done[id] = Resolved::present(instance);
    }
    std::vector<std::pair<Resolved, std::string>> parents;
    // A yield is a parent of the collect or merge node; without one
    // (trace-compat's if and while) it is resolved where it is read.
    auto yield = [&](const Context &inner, size_t k, std::string name) {
      if (!isNode)
        return;
      Resolved r = resolve(region.yields[inner.body][k], inner);
      if (r.state != Resolved::State::Literal && r.instance >= 0)
        parents.push_back({Resolved::present(r.instance), std::move(name)});
    };
    switch (region.kind) {
    case SnapshotRegion::Kind::Map:
    case SnapshotRegion::Kind::Replicate: {
      int64_t count = region.count;
      if (region.kind == SnapshotRegion::Kind::Map) {
        Resolved list = resolve(region.operands[0], ctx);
        const Value *value =
            list.instance >= 0 ? values[list.instance] : nullptr;
        count = value && value->kind == ValueKind::List
                    ? int64_t(value->list.size())
                    : 0;
      }
      for (int64_t i = 0; i < count; ++i) {
        Context inner{&ctx, node.owns, 0, i,
                      ctx.suffix + "[" + std::to_string(i) + "]"};
        walk(node.owns, 0, inner);
        if (!region.yields[0].empty())
          yield(inner, 0, "arg" + std::to_string(i));
      }
      break;
    }
    case SnapshotRegion::Kind::If: {
      Resolved condition = resolve(region.operands[0], ctx);
      int32_t taken =
          condition.instance >= 0 && truthy(condition.instance) ? 0 : 1;
      decisions[{node.owns, ctx.suffix}] = taken;
      Context inner{&ctx, node.owns, taken, 0, ctx.suffix};
      walk(node.owns, taken, inner);
      if (condition.state == Resolved::State::Present)
        parents.push_back({condition, "condition"});
      for (size_t k = 0; k < region.yields[taken].size(); ++k)
        yield(inner, k, "arg" + std::to_string(k));
      break;
    }
    case SnapshotRegion::Kind::While: {
      int64_t last = 0;
      bool finished = false;
      for (int64_t i = 0;; ++i) {
        std::string suffix = ctx.suffix + "[" + std::to_string(i) + "]";
        Context cond{&ctx, node.owns, 0, i, suffix};
        walk(node.owns, 0, cond);
        Resolved c = failedOrPresent(resolve(region.yields[0][0], cond));
        if (c.state == Resolved::State::Present)
          parents.push_back({c, "condition"});
        last = i;
        if (c.state != Resolved::State::Present)
          break;
        if (!truthy(c.instance)) {
          finished = true;
          break;
        }
        // As the executor: a condition still true after max_iters bodies
        // fails the loop.
        if (i >= region.count)
          break;
        walk(node.owns, 1, Context{&ctx, node.owns, 1, i, suffix});
      }
      decisions[{node.owns, ctx.suffix}] = finished ? last : -1;
      if (finished) {
        Context cond{&ctx, node.owns, 0, last,
                     ctx.suffix + "[" + std::to_string(last) + "]"};
        for (size_t k = 1; k < region.yields[0].size(); ++k)
          yield(cond, k, "arg" + std::to_string(k));
      }
      break;
    }
    case SnapshotRegion::Kind::Catch:
      break;
    }
    if (!isNode)
      return;
    TraceNode &created = g.nodes[instance];
    for (auto &[r, name] : parents) {
      created.parents.push_back(uint32_t(r.instance));
      created.inputNames.push_back(std::move(name));
    }
  }

  void runCatch(int32_t r, const Context &ctx) {
    const SnapshotRegion &region = s.regions[r];
    Resolved input = failedOrPresent(resolve(region.operands[0], ctx));
    bool caught = input.state == Resolved::State::Absent;
    // The failed instance the fallback's argument stands for (-1: caught,
    // but unknown); -2: not caught.
    decisions[{r, ctx.suffix}] = caught ? input.instance : -2;
    if (caught)
      walk(r, 0, Context{&ctx, r, 0, 0, ctx.suffix});
  }

  /// The instance of a parameter node, made when first read (a parameter
  /// comes before its first reader).
  int64_t paramNode(int32_t n) {
    if (paramInstance[n] >= 0)
      return paramInstance[n];
    const SnapshotNode &node = s.nodes[n];
    const Value *value = nullptr;
    auto override = v.overrides.find(node.param);
    if (override != v.overrides.end())
      value = &override->second;
    else
      for (const ParamDecl &decl : v.program.params)
        if (decl.name == node.param)
          value = &decl.value;
    return paramInstance[n] = add(node.info, node.info.id, value);
  }

  /// The context of the region and body `(region, body)` around `ctx`.
  static const Context *within(const Context &ctx, int32_t region,
                               int32_t body) {
    for (const Context *c = &ctx; c; c = c->outer)
      if (c->region == region && (region < 0 || c->body == body))
        return c;
    return nullptr;
  }

  Resolved resolve(const SnapshotRef &ref, const Context &ctx) {
    switch (ref.kind) {
    case SnapshotRef::Kind::None:
      return {};
    case SnapshotRef::Kind::Node:
      return resolveNode(ref.index, ctx);
    case SnapshotRef::Kind::RegionArg:
      return resolveArg(ref, ctx);
    case SnapshotRef::Kind::RegionResult:
      return resolveResult(ref, ctx);
    }
    return {};
  }

  Resolved resolveNode(int32_t n, const Context &ctx) {
    const SnapshotNode &node = s.nodes[n];
    if (node.info.kind == TraceNode::Kind::Argument)
      return Resolved::present(paramInstance[n]);
    if (node.info.kind == TraceNode::Kind::Param)
      return Resolved::present(paramNode(n));
    const Context *c = within(ctx, node.region, node.body);
    auto it = c ? done.find(node.info.id + c->suffix) : done.end();
    return it == done.end() ? Resolved::absent(-1) : it->second;
  }

  Resolved resolveArg(const SnapshotRef &ref, const Context &ctx) {
    const SnapshotRegion &region = s.regions[ref.index];
    const Context *c = within(ctx, ref.index, ref.body);
    if (!c)
      return Resolved::absent(-1);
    switch (region.kind) {
    case SnapshotRegion::Kind::Map:
      return resolve(region.operands[0], *c->outer);
    case SnapshotRegion::Kind::Replicate:
    case SnapshotRegion::Kind::If:
      return {};
    case SnapshotRegion::Kind::Catch: {
      int64_t failed = decisions.at({ref.index, c->outer->suffix});
      if (failed < 0)
        return Resolved::absent(-1);
      Resolved r = Resolved::present(failed);
      r.caught = true;
      return r;
    }
    case SnapshotRegion::Kind::While:
      break;
    }
    // A while's state: the initial value, then what the previous body
    // yielded; a body's, what its condition forwarded.
    size_t k = ref.position;
    if (ref.body == 1)
      return k + 1 < region.yields[0].size()
                 ? resolve(
                       region.yields[0][k + 1],
                       Context{c->outer, ref.index, 0, c->iteration, c->suffix})
                 : Resolved();
    if (c->iteration == 0)
      return k < region.operands.size() ? resolve(region.operands[k], *c->outer)
                                        : Resolved();
    int64_t previous = c->iteration - 1;
    return k < region.yields[1].size()
               ? resolve(region.yields[1][k],
                         Context{c->outer, ref.index, 1, previous,
                                 c->outer->suffix + "[" +
                                     std::to_string(previous) + "]"})
               : Resolved();
  }

  Resolved resolveResult(const SnapshotRef &ref, const Context &ctx) {
    const SnapshotRegion &region = s.regions[ref.index];
    const Context *c = within(ctx, region.region, region.body);
    if (!c)
      return Resolved::absent(-1);
    bool full = s.mode == TraceMode::Full;
    auto decision = [&]() -> std::optional<int64_t> {
      auto it = decisions.find({ref.index, c->suffix});
      if (it == decisions.end())
        return std::nullopt;
      return it->second;
    };
    switch (region.kind) {
    case SnapshotRegion::Kind::Map:
    case SnapshotRegion::Kind::Replicate:
      return resolveNode(region.node, *c);
    case SnapshotRegion::Kind::If: {
      if (full)
        return resolveNode(region.node, *c);
      std::optional<int64_t> taken = decision();
      if (!taken)
        return resolveNode(region.node, *c);
      return resolve(region.yields[*taken][ref.position],
                     Context{c, ref.index, int32_t(*taken), 0, c->suffix});
    }
    case SnapshotRegion::Kind::While: {
      if (full)
        return resolveNode(region.node, *c);
      std::optional<int64_t> last = decision();
      if (!last || *last < 0)
        return last ? Resolved::absent(-1) : resolveNode(region.node, *c);
      return resolve(region.yields[0][ref.position + 1],
                     Context{c, ref.index, 0, *last,
                             c->suffix + "[" + std::to_string(*last) + "]"});
    }
    case SnapshotRegion::Kind::Catch: {
      std::optional<int64_t> caught = decision();
      if (caught && *caught != -2)
        return resolve(region.yields[0][ref.position],
                       Context{c, ref.index, 0, 0, c->suffix});
      return resolve(region.operands[0], *c);
    }
    }
    return {};
  }

  struct Item {
    int64_t position;
    /// Nodes after a catch at the same place: the catch precedes them.
    int isNode;
    int32_t index;
    bool operator<(const Item &o) const {
      return std::tie(position, isNode, index) <
             std::tie(o.position, o.isNode, o.index);
    }
  };

  const TraceSnapshot &s;
  const RunValues &v;
  TraceGraph g;
  /// Per instance, the run's value (null: the snapshot's static one).
  std::vector<const Value *> values;
  std::unordered_map<std::string, const Value *> logged;
  /// Instance ids walked so far: the instance, or why there is none.
  std::unordered_map<std::string, Resolved> done;
  /// (region, suffix of its context) → the branch an if took, the last
  /// iteration of a while (-1: it failed), the instance a catch caught.
  std::map<std::pair<int32_t, std::string>, int64_t> decisions;
  /// Arguments' and parameters' instances by snapshot node, -1 before.
  std::vector<int64_t> paramInstance;
  std::map<std::pair<int32_t, int32_t>, std::vector<Item>> items;
};

} // namespace

TraceGraph instantiateRun(const TraceSnapshot &snapshot,
                          const RunValues &values) {
  return RunInstances(snapshot, values).build();
}

} // namespace mlir::loom::wfrt

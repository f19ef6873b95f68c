//===- TraceProblem.cpp - Trace's backward and OptoPrime's problem --------===//
//
// One reverse sweep per output and one forward sweep per parameter, as bit
// vectors over the nodes; the influence sweeps 64 parameters at once, a
// 64-bit word per node (wf.md §7.5's cost).
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Workflow/TraceProblem.h"
#include "loom/Runtime/Workflow/TraceValues.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>

namespace mlir::loom::wfrt {

const char *traceModeName(TraceMode mode) {
  return mode == TraceMode::Full ? "full" : "trace-compat";
}

std::optional<TraceMode> parseTraceMode(std::string_view name) {
  for (TraceMode mode : {TraceMode::Full, TraceMode::TraceCompat})
    if (name == traceModeName(mode))
      return mode;
  return std::nullopt;
}

namespace {

/// A set of nodes, a bit per node.
struct Bits {
  std::vector<uint64_t> words;
  explicit Bits(size_t n) : words((n + 63) / 64) {}
  void set(uint32_t n) { words[n / 64] |= uint64_t(1) << (n % 64); }
  bool test(uint32_t n) const { return words[n / 64] >> (n % 64) & 1; }
};

/// The reverse of an edge list, one array for all nodes (a vector per node
/// costs an allocation each on 10^5 nodes).
class Adjacency {
public:
  Adjacency() = default;
  /// The nodes that list n in `edgesOf`, for each n.
  template <typename EdgesOf>
  Adjacency(const std::vector<TraceNode> &nodes, EdgesOf edgesOf)
      : start(nodes.size() + 1) {
    for (const TraceNode &node : nodes)
      for (uint32_t to : edgesOf(node))
        ++start[to + 1];
    for (size_t n = 0; n < nodes.size(); ++n)
      start[n + 1] += start[n];
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    list.resize(start.back());
    for (uint32_t n = 0; n < nodes.size(); ++n)
      for (uint32_t to : edgesOf(nodes[n]))
        list[next[to]++] = n;
  }
  struct Range {
    const uint32_t *b, *e;
    const uint32_t *begin() const { return b; }
    const uint32_t *end() const { return e; }
  };
  Range of(uint32_t n) const {
    return {list.data() + start[n], list.data() + start[n + 1]};
  }

private:
  std::vector<uint32_t> start, list;
};

class Problem {
public:
  Problem(const TraceGraph &graph, TraceMode mode)
      : graph(graph), nodes(graph.nodes), mode(mode) {
    computeLevels();
    for (uint32_t n = 0; n < nodes.size(); ++n) {
      if (nodes[n].trainable)
        trainable.push_back(n);
      if (nodes[n].selected)
        parameters.push_back(n);
    }
    // Nodes by (level, source order): sections and graphs list them so.
    order.resize(nodes.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return std::pair(level[a], a) < std::pair(level[b], b);
    });
  }

  Json run() {
    std::vector<std::pair<std::string, Json>> influence, traceGraphs;
    std::vector<std::vector<uint32_t>> influencing = influencers();
    for (size_t k = 0; k < graph.outputs.size(); ++k) {
      std::vector<Json> ids;
      for (uint32_t p : influencing[k])
        ids.push_back(jsonString(nodes[p].id));
      influence.emplace_back(nodes[graph.outputs[k]].id,
                             jsonArray(std::move(ids)));
    }
    std::vector<Bits> desc;
    for (uint32_t p : parameters)
      desc.push_back(sweep(p, /*up=*/false));
    Bits all(nodes.size());
    for (uint32_t o : graph.outputs) {
      Bits anc = sweep(o, /*up=*/true);
      for (size_t k = 0; k < parameters.size(); ++k) {
        Bits member(nodes.size());
        bool onPath = false;
        for (size_t w = 0; w < anc.words.size(); ++w)
          for (uint64_t word = anc.words[w] & desc[k].words[w]; word;
               word &= word - 1) {
            uint32_t n = uint32_t(64 * w + __builtin_ctzll(word));
            onPath = true;
            member.set(n);
            for (uint32_t parent : nodes[n].parents)
              member.set(parent);
          }
        if (!onPath)
          continue;
        std::vector<Json> members;
        for (uint32_t n : order)
          if (member.test(n)) {
            all.set(n);
            Json entry = jsonArray();
            entry.array.reserve(2);
            entry.array.push_back(jsonNumber(double(level[n])));
            entry.array.push_back(jsonString(nodes[n].id));
            members.push_back(std::move(entry));
          }
        traceGraphs.emplace_back(nodes[o].id + "|" + nodes[parameters[k]].id,
                                 jsonArray(std::move(members)));
      }
    }
    // Members by key, as wf-extract-trace prints them (llvm::json).
    auto byKey = [](const auto &a, const auto &b) { return a.first < b.first; };
    std::sort(influence.begin(), influence.end(), byKey);
    std::sort(traceGraphs.begin(), traceGraphs.end(), byKey);
    Json result = jsonObject();
    result.add("graphs", jsonObject(std::move(traceGraphs)))
        .add("influence", jsonObject(std::move(influence)))
        .add("mode", jsonString(traceModeName(mode)))
        .add("problem", problem(all));
    return result;
  }

private:
  /// 0 without parents, else 1 + the largest parent level (Kahn's order:
  /// parents may follow their children in source order).
  void computeLevels() {
    children = Adjacency(
        nodes, [](const TraceNode &n) -> const std::vector<uint32_t> & {
          return n.parents;
        });
    hiddenChildren = Adjacency(
        nodes, [](const TraceNode &n) -> const std::vector<uint32_t> & {
          return n.hiddenParams;
        });
    level.assign(nodes.size(), 0);
    std::vector<size_t> pending(nodes.size());
    std::vector<uint32_t> ready;
    for (uint32_t n = 0; n < nodes.size(); ++n)
      if (!(pending[n] = nodes[n].parents.size()))
        ready.push_back(n);
    while (!ready.empty()) {
      uint32_t n = ready.back();
      ready.pop_back();
      for (uint32_t child : children.of(n)) {
        level[child] = std::max(level[child], level[n] + 1);
        if (--pending[child] == 0)
          ready.push_back(child);
      }
    }
  }

  /// Per output, the trainable parameters that reach it, hidden
  /// dependencies included.
  std::vector<std::vector<uint32_t>> influencers() const {
    // Nodes by their position in `order`, parents flat: a sweep reads
    // memory in order.
    std::vector<uint32_t> position(nodes.size()), start = {0}, parentAt;
    for (uint32_t pos = 0; pos < order.size(); ++pos)
      position[order[pos]] = pos;
    for (uint32_t n : order) {
      for (uint32_t parent : nodes[n].parents)
        parentAt.push_back(position[parent]);
      for (uint32_t param : nodes[n].hiddenParams)
        parentAt.push_back(position[param]);
      start.push_back(parentAt.size());
    }
    std::vector<std::vector<uint32_t>> result(graph.outputs.size());
    std::vector<uint64_t> word(nodes.size());
    for (size_t base = 0; base < trainable.size(); base += 64) {
      std::fill(word.begin(), word.end(), 0);
      size_t chunk = std::min<size_t>(64, trainable.size() - base);
      for (size_t k = 0; k < chunk; ++k)
        word[position[trainable[base + k]]] |= uint64_t(1) << k;
      for (size_t pos = 0; pos < order.size(); ++pos)
        for (uint32_t k = start[pos]; k < start[pos + 1]; ++k)
          word[pos] |= word[parentAt[k]];
      for (size_t o = 0; o < graph.outputs.size(); ++o)
        for (size_t k = 0; k < chunk; ++k)
          if (word[position[graph.outputs[o]]] >> k & 1)
            result[o].push_back(trainable[base + k]);
    }
    return result;
  }

  /// anc (`up`) or desc of `start`, reflexive.
  Bits sweep(uint32_t start, bool up) const {
    Bits seen(nodes.size());
    std::vector<uint32_t> work = {start};
    seen.set(start);
    while (!work.empty()) {
      uint32_t n = work.back();
      work.pop_back();
      auto visit = [&](uint32_t next) {
        if (!seen.test(next)) {
          seen.set(next);
          work.push_back(next);
        }
      };
      if (up) {
        for (uint32_t next : nodes[n].parents)
          visit(next);
        continue;
      }
      // A hidden parameter reaches what its calls reach.
      for (uint32_t next : children.of(n))
        visit(next);
      for (uint32_t next : hiddenChildren.of(n))
        visit(next);
    }
    return seen;
  }

  std::string entry(uint32_t n) const {
    return "(" + nodes[n].type + ") " + pyName(nodes[n].id) + "=" +
           nodes[n].value;
  }

  /// OptoPrime's sections over the union `u` of the trace graphs.
  Json problem(const Bits &u) const {
    int64_t depth = 0;
    for (uint32_t n : order)
      if (u.test(n))
        depth = std::max(depth, level[n]);
    std::vector<Json> variables, inputs, others, outs, constraints, feedback;
    // (level, line, node) per intermediate, sorted as OptoPrime prints.
    std::vector<std::tuple<int64_t, std::string, uint32_t>> code;
    for (uint32_t n : order) {
      if (!u.test(n))
        continue;
      const TraceNode &node = nodes[n];
      bool intermediate = !node.parents.empty() &&
                          std::all_of(node.parents.begin(), node.parents.end(),
                                      [&](uint32_t p) { return u.test(p); });
      if (!intermediate) {
        (node.selected ? variables : inputs).push_back(jsonString(entry(n)));
        if (node.selected && !node.constraint.empty())
          constraints.push_back(jsonString("(" + node.type + ") " +
                                           pyName(node.id) + ": " +
                                           node.constraint));
        continue;
      }
      bool output =
          mode == TraceMode::Full
              ? std::count(graph.outputs.begin(), graph.outputs.end(), n) > 0
              : level[n] == depth;
      (output ? outs : others).push_back(jsonString(entry(n)));
      std::string line = pyName(node.id) + " = " + node.base + "(";
      for (size_t i = 0; i < node.parents.size(); ++i)
        line += (i ? ", " : "") + node.inputNames[i] + "=" +
                pyName(nodes[node.parents[i]].id);
      code.emplace_back(level[n], line + ")", n);
    }
    std::sort(code.begin(), code.end());
    std::vector<Json> codeLines, docs;
    std::set<std::string> documented;
    for (auto &[lvl, line, n] : code) {
      codeLines.push_back(jsonString(line));
      if (documented.insert(nodes[n].base).second) {
        auto text = graph.documentation.find(nodes[n].base);
        docs.push_back(jsonString(
            "[" + nodes[n].base + "] " +
            (text == graph.documentation.end() ? "" : text->second)));
      }
    }
    // trace-compat: one text for all outputs (wf-extract-trace checks that
    // they agree).
    for (size_t k = 0; k < graph.outputs.size(); ++k) {
      const std::string &text = graph.feedback[k];
      feedback.push_back(
          jsonString(mode == TraceMode::Full
                         ? pyName(nodes[graph.outputs[k]].id) + ": " + text
                         : text));
      if (mode == TraceMode::TraceCompat)
        break;
    }
    Json sections = jsonObject();
    sections.add("code", jsonArray(std::move(codeLines)))
        .add("constraints", jsonArray(std::move(constraints)))
        .add("documentation", jsonArray(std::move(docs)))
        .add("feedback", jsonArray(std::move(feedback)))
        .add("inputs", jsonArray(std::move(inputs)))
        .add("others", jsonArray(std::move(others)))
        .add("outputs", jsonArray(std::move(outs)))
        .add("variables", jsonArray(std::move(variables)));
    return sections;
  }

  const TraceGraph &graph;
  const std::vector<TraceNode> &nodes;
  TraceMode mode;
  std::vector<int64_t> level;
  Adjacency children, hiddenChildren;
  std::vector<uint32_t> order, parameters, trainable;
};

} // namespace

Json traceProblem(const TraceGraph &graph, TraceMode mode) {
  return Problem(graph, mode).run();
}

} // namespace mlir::loom::wfrt

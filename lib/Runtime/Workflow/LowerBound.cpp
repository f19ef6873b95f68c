//===- LowerBound.cpp - A makespan bound any policy must respect ----------===//

#include "loom/Runtime/Workflow/LowerBound.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlir::loom::wfrt {

namespace {

/// The graph's own LLM requests: a prefix warm-up is work an optimization
/// chose to add, so the bound is the unoptimized program's (still a bound
/// for the optimized one, whose extra requests only add work).
bool isRequest(const InstanceRecord &r) {
  return r.kind == NodeKind::Llm && !r.warmup;
}

/// Whole 4-byte tokens two prompts share from the start: at least what
/// the simulator's 16-token blocks can share, so the bound stays valid.
int64_t sharedTokens(const std::string &a, const std::string &b) {
  size_t n = std::min(a.size(), b.size()), k = 0;
  while (k < n && a[k] == b[k])
    ++k;
  return static_cast<int64_t>(k / 4);
}

class Bound {
public:
  Bound(const Program &program, const std::vector<InstanceRecord> &instances,
        const SimConfig &config, int64_t batchLimit)
      : program(program), instances(instances), config(config),
        batchLimit(batchLimit), chainDecode(instances.size(), 0) {
    // Calls on one dependency path decode in different iterations: the
    // output tokens along the heaviest path into each instance.
    for (size_t k = 0; k < instances.size(); ++k) {
      for (int32_t p : instances[k].parents)
        chainDecode[k] = std::max(chainDecode[k], chainDecode[p]);
      if (isRequest(instances[k]))
        chainDecode[k] += instances[k].maxTokens;
    }
  }

  /// Longest path cost of every instance, computed alone (CP's weights).
  std::vector<double> nodeCosts() const;
  /// WORK(R) per model, the largest over models. Its decode iterations
  /// are at least the batch limit's share of all output tokens and the
  /// output tokens of the heaviest dependency path in R (wf.md §9.3 takes
  /// the largest single request; a path is as valid and tighter). `R` is
  /// closed under ancestors (all instances, or a join's ancestors), so
  /// paths within it are paths of the whole graph.
  double work(const std::vector<int32_t> &requests) const;

private:
  double decodeMs(const InstanceRecord &r) const {
    int64_t p = countTokens(r.prompt), m = r.maxTokens;
    double contextSum = static_cast<double>(m) * p + m * (m - 1) / 2.0;
    return m * (config.decodeBaseMs + config.decodePerRequestMs) +
           config.decodePerKTokenMs * contextSum / 1000.0;
  }

  const Program &program;
  const std::vector<InstanceRecord> &instances;
  const SimConfig &config;
  int64_t batchLimit;
  std::vector<int64_t> chainDecode;
};

std::vector<double> Bound::nodeCosts() const {
  // Tokens each request shares with any other of its model: the longest
  // common prefix with a neighbour in sorted order.
  std::vector<int32_t> llm;
  for (size_t k = 0; k < instances.size(); ++k)
    if (isRequest(instances[k]))
      llm.push_back(static_cast<int32_t>(k));
  std::sort(llm.begin(), llm.end(), [&](int32_t a, int32_t b) {
    const InstanceRecord &x = instances[a], &y = instances[b];
    return std::tie(x.callee, x.prompt) < std::tie(y.callee, y.prompt);
  });
  std::vector<int64_t> shared(instances.size(), 0);
  for (size_t k = 1; k < llm.size(); ++k) {
    const InstanceRecord &a = instances[llm[k - 1]], &b = instances[llm[k]];
    if (a.callee != b.callee)
      continue;
    int64_t s = sharedTokens(a.prompt, b.prompt);
    shared[llm[k - 1]] = std::max(shared[llm[k - 1]], s);
    shared[llm[k]] = std::max(shared[llm[k]], s);
  }
  std::vector<double> cost(instances.size(), 0);
  for (size_t k = 0; k < instances.size(); ++k) {
    const InstanceRecord &r = instances[k];
    if (isRequest(r)) {
      cost[k] = config.prefillMsPerToken *
                    static_cast<double>(countTokens(r.prompt) - shared[k]) +
                decodeMs(r);
    } else if (r.kind == NodeKind::Tool) {
      const ToolDecl &t = program.tools[r.callee];
      double attempt = t.timeoutMs > 0
                           ? std::min(t.simMs, static_cast<double>(t.timeoutMs))
                           : t.simMs;
      cost[k] = attempt * static_cast<double>(r.attempts);
    }
  }
  return cost;
}

double Bound::work(const std::vector<int32_t> &requests) const {
  std::vector<int32_t> sorted;
  for (int32_t k : requests)
    if (isRequest(instances[k]))
      sorted.push_back(k);
  std::sort(sorted.begin(), sorted.end(), [&](int32_t a, int32_t b) {
    const InstanceRecord &x = instances[a], &y = instances[b];
    return std::tie(x.callee, x.prompt) < std::tie(y.callee, y.prompt);
  });
  double best = 0;
  for (size_t begin = 0; begin < sorted.size();) {
    size_t end = begin;
    int32_t model = instances[sorted[begin]].callee;
    // One model's requests; its distinct prompt tokens are the trie size:
    // Σ lengths − Σ common prefixes of sorted neighbours.
    int64_t distinct = 0, maxDecode = 0, decodes = 0;
    double contextMs = 0;
    for (; end < sorted.size() && instances[sorted[end]].callee == model;
         ++end) {
      const InstanceRecord &r = instances[sorted[end]];
      distinct += countTokens(r.prompt);
      if (end > begin)
        distinct -= sharedTokens(instances[sorted[end - 1]].prompt, r.prompt);
      maxDecode = std::max(maxDecode, chainDecode[sorted[end]]);
      decodes += r.maxTokens;
      double p = static_cast<double>(countTokens(r.prompt)), m = r.maxTokens;
      contextMs += m * p + m * (m - 1) / 2;
    }
    double iterations = std::max<double>(
        maxDecode, std::ceil(static_cast<double>(decodes) / batchLimit));
    double ms = config.prefillMsPerToken * distinct +
                config.decodeBaseMs * iterations +
                config.decodePerRequestMs * decodes +
                config.decodePerKTokenMs * contextMs / 1000;
    best = std::max(best, ms);
    begin = end;
  }
  return best;
}

} // namespace

LowerBound computeLowerBound(const Program &program,
                             const std::vector<InstanceRecord> &instances,
                             const SimConfig &config, double rttMs,
                             int64_t batchLimit, size_t stageCandidates) {
  Bound bound(program, instances, config, batchLimit);
  std::vector<double> cost = bound.nodeCosts();
  size_t n = instances.size();
  // Instances are recorded as they complete: parents come first.
  std::vector<double> head(n, 0), tail(n, 0);
  std::vector<std::vector<int32_t>> children(n);
  for (size_t k = 0; k < n; ++k) {
    double start = 0;
    for (int32_t p : instances[k].parents) {
      start = std::max(start, head[p]);
      children[p].push_back(static_cast<int32_t>(k));
    }
    head[k] = start + cost[k];
  }
  for (size_t k = n; k-- > 0;) {
    double after = 0;
    for (int32_t c : children[k])
      after = std::max(after, tail[c]);
    tail[k] = cost[k] + after;
  }
  LowerBound lb;
  for (size_t k = 0; k < n; ++k)
    lb.criticalPath = std::max(lb.criticalPath, head[k]);
  lb.criticalPath += rttMs;
  std::vector<int32_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  lb.work = rttMs + bound.work(all);

  std::vector<int32_t> joins;
  for (size_t k = 0; k < n; ++k)
    if (instances[k].parents.size() >= 2)
      joins.push_back(static_cast<int32_t>(k));
  // The latest joins, then an even spread over the rest.
  std::vector<int32_t> candidates;
  size_t late = std::min(joins.size(), stageCandidates / 2);
  candidates.assign(joins.end() - late, joins.end());
  size_t rest = joins.size() - late, spread = stageCandidates - late;
  for (size_t k = 0; k < spread && k < rest; ++k)
    candidates.push_back(joins[k * rest / std::min(spread, rest)]);
  std::vector<uint32_t> seen(n, 0);
  uint32_t epoch = 0;
  for (int32_t c : candidates) {
    ++epoch;
    std::vector<int32_t> ancestors,
        stack(instances[c].parents.begin(), instances[c].parents.end());
    while (!stack.empty()) {
      int32_t a = stack.back();
      stack.pop_back();
      if (seen[a] == epoch)
        continue;
      seen[a] = epoch;
      ancestors.push_back(a);
      stack.insert(stack.end(), instances[a].parents.begin(),
                   instances[a].parents.end());
    }
    lb.stage = std::max(lb.stage, rttMs + bound.work(ancestors) + tail[c]);
  }
  return lb;
}

} // namespace mlir::loom::wfrt

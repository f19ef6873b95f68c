//===- LatencyTasks.cpp - The wf.latency graphs loom-tune measures --------===//
//
// wf.latency learns what a compute node costs, so its tasks are graphs of
// the nodes workflows run between LLM calls: lut GEMMs at every weight
// format from decode to small batches, MoE layers, f32 contractions
// (projections, attention) and elementwise chains, sized from microseconds
// to tens of milliseconds. Each node is lowered under the compiler's own
// decisions; random DAG edges give the schedules evaluate compares.
//
//===----------------------------------------------------------------------===//

#include "Tasks.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <random>
#include <sstream>

using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

constexpr unsigned kGraphs = 300, kNodesPerGraph = 8;

/// The task a node of each family borrows its module and inputs from
/// (cold, as collectLatency times every node).
std::optional<Task> asTask(const LatencyNode &node) {
  if (const auto *g = std::get_if<GemmProblem>(&node))
    return Task{"lut.gemm", *g, /*cold=*/true};
  if (const auto *m = std::get_if<MoEProblem>(&node))
    return Task{"moe.dispatch", *m};
  if (const auto *c = std::get_if<ContractionProblem>(&node))
    return Task{"linalg.tile", *c};
  return std::nullopt;
}

const char *const kElementwiseOps[] = {"mulf", "addf", "maximumf", "subf"};

std::string elementwiseFunction(const std::string &name,
                                const ElementwiseProblem &p) {
  std::string type = tensorType({p.rows, p.cols});
  std::ostringstream os;
  os << "func.func @" << name << "(%v0: " << type << ") -> " << type << " {\n";
  for (int i = 1; i <= p.ops; ++i)
    os << "  %v" << i << " = arith." << kElementwiseOps[(i - 1) % 4] << " %v"
       << i - 1 << ", %v0 : " << type << "\n";
  os << "  return %v" << p.ops << " : " << type << "\n}\n";
  return os.str();
}

template <typename T> const T &pick(std::mt19937 &rng, llvm::ArrayRef<T> from) {
  return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
}

LatencyNode randomNode(std::mt19937 &rng) {
  static const char *const formats[] = {"ternary", "trit3", "w1",
                                        "w2",      "w3",    "w4"};
  switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
  case 0:
  case 1:
  case 2: { // A lut GEMM of up to 4 M weights.
    GemmProblem g;
    g.format = pick<const char *>(rng, formats);
    do {
      g.m = 128 * std::uniform_int_distribution<int64_t>(2, 32)(rng);
      g.k = 128 * std::uniform_int_distribution<int64_t>(2, 32)(rng);
    } while (g.m * g.k > (int64_t(4) << 20));
    g.n = pick<int64_t>(rng, {1, 2, 4, 8, 16, 32, 64, 128});
    g.actQuant = std::uniform_int_distribution<int>(0, 4)(rng) == 0;
    return g;
  }
  case 3:
  case 4: { // A float SwiGLU MoE layer of up to 2 M weights per matrix.
    MoEProblem m;
    do {
      m.experts = pick<int64_t>(rng, {4, 8, 16, 32});
      m.dModel = pick<int64_t>(rng, {128, 256, 384, 512});
      m.dFf = pick<int64_t>(rng, {128, 256, 512, 1024});
    } while (m.experts * m.dModel * m.dFf > (int64_t(2) << 20));
    m.topK = pick<int64_t>(rng, {1, 2, 2, 4});
    m.tokens = pick<int64_t>(rng, {1, 4, 16, 64, 256});
    m.capacityFactor = pick<double>(rng, {0, 0, 1.25});
    return m;
  }
  case 5:
  case 6:
  case 7: { // A projection (weights [in, out] or [out, in]) or attention.
    int64_t m = pick<int64_t>(rng, {1, 4, 16, 64, 256});
    int64_t n = 64 * std::uniform_int_distribution<int64_t>(1, 16)(rng);
    int64_t k = 64 * std::uniform_int_distribution<int64_t>(1, 16)(rng);
    switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:
      return ContractionProblem{"mk,kn->mn", {{'m', m}, {'k', k}, {'n', n}}};
    case 1:
      return ContractionProblem{"mk,nk->mn", {{'m', m}, {'k', k}, {'n', n}}};
    case 2: // Scores: tokens x heads x positions over the head dim.
      return ContractionProblem{
          "nhe,she->nhs",
          {{'n', std::min<int64_t>(m, 64)}, {'h', 8}, {'e', 64}, {'s', n}}};
    default: // Context.
      return ContractionProblem{
          "nhs,she->nhe",
          {{'n', std::min<int64_t>(m, 64)}, {'h', 8}, {'s', n}, {'e', 64}}};
    }
  }
  default: { // An elementwise chain of 16 K to 4 M elements.
    ElementwiseProblem e;
    e.rows = pick<int64_t>(rng, {1, 16, 64, 256});
    do
      e.cols = 256 * std::uniform_int_distribution<int64_t>(1, 64)(rng);
    while (e.rows * e.cols > (int64_t(4) << 20) ||
           e.rows * e.cols < (int64_t(16) << 10));
    e.ops = std::uniform_int_distribution<int>(1, 4)(rng);
    return e;
  }
  }
}

} // namespace

std::vector<Task> tune::generateLatencyTasks(unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Task> tasks;
  for (unsigned g = 0; g < kGraphs; ++g) {
    GraphProblem graph{"g" + std::to_string(g), {}, {}};
    for (unsigned i = 0; i < kNodesPerGraph; ++i) {
      graph.nodes.push_back(randomNode(rng));
      // Half the nodes wait for an earlier one, a quarter for two.
      for (int edge = 0; i > 0 && edge < 2; ++edge)
        if (std::uniform_int_distribution<int>(0, 3)(rng) < 2 - edge)
          graph.edges.push_back(
              {std::uniform_int_distribution<unsigned>(0, i - 1)(rng), i});
    }
    llvm::sort(graph.edges);
    graph.edges.erase(std::unique(graph.edges.begin(), graph.edges.end()),
                      graph.edges.end());
    tasks.push_back({"wf.latency", std::move(graph)});
  }
  return tasks;
}

std::string tune::latencyTaskModule(const GraphProblem &problem, unsigned shard,
                                    unsigned shards) {
  std::string module;
  for (auto [i, node] : llvm::enumerate(problem.nodes)) {
    if (i % shards != shard)
      continue;
    std::string name = "n" + std::to_string(i);
    if (std::optional<Task> task = asTask(node))
      module += taskModule(*task, {{name, ""}});
    else
      module += elementwiseFunction(name, std::get<ElementwiseProblem>(node));
  }
  return module;
}

std::vector<TaskInput> tune::latencyNodeInputs(const LatencyNode &node) {
  if (std::optional<Task> task = asTask(node))
    return taskInputs(*task);
  const auto &e = std::get<ElementwiseProblem>(node);
  return {{{e.rows, e.cols}, 1}};
}

std::string tune::describe(const LatencyNode &node) {
  if (std::optional<Task> task = asTask(node))
    return task->describe();
  const auto &e = std::get<ElementwiseProblem>(node);
  return llvm::formatv("elementwise {0} ops {1}x{2}", e.ops, e.rows, e.cols);
}

std::string tune::familyOf(const LatencyNode &node) {
  static const char *const families[] = {"lut", "moe", "linalg", "elementwise"};
  return families[node.index()];
}

llvm::json::Value tune::toJson(const GraphProblem &problem) {
  llvm::json::Array nodes, edges;
  for (const LatencyNode &node : problem.nodes) {
    if (std::optional<Task> task = asTask(node)) {
      nodes.push_back(task->toJson());
      continue;
    }
    const auto &e = std::get<ElementwiseProblem>(node);
    nodes.push_back(llvm::json::Object{{"decision", "elementwise"},
                                       {"rows", e.rows},
                                       {"cols", e.cols},
                                       {"ops", e.ops}});
  }
  for (auto [from, to] : problem.edges)
    edges.push_back(llvm::json::Array{from, to});
  return llvm::json::Object{{"graph", problem.name},
                            {"nodes", std::move(nodes)},
                            {"edges", std::move(edges)}};
}

llvm::Expected<GraphProblem>
tune::graphFromJson(const llvm::json::Value &value) {
  const llvm::json::Object *object = value.getAsObject();
  const llvm::json::Array *nodes = object ? object->getArray("nodes") : nullptr;
  const llvm::json::Array *edges = object ? object->getArray("edges") : nullptr;
  std::optional<llvm::StringRef> name =
      object ? object->getString("graph") : std::nullopt;
  if (!nodes || !edges || !name)
    return llvm::createStringError(
        "a wf.latency task needs 'graph', 'nodes' and 'edges'");
  GraphProblem graph{name->str(), {}, {}};
  for (const llvm::json::Value &node : *nodes) {
    const llvm::json::Object *fields = node.getAsObject();
    if (fields && fields->getString("decision") == "elementwise") {
      ElementwiseProblem e;
      llvm::json::Path::Root root("node");
      llvm::json::ObjectMapper mapper(node, root);
      if (!mapper.map("rows", e.rows) || !mapper.map("cols", e.cols) ||
          !mapper.map("ops", e.ops))
        return root.getError();
      if (e.rows <= 0 || e.cols <= 0 || e.ops < 1 || e.ops > 4)
        return llvm::createStringError(
            "graph " + graph.name +
            ": an elementwise node needs positive sizes and 1 to 4 ops");
      graph.nodes.push_back(e);
      continue;
    }
    llvm::Expected<Task> task = Task::fromJson(node);
    if (!task)
      return task.takeError();
    if (task->decision == "wf.latency")
      return llvm::createStringError("graph " + graph.name +
                                     ": a node cannot be a graph");
    std::visit(
        [&](const auto &p) {
          if constexpr (!std::is_same_v<std::decay_t<decltype(p)>,
                                        GraphProblem>)
            graph.nodes.push_back(p);
        },
        task->problem);
  }
  for (const llvm::json::Value &edge : *edges) {
    const llvm::json::Array *pair = edge.getAsArray();
    std::optional<int64_t> from = pair && pair->size() == 2
                                      ? (*pair)[0].getAsInteger()
                                      : std::nullopt,
                           to = pair && pair->size() == 2
                                    ? (*pair)[1].getAsInteger()
                                    : std::nullopt;
    if (!from || !to || *from < 0 || *from >= *to ||
        *to >= int64_t(graph.nodes.size()))
      return llvm::createStringError(
          "graph " + graph.name +
          ": an edge is [from, to] of node indices with from < to");
    graph.edges.push_back({unsigned(*from), unsigned(*to)});
  }
  return graph;
}

//===- Tasks.cpp - The problem instances loom-tune measures ---------------===//

#include "Tasks.h"

#include "loom/Support/DenseLiteral.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cmath>
#include <random>
#include <set>
#include <sstream>

using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

struct Format {
  const char *name;
  const char *quant;
  const char *layout;
  int codes;
  /// K per scale; 0: one per tensor.
  int64_t group;
  bool zeroPoint;
};

// The lut benchmark's formats (bench/lut), with f32 scales.
const Format kFormats[] = {
    {"ternary", "#lut.quant<ternary, group = per_tensor, scale = f32>",
     "bitplane", 3, 0, false},
    {"trit3", "#lut.quant<ternary, group = per_tensor, scale = f32>", "trit3",
     3, 0, false},
    {"w1", "#lut.quant<binary, bits = 1, group = 128, scale = f32>", "bitplane",
     2, 128, false},
    {"w2",
     "#lut.quant<unsigned, bits = 2, group = 128, scale = f32, offset = "
     "zero_point>",
     "bitplane", 4, 128, true},
    {"w3", "#lut.quant<signed, bits = 3, group = 128, scale = f32>", "bitplane",
     8, 128, false},
    {"w4", "#lut.quant<signed, bits = 4, group = 32, scale = f32>", "bitplane",
     16, 32, false},
};

const Format *findFormat(llvm::StringRef name) {
  for (const Format &f : kFormats)
    if (name == f.name)
      return &f;
  return nullptr;
}

} // namespace

std::string Task::describe() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << decision << " ";
  if (const auto *g = std::get_if<GemmProblem>(&problem))
    os << g->format << " " << g->m << "x" << g->k << " n=" << g->n
       << (cold ? " cold" : "") << (g->actQuant ? " aq" : "");
  else if (const auto *c = std::get_if<ContractionProblem>(&problem))
    os << tune::describe(*c);
  else if (const auto *graph = std::get_if<GraphProblem>(&problem))
    os << graph->name << ": "
       << llvm::join(llvm::map_range(graph->nodes,
                                     [](const LatencyNode &node) {
                                       return tune::describe(node);
                                     }),
                     "; ");
  else if (const auto *m = std::get_if<MoEProblem>(&problem))
    os << "E=" << m->experts << " k=" << m->topK << " d=" << m->dModel
       << " h=" << m->dFf << " T=" << m->tokens
       << " cf=" << llvm::format("%g", m->capacityFactor);
  return text;
}

std::string Task::id() const {
  std::string text;
  llvm::raw_string_ostream(text)
      << llvm::format_hex_no_prefix(llvm::xxh3_64bits(describe()), 16);
  return text;
}

llvm::json::Value Task::toJson() const {
  if (const auto *graph = std::get_if<GraphProblem>(&problem)) {
    llvm::json::Object object = std::move(*tune::toJson(*graph).getAsObject());
    object["decision"] = decision;
    return object;
  }
  if (const auto *c = std::get_if<ContractionProblem>(&problem)) {
    llvm::json::Object object = std::move(*tune::toJson(*c).getAsObject());
    object["decision"] = decision;
    return object;
  }
  if (const auto *m = std::get_if<MoEProblem>(&problem))
    return llvm::json::Object{{"decision", decision},
                              {"tokens", m->tokens},
                              {"experts", m->experts},
                              {"top_k", m->topK},
                              {"d_model", m->dModel},
                              {"d_ff", m->dFf},
                              {"capacity_factor", m->capacityFactor}};
  const auto &g = std::get<GemmProblem>(problem);
  return llvm::json::Object{{"decision", decision},
                            {"format", g.format},
                            {"m", g.m},
                            {"k", g.k},
                            {"n", g.n},
                            {"cache", cold ? "cold" : "hot"},
                            {"act_quant", g.actQuant}};
}

static llvm::Expected<Task> moeTaskFromJson(const llvm::json::Value &value) {
  Task task;
  MoEProblem m;
  llvm::json::Path::Root root("task");
  llvm::json::ObjectMapper mapper(value, root);
  if (!mapper || !mapper.map("decision", task.decision) ||
      !mapper.map("tokens", m.tokens) || !mapper.map("experts", m.experts) ||
      !mapper.map("top_k", m.topK) || !mapper.map("d_model", m.dModel) ||
      !mapper.map("d_ff", m.dFf) ||
      !mapper.map("capacity_factor", m.capacityFactor))
    return root.getError();
  task.problem = m;
  if (m.tokens <= 0 || m.experts <= 0 || m.topK <= 0 || m.topK > m.experts ||
      m.dModel % 16 || m.dFf % 16 || m.dModel <= 0 || m.dFf <= 0 ||
      m.capacityFactor < 0)
    return llvm::createStringError(
        "task " + task.describe() +
        ": T, E, k and the sizes must be positive, k <= E, d_model and d_ff "
        "multiples of 16, the capacity factor >= 0");
  return task;
}

llvm::Expected<Task> Task::fromJson(const llvm::json::Value &value) {
  const llvm::json::Object *object = value.getAsObject();
  if (object && object->getString("decision") == "moe.dispatch")
    return moeTaskFromJson(value);
  if (object && object->getString("decision") == "wf.latency") {
    llvm::Expected<GraphProblem> problem = graphFromJson(value);
    if (!problem)
      return problem.takeError();
    return Task{"wf.latency", *problem};
  }
  if (object && object->getString("decision") == "linalg.tile") {
    llvm::Expected<ContractionProblem> problem = contractionFromJson(value);
    if (!problem)
      return problem.takeError();
    return Task{"linalg.tile", *problem};
  }
  Task task;
  GemmProblem g;
  llvm::json::Path::Root root("task");
  llvm::json::ObjectMapper mapper(value, root);
  if (!mapper || !mapper.map("decision", task.decision) ||
      !mapper.map("format", g.format) || !mapper.map("m", g.m) ||
      !mapper.map("k", g.k) || !mapper.map("n", g.n))
    return root.getError();
  std::string cache = "hot";
  if (!mapper.mapOptional("cache", cache) ||
      (cache != "hot" && cache != "cold"))
    return llvm::createStringError("task cache must be hot or cold");
  task.cold = cache == "cold";
  if (!mapper.mapOptional("act_quant", g.actQuant))
    return root.getError();
  task.problem = g;
  if (!findFormat(g.format))
    return llvm::createStringError("unknown weight format '" + g.format + "'");
  if (g.m % 128 || g.k % 128 || g.m <= 0 || g.k <= 0 || g.n <= 0)
    return llvm::createStringError(
        "task " + task.describe() +
        ": M and K must be positive multiples of 128, N positive");
  return task;
}

std::string tune::tensorType(llvm::ArrayRef<int64_t> shape,
                             llvm::StringRef element) {
  std::string text = "tensor<";
  for (int64_t d : shape)
    text += std::to_string(d) + "x";
  return text + element.str() + ">";
}

float tune::outputTolerance(const Task &task) {
  const auto *c = std::get_if<ContractionProblem>(&task.problem);
  if (!c || c->element == "f32")
    return 0.02f;
  return 0.02f + contractionRoundingBound(*c);
}

std::vector<TaskInput> tune::taskInputs(const Task &task) {
  if (const auto *c = std::get_if<ContractionProblem>(&task.problem))
    return linalgTaskInputs(*c);
  if (const auto *m = std::get_if<MoEProblem>(&task.problem)) {
    // Weights at 1/sqrt(fan-in), so activations stay O(1).
    float in = 1 / std::sqrt(float(m->dModel)),
          out = 1 / std::sqrt(float(m->dFf));
    return {{{m->tokens, m->dModel}, 1},
            {{m->experts, m->dModel}, in},
            {{m->experts, 2 * m->dFf, m->dModel}, in},
            {{m->experts, m->dModel, m->dFf}, out}};
  }
  const auto &g = std::get<GemmProblem>(task.problem);
  return {{{g.n, g.k}, 1}};
}

std::vector<Task> tune::generateTasks(const std::string &decision,
                                      unsigned seed) {
  if (decision == "moe.dispatch")
    return generateMoETasks(seed);
  if (decision == "linalg.tile")
    return generateLinalgTasks(seed);
  if (decision == "wf.latency")
    return generateLatencyTasks(seed);
  std::vector<Task> tasks;
  // LLM projections with K and M scaled down to 1-2 M weights, so a task's
  // 24 compiled candidates stay small and its calls short: the decode and
  // small-batch regimes the kernels serve.
  const std::pair<int64_t, int64_t> shapes[] = {
      {1024, 1024}, {2048, 1024}, {1024, 2048}, {1408, 512}, {512, 1408}};
  const int64_t ns[] = {1, 4, 8, 16, 32, 64};
  for (const Format &f : kFormats)
    for (auto [m, k] : shapes)
      for (int64_t n : ns)
        tasks.push_back({decision, GemmProblem{f.name, m, k, n}});
  // Decode from DRAM, where prefetching pays (in cache it only costs).
  for (const Format &f : kFormats)
    for (auto [m, k] : shapes)
      for (int64_t n : {1, 4, 8})
        tasks.push_back(
            {decision, GemmProblem{f.name, m, k, n}, /*cold=*/true});
  // Int8 activations, where the int8-dot path competes with the lookups:
  // every format at each (m, k) and each (n, weights from DRAM).
  using Shape = std::pair<int64_t, int64_t>;
  using Point = std::pair<int64_t, bool>;
  auto addInt8Activations = [&](llvm::ArrayRef<Shape> mk,
                                llvm::ArrayRef<Point> points) {
    for (const Format &f : kFormats)
      for (auto [m, k] : mk)
        for (auto [n, cold] : points)
          tasks.push_back({decision,
                           GemmProblem{f.name, m, k, n, /*actQuant=*/true},
                           cold});
  };
  addInt8Activations(
      llvm::ArrayRef(shapes).take_front(3),
      {{1, false}, {8, false}, {64, false}, {1, true}, {8, true}});
  // The same at full LLM scale (9-25 M weights), decode and small batches:
  // a stream that outgrows the small shapes' caches and prefetch ramps,
  // whose best prefetch distance from DRAM the small tasks cannot show.
  // None is a lut benchmark shape, so its sweeps stay unseen shapes.
  addInt8Activations({{3072, 3072}, {8192, 3072}, {3072, 8192}},
                     {{1, false}, {1, true}, {8, true}});
  // Random shapes for coverage, from the seed.
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> blocks(2, 16), format(0, 5), nIndex(0, 5);
  std::set<std::string> seen;
  for (const Task &task : tasks)
    seen.insert(task.describe());
  for (int i = 0; i < 60; ++i) {
    Task task{decision,
              GemmProblem{kFormats[format(rng)].name, 128 * blocks(rng),
                          128 * blocks(rng), ns[nIndex(rng)]}};
    if (seen.insert(task.describe()).second)
      tasks.push_back(task);
  }
  return tasks;
}

/// The attribute dictionary of an entry's lut.mpgemm.
static std::string attributes(const GemmProblem &task, const TaskEntry &entry) {
  std::vector<std::string> items;
  if (task.actQuant)
    items.push_back("act_quant = #lut.act_quant<i8>");
  if (!entry.decision.empty())
    items.push_back("loom.decision = " + entry.decision);
  return items.empty() ? "" : "{" + llvm::join(items, ", ") + "}";
}

std::string tune::taskModule(const Task &generic,
                             llvm::ArrayRef<TaskEntry> entries) {
  if (const auto *m = std::get_if<MoEProblem>(&generic.problem))
    return moeTaskModule(*m, entries);
  if (const auto *c = std::get_if<ContractionProblem>(&generic.problem))
    return linalgTaskModule(*c, entries);
  const GemmProblem &task = std::get<GemmProblem>(generic.problem);
  const Format &f = *findFormat(task.format);
  std::mt19937 rng(
      static_cast<unsigned>(llvm::xxh3_64bits(generic.describe())));
  std::vector<int8_t> codes(task.m * task.k);
  std::uniform_int_distribution<int> code(0, f.codes - 1);
  for (int8_t &c : codes)
    c = static_cast<int8_t>(code(rng));
  int64_t rows = f.group ? task.m : 1, cols = f.group ? task.k / f.group : 1;
  std::vector<float> scales(rows * cols);
  std::uniform_real_distribution<float> scale(0.01f, 0.02f);
  for (float &s : scales)
    s = scale(rng);

  std::ostringstream packed, codesType, scalesType, zeroType, os;
  packed << "!lut.packed<" << task.m << "x" << task.k << ", " << f.quant
         << ", #lut.layout<" << f.layout
         << (llvm::StringRef(f.layout) == "trit3" ? ", tile_m = 128>"
                                                  : ", g = 4, lanes = 1x1, "
                                                    "tile_m = 128>")
         << ">";
  codesType << "tensor<" << task.m << "x" << task.k << "xi8>";
  scalesType << "tensor<" << rows << "x" << cols << "xf32>";
  zeroType << "tensor<" << rows << "x" << cols << "xi8>";
  std::string codesLiteral = hexDenseLiteral(codes.data(), codes.size());
  std::string scalesLiteral =
      hexDenseLiteral(scales.data(), scales.size() * sizeof(float));
  for (const TaskEntry &entry : entries) {
    os << "func.func @" << entry.name << "(%x: tensor<" << task.n << "x"
       << task.k << "xf32>) -> tensor<" << task.n << "x" << task.m
       << "xf32> {\n"
       << "  %c = arith.constant " << codesLiteral << " : " << codesType.str()
       << "\n  %s = arith.constant " << scalesLiteral << " : "
       << scalesType.str() << "\n";
    if (f.zeroPoint)
      os << "  %z = arith.constant dense<1> : " << zeroType.str() << "\n";
    os << "  %w = lut.pack %c, %s" << (f.zeroPoint ? ", %z" : "") << " : "
       << codesType.str() << ", " << scalesType.str()
       << (f.zeroPoint ? ", " + zeroType.str() : "") << " -> " << packed.str()
       << "\n"
       << "  %y = lut.mpgemm %x, %w " << attributes(task, entry) << " : tensor<"
       << task.n << "x" << task.k << "xf32>, " << packed.str() << " -> tensor<"
       << task.n << "x" << task.m << "xf32>\n"
       << "  return %y : tensor<" << task.n << "x" << task.m << "xf32>\n}\n";
  }
  return os.str();
}

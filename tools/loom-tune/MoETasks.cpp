//===- MoETasks.cpp - The moe.dispatch problems loom-tune measures --------===//
//
// Float SwiGLU layers from Mixtral-like (8 experts, top-2) to fine-grained
// (64 experts, top-8) routing, scaled to about 2 M weights per expert
// matrix, at T from decode to prefill, dropless and with a capacity; then
// dropless Mixtral-like layers at full size.
//
//===----------------------------------------------------------------------===//

#include "Tasks.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <random>
#include <set>
#include <sstream>

using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

/// Multiply-adds of the dense strategy (every expert over every token)
/// beyond which a task is left out: its calls would take tens of ms.
constexpr double kMaxDenseMacs = 2.5e8;

bool affordable(const MoEProblem &p) {
  return 3.0 * p.tokens * p.experts * p.dModel * p.dFf <= kMaxDenseMacs;
}

} // namespace

std::vector<Task> tune::generateMoETasks(unsigned seed) {
  const std::string decision = "moe.dispatch";
  std::vector<Task> tasks;
  std::set<std::string> seen;
  auto add = [&](const MoEProblem &p) {
    Task task{decision, p};
    if (affordable(p) && seen.insert(task.describe()).second)
      tasks.push_back(task);
  };
  // (E, k, d, h) of real routings, scaled down.
  const MoEProblem layers[] = {{0, 8, 2, 256, 256},  {0, 8, 2, 512, 256},
                               {0, 16, 2, 256, 256}, {0, 32, 4, 256, 128},
                               {0, 64, 8, 128, 128}, {0, 16, 4, 512, 128},
                               {0, 8, 1, 256, 512}};
  for (MoEProblem p : layers) {
    for (int64_t t : {1, 4, 16, 64, 256}) {
      p.tokens = t;
      p.capacityFactor = 0;
      add(p);
      if (t >= 16) {
        p.capacityFactor = 1.25;
        add(p);
      }
    }
  }
  // Random layers for coverage, from the seed.
  std::mt19937 rng(seed);
  const int64_t experts[] = {4, 8, 16, 32, 64}, sizes[] = {128, 256, 384, 512},
                tokens[] = {1, 2, 8, 32, 128, 512};
  const double factors[] = {0, 0, 1.0, 2.0};
  auto pick = [&](auto &options) {
    return options[std::uniform_int_distribution<size_t>(0, std::size(options) -
                                                                1)(rng)];
  };
  for (int i = 0; i < 340; ++i) {
    MoEProblem p;
    p.experts = pick(experts);
    int64_t topKs[] = {1, 2, 4, 8};
    do
      p.topK = pick(topKs);
    while (2 * p.topK > p.experts);
    p.dModel = pick(sizes);
    p.dFf = pick(sizes);
    p.tokens = pick(tokens);
    p.capacityFactor = pick(factors);
    if (p.experts * p.dModel * p.dFf <= (int64_t(2) << 20))
      add(p);
  }
  // Full-size layers, where the weights outgrow the caches and the
  // register tile that suits a small layer need not: Mixtral-like shapes
  // with d = 768 to 2048 and h = 1024 to 4096, decode to prefill. The
  // benchmark's own points (d = 1024, h = 2816 at T = 8 and 512) are left
  // out, so that its end-to-end check is not a training task.
  const MoEProblem fullSize[] = {{0, 8, 2, 1024, 2816},  {0, 8, 2, 768, 2048},
                                 {0, 16, 2, 1024, 1408}, {0, 8, 2, 2048, 1024},
                                 {0, 4, 1, 1024, 4096},  {0, 8, 2, 1536, 2048}};
  auto addFullSize = [&](MoEProblem p, int64_t t) {
    p.tokens = t;
    Task task{decision, p};
    if (seen.insert(task.describe()).second)
      tasks.push_back(task);
  };
  for (const MoEProblem &p : fullSize)
    for (int64_t t : {1, 4, 16, 64, 256})
      addFullSize(p, t);
  // Decode batches between those, where a few rows per expert make the
  // weight-row tile matter (the anchor shape's T = 8 stays out).
  for (const MoEProblem &p : fullSize)
    for (int64_t t : {2, 8, 32})
      if (!(p.dModel == 1024 && p.dFf == 2816 && t == 8))
        addFullSize(p, t);
  return tasks;
}

std::string tune::moeTaskModule(const MoEProblem &p,
                                llvm::ArrayRef<TaskEntry> entries) {
  std::string x = tensorType({p.tokens, p.dModel}),
              wr = tensorType({p.experts, p.dModel}),
              w1 = tensorType({p.experts, 2 * p.dFf, p.dModel}),
              w2 = tensorType({p.experts, p.dModel, p.dFf});
  std::string factor;
  llvm::raw_string_ostream(factor) << llvm::format("%.4f", p.capacityFactor);
  std::ostringstream os;
  for (const TaskEntry &entry : entries) {
    os << "func.func @" << entry.name << "(%x: " << x << ", %wr: " << wr
       << ", %w1: " << w1 << ", %w2: " << w2 << ") -> " << x << " {\n"
       << "  %y = moe.layer %x, %wr, %w1, %w2 {routing = #moe.routing<k = "
       << p.topK << (p.topK > 1 ? ", renormalize" : "")
       << ">, capacity = #moe.capacity<factor = " << factor
       << ">, ffn = #moe.ffn<swiglu>"
       << (entry.decision.empty() ? "" : ", loom.decision = " + entry.decision)
       << "} : (" << x << ", " << wr << ", " << w1 << ", " << w2 << ") -> " << x
       << "\n  return %y : " << x << "\n}\n";
  }
  return os.str();
}

//===- Tasks.h - The problem instances loom-tune measures -------*- C++ -*-===//
//
// A task is one decision on one problem: for lut.gemm a weight format and a
// GEMM shape, for moe.dispatch a layer and its token count, for linalg.tile
// a contraction and its sizes. Its candidates
// come from the compiler's own knob space; its module holds one entry per
// candidate (the decision pinned), so one compile serves the whole task.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_TASKS_H
#define LOOM_TOOLS_LOOMTUNE_TASKS_H

#include "loom/CostModel/Knobs.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace mlir::loom::tune {

/// A lut.gemm problem: a weight format and a GEMM shape.
struct GemmProblem {
  /// A weight format of the lut benchmark: ternary, trit3, w1 ... w4.
  std::string format;
  int64_t m, k, n;
  /// Whether the activations are quantized to int8 first (`act_quant`, the
  /// exact mode), which opens the int8-dot path.
  bool actQuant = false;
};

/// A moe.dispatch problem: one float SwiGLU MoE layer at T tokens.
struct MoEProblem {
  int64_t tokens, experts, topK, dModel, dFf;
  /// Tutel's capacity factor; 0: dropless.
  double capacityFactor = 0;
};

/// A linalg.tile problem: an einsum-like contraction of static tensors
/// ("mk,kn->mn", "nhe,she->nhs"), the size of each letter and the element
/// type of every operand.
struct ContractionProblem {
  std::string spec;
  /// (letter, size) in the order the letters first appear in `spec`.
  std::vector<std::pair<char, int64_t>> sizes;
  /// "f32", "f16" or "bf16".
  std::string element = "f32";
};

/// An elementwise node of wf.latency: `ops` arith ops chained over a
/// rows x cols f32 tensor.
struct ElementwiseProblem {
  int64_t rows, cols;
  int ops;
};

/// One compute node of a wf.latency graph: a lut GEMM, an MoE layer or a
/// linalg contraction (each under the compiler's own decisions), or an
/// elementwise chain.
using LatencyNode = std::variant<GemmProblem, MoEProblem, ContractionProblem,
                                 ElementwiseProblem>;

/// A wf.latency problem: a graph of compute nodes, each timed alone. The
/// edges only shape the schedules `evaluate` compares (costmodel.md §5).
struct GraphProblem {
  std::string name;
  std::vector<LatencyNode> nodes;
  /// (from, to), from < to.
  std::vector<std::pair<unsigned, unsigned>> edges;
};

struct Task {
  std::string decision;
  std::variant<GemmProblem, MoEProblem, ContractionProblem, GraphProblem>
      problem;
  /// Whether every call streams the weights from DRAM (the caches flushed
  /// before it) rather than finding them cached.
  bool cold = false;

  /// "lut.gemm ternary 1024x2048 n=8[ cold]": what the dataset rows repeat.
  std::string describe() const;
  /// A hash of describe(): the key of its dataset rows and its split.
  std::string id() const;
  llvm::json::Value toJson() const;
  static llvm::Expected<Task> fromJson(const llvm::json::Value &value);
};

/// One argument of a task's entries: its shape, filled with uniform
/// values in [-scale, scale], and its element type ("f32", "f16", "bf16":
/// the values rounded to it).
struct TaskInput {
  std::vector<int64_t> shape;
  float scale;
  std::string element = "f32";
};

/// The largest difference from the reference output, relative to the
/// output's largest magnitude, that a candidate of `task` may show: 2 %,
/// plus for 16-bit contractions the rounding of sums whose order differs
/// between tiles.
float outputTolerance(const Task &task);

/// The arguments every entry of `task`'s module takes, in order.
std::vector<TaskInput> taskInputs(const Task &task);

/// The deterministic task list of a decision: shapes of LLM projections
/// scaled to this machine, every weight format, N from decode to small
/// batches, then random shapes from `seed`.
std::vector<Task> generateTasks(const std::string &decision, unsigned seed);

/// One entry of a task's module: its name and the #loom.decision its
/// tunable op carries ("" for none).
struct TaskEntry {
  std::string name;
  std::string decision;
};

/// The module of `task`: one function per entry over the same weights and
/// the arguments of taskInputs.
std::string taskModule(const Task &task, llvm::ArrayRef<TaskEntry> entries);

/// "tensor<AxBxf32>" of `shape` and `element`, for task modules.
std::string tensorType(llvm::ArrayRef<int64_t> shape,
                       llvm::StringRef element = "f32");

/// The moe.dispatch parts of the above (MoETasks.cpp).
std::vector<Task> generateMoETasks(unsigned seed);
std::string moeTaskModule(const MoEProblem &problem,
                          llvm::ArrayRef<TaskEntry> entries);

/// The linalg.tile parts (LinalgTasks.cpp).
std::vector<Task> generateLinalgTasks(unsigned seed);
std::string linalgTaskModule(const ContractionProblem &problem,
                             llvm::ArrayRef<TaskEntry> entries);
std::vector<TaskInput> linalgTaskInputs(const ContractionProblem &problem);
/// How far, relative to the output's largest magnitude, two summation
/// orders of a 16-bit contraction may differ: about four roundings of the
/// element type per square root of the products summed.
float contractionRoundingBound(const ContractionProblem &problem);
llvm::json::Value toJson(const ContractionProblem &problem);
llvm::Expected<ContractionProblem>
contractionFromJson(const llvm::json::Value &value);
/// "mk,kn->mn m=64 n=96 k=128".
std::string describe(const ContractionProblem &problem);

/// The wf.latency parts (LatencyTasks.cpp): graphs of nodes whose module
/// holds one function per node, @n0, @n1, ... (of a shard: the nodes i
/// with i % shards == shard).
std::vector<Task> generateLatencyTasks(unsigned seed);
std::string latencyTaskModule(const GraphProblem &problem, unsigned shard = 0,
                              unsigned shards = 1);
std::vector<TaskInput> latencyNodeInputs(const LatencyNode &node);
/// "lut.gemm ternary 1024x2048 n=8", "elementwise 3 ops 64x4096".
std::string describe(const LatencyNode &node);
/// The family a node's knob column records: lut, moe, linalg, elementwise.
std::string familyOf(const LatencyNode &node);
llvm::json::Value toJson(const GraphProblem &problem);
llvm::Expected<GraphProblem> graphFromJson(const llvm::json::Value &value);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_TASKS_H

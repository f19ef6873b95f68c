//===- Tasks.h - The problem instances loom-tune measures --------*- C++
//-*-===//
//
// A task is one decision on one problem: for lut.gemm a weight format and a
// GEMM shape. Its candidates come from the compiler's own knob space; its
// module holds one entry per candidate (the decision pinned), so one
// compile serves the whole task.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_TOOLS_LOOMTUNE_TASKS_H
#define LOOM_TOOLS_LOOMTUNE_TASKS_H

#include "loom/CostModel/Knobs.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::loom::tune {

struct Task {
  std::string decision;
  /// A weight format of the lut benchmark: ternary, trit3, w1 ... w4.
  std::string format;
  int64_t m, k, n;
  /// Whether every call streams the weights from DRAM (the caches flushed
  /// before it) rather than finding them cached.
  bool cold = false;
  /// Whether the activations are quantized to int8 first (`act_quant`, the
  /// exact mode), which opens the int8-dot path.
  bool actQuant = false;

  /// "lut.gemm ternary 1024x2048 n=8[ cold]": what the dataset rows repeat.
  std::string describe() const;
  /// A hash of describe(): the key of its dataset rows and its split.
  std::string id() const;
  llvm::json::Value toJson() const;
  static llvm::Expected<Task> fromJson(const llvm::json::Value &value);
};

/// The deterministic task list of a decision: shapes of LLM projections
/// scaled to this machine, every weight format, N from decode to small
/// batches, then random shapes from `seed`.
std::vector<Task> generateTasks(const std::string &decision, unsigned seed);

/// One entry of a task's module: its name and the #loom.decision its
/// lut.mpgemm carries ("" for none).
struct TaskEntry {
  std::string name;
  std::string decision;
};

/// The module of `task`: one function per entry over the same weights
/// (random codes from a seed the task fixes), x : tensor<N x K x f32>.
std::string taskModule(const Task &task, llvm::ArrayRef<TaskEntry> entries);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_TASKS_H

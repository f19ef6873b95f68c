//===- Program.h - The task table a wf graph compiles to --------*- C++ -*-===//
//
// wf.md §8.1: each wf.graph becomes a table of rows the executor walks by
// dependency counting. Region ops (map, replicate, if, catch) own sub-tables
// that the executor instantiates per iteration or branch. The table holds
// everything the runtime needs and nothing of MLIR, so compiled libraries
// and loom-run share one executor.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_PROGRAM_H
#define LOOM_RUNTIME_WORKFLOW_PROGRAM_H

#include "loom/Runtime/Workflow/Value.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::loom::wfrt {

enum class NodeKind : uint8_t {
  Const,
  Param,
  Format,
  Llm,
  Tool,
  Code,
  Split,
  Join,
  Map,
  Replicate,
  If,
  Catch,
  While,
  Checkpoint,
  Compute,
  Python,
};

/// Parrot's objective classes; `Untagged` is what a client that knows
/// nothing of the graph sends.
enum class Objective : uint8_t { Latency, Throughput, Untagged };

struct Segment {
  enum class Kind : uint8_t { Text, Operand, Param } kind;
  std::string text;
  /// Operand number or parameter index.
  int64_t index = 0;
};

/// One row of a task table. A row reads the slots in `operands` and writes
/// the slots in `results`; slots number a table's values, its arguments
/// first.
struct Node {
  NodeKind kind;
  /// The source id (wf.md §7.1); an instance appends its iteration path.
  std::string id;
  /// Other source ids whose value this node's result is (`wf.origin`: the
  /// nodes wf-cse merged into it, an inlined call): the value log records
  /// the value under each (wf.md §7.5).
  std::vector<std::string> origins;
  std::vector<uint32_t> operands;
  std::vector<uint32_t> results;

  Value constant;
  std::vector<Segment> segments;
  /// Model, tool, code function, compute entry, Python code or parameter
  /// index.
  int32_t callee = -1;
  int64_t maxTokens = 0;
  double temperature = 0;
  /// Temperature taken from an hparam instead, if >= 0.
  int32_t temperatureParam = -1;
  std::optional<int64_t> seed;
  /// Stop strings of an LLM call.
  std::vector<std::string> stop;
  /// Split: chunk size in tokens; replicate: the count and seed base;
  /// while: `count` is max_iters.
  int64_t chunkTokens = 0, count = 0, seedBase = 0;
  std::string separator;
  /// Region bodies (sub-table indices): map/replicate/if-then/catch/
  /// while-condition, and if-else/while-body. A while's operands are its
  /// initial values (one per result), then its captures.
  int32_t body = -1, elseBody = -1;
  int64_t maxParallel = 0;
  /// Tool and checkpoint: the last operand and the last result are
  /// ordering tokens.
  bool ordered = false;
  /// wf.ctx.prefill: the call only warms the service's prefix cache (one
  /// output token); the node's value is the prompt, the prefix that
  /// extensions start with.
  bool prefixOnly = false;
  /// A member of `wf.llm.batch` number `batch` of its table, or -1: the
  /// executor sends a batch's members in one request once all are ready.
  int32_t batch = -1;

  /// From wf-deduce-objectives and wf-schedule.
  Objective objective = Objective::Untagged;
  int64_t priority = 0;
};

struct Table {
  /// Argument kinds, checked at the entry point; arguments are slots
  /// 0 … argKinds.size() - 1.
  std::vector<ValueKind> argKinds;
  uint32_t numSlots = 0;
  std::vector<Node> nodes;
  std::vector<uint32_t> results;
  uint32_t numBatches = 0;
};

struct ModelDecl {
  std::string name;
  int64_t maxConcurrency = 1, maxBatchedTokens = 2048, maxContext = 8192;
};

struct ToolDecl {
  std::string name;
  bool deterministic = false, idempotent = false;
  int64_t timeoutMs = 0, maxAttempts = 1, backoffMs = 0, maxConcurrency = 0;
  /// Simulated service time and failure probability (wf.md §9.1).
  double simMs = 0, failProbability = 0;
};

struct ParamDecl {
  std::string name;
  Value value;
  bool trainable = false;
};

/// A code def whose implementation is a trainable code parameter: the
/// parameter's text (as the run sees it: an optimizer's update included)
/// defines `function`, which the node calls.
struct PythonCode {
  std::string function;
  int32_t param = -1;
  ValueKind result = ValueKind::Text;
};

struct GraphEntry {
  std::string name;
  int32_t table = -1;
};

/// A compiled wf module: declarations, every table, and the graphs.
struct Program {
  std::vector<ModelDecl> models;
  std::vector<ToolDecl> tools;
  std::vector<std::string> codeFunctions;
  /// The entry points wf.compute bodies were outlined to, compiled into
  /// the same library.
  std::vector<std::string> computeEntries;
  std::vector<PythonCode> pythonCode;
  std::vector<ParamDecl> params;
  std::vector<Table> tables;
  std::vector<GraphEntry> graphs;

  const GraphEntry *findGraph(const std::string &name) const;
};

/// Binary encoding of a Program, the constant a compiled library embeds.
std::string serializeProgram(const Program &program);
/// Decodes and checks slot indices and table references; returns the
/// empty string on success, else what is wrong.
std::string deserializeProgram(std::string_view bytes, Program &program);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_PROGRAM_H

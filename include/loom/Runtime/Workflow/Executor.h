//===- Executor.h - Runs a workflow task table ------------------*- C++ -*-===//
//
// wf.md §8.2: dependency counting over task tables, a ready queue per model
// and tool ordered by objective and priority, per-model and per-tool
// concurrency limits, retries with backoff and timeouts, error poisoning and
// wf.catch, and the checkpoint journal. The executor runs on an EventLoop:
// with the simulated service that is virtual time, bit-reproducible.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_EXECUTOR_H
#define LOOM_RUNTIME_WORKFLOW_EXECUTOR_H

#include "loom/Runtime/Workflow/Backend.h"
#include "loom/Runtime/Workflow/EventLoop.h"
#include "loom/Runtime/Workflow/Program.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir::loom::wfrt {

/// A native tool or code function. It returns the result, or an error
/// value whose kind says whether a retry may help.
using NativeFunction = std::function<Value(const std::vector<Value> &)>;

/// Runs `function`, defined by the Python `source`, on `args`; returns a
/// value of kind `result`, or an error value (an exception as
/// `(<Type>) <message>`).
using PythonHook =
    std::function<Value(const std::string &source, const std::string &function,
                        const std::vector<Value> &args, ValueKind result)>;

/// A compiled wf.compute body: one value per result, or one error value.
using ComputeFunction =
    std::function<std::vector<Value>(const std::vector<Value> &)>;

/// How often a failed call is tried again: up to `maxAttempts` attempts,
/// the k-th retry after `backoffMs · 2^(k-1)` with up to 25 % jitter from
/// the run seed.
struct RetryPolicy {
  int64_t maxAttempts = 1;
  double backoffMs = 0;
};

struct Bindings {
  /// One backend per Program::models entry.
  std::vector<LlmBackend *> models;
  /// Per Program::models entry (missing: one attempt). A binding's policy,
  /// not the graph's: how flaky an endpoint is depends on where it runs.
  /// LLM calls retry `transport` and `timeout` failures (connection
  /// errors, HTTP 429 and 5xx), never a refusal.
  std::vector<RetryPolicy> modelRetries;
  std::map<std::string, NativeFunction> tools, code;
  /// Per Program::computeEntries name.
  std::map<std::string, ComputeFunction> compute;
  /// Runs code parameters; empty in a runtime built without Python.
  PythonHook python;
  /// Tools without a function answer after their def's `sim_ms` with a
  /// deterministic echo, failing with its `p_fail` (benchmarks).
  bool simulateUnboundTools = false;
};

/// How the client sits next to the service (wf.md §9.1): a compiled graph
/// runs beside it and pays the network round trip once per invocation;
/// LangChain-style clients pay it on every call.
struct RunOptions {
  uint64_t runSeed = 0;
  double networkRttMs = 250, localRttMs = 0.2;
  bool colocated = true;
  /// One external call at a time, in ready order (policy S).
  bool sequential = false;
  /// Send wf-deduce-objectives' tags; otherwise requests are untagged.
  bool tagObjectives = true;
  /// Order ready calls by wf-schedule's priority; otherwise FIFO.
  bool usePriorities = true;
  /// Model concurrency limits; 0 keeps each wf.model's max_concurrency.
  int64_t modelConcurrency = 0;
  std::string journalPath;
  bool resume = false;
  bool journalSync = true;
  /// Called after each journal flush with the number of durable records.
  std::function<void(size_t)> onDurable;
  /// Replaces parameter values by name (an optimizer's update).
  std::map<std::string, Value> paramOverrides;
  /// Keep the instance graph of the run (RunResult::instances).
  bool recordInstances = false;
  /// Keep every instance's value (RunResult::values): the value log the
  /// trace's problem is filled from.
  bool recordValues = false;
};

struct TimelineEntry {
  std::string instance, resource;
  double startMs = 0, endMs = 0;
  int64_t attempts = 1;
};

/// One executed instance and the instances whose values it read: the
/// graph the benchmark's lower bound is computed on.
struct InstanceRecord {
  std::string id;
  NodeKind kind;
  std::vector<int32_t> parents;
  /// LLM calls: the prompt, output length and model; tools: the tool.
  std::string prompt;
  int64_t maxTokens = 0;
  int32_t callee = -1;
  int64_t attempts = 0;
  /// A wf.ctx.prefill warm-up: work the optimization added, not the
  /// graph's.
  bool warmup = false;
};

struct RunResult {
  /// Empty when the run happened; else why it could not start.
  std::string error;
  std::vector<Value> outputs;
  double makespanMs = 0;
  int64_t llmCalls = 0, toolAttempts = 0, retries = 0, roundTrips = 0;
  /// Requests to LLM services: a batch sent to a backend with a batch
  /// entry is one.
  int64_t llmRequests = 0;
  int64_t instancesRun = 0, reusedFromJournal = 0, poisoned = 0;
  std::vector<TimelineEntry> timeline;
  std::vector<InstanceRecord> instances;
  /// Instance id (source id and iteration path) and first result of each
  /// node that ran, in completion order; structured nodes after their
  /// bodies.
  std::vector<std::pair<std::string, Value>> values;
};

RunResult runGraph(const Program &program, const std::string &graph,
                   std::vector<Value> args, Bindings &bindings, EventLoop &loop,
                   const RunOptions &options);

/// Chrome trace-event JSON of a run's timeline.
std::string timelineJson(const RunResult &result);

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_EXECUTOR_H

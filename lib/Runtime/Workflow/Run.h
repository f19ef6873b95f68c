//===- Run.h - One run of a workflow task table -----------------*- C++ -*-===//
//
// The executor's state, shared by its three parts: the dataflow core
// (Executor.cpp: frames, slots, plain nodes, the journal), region nodes
// (Regions.cpp: map, replicate, if, catch, while) and external calls
// (Calls.cpp: LLM and tool submission, resources, retries). Internal to
// the runtime library.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_LIB_RUNTIME_WORKFLOW_RUN_H
#define LOOM_LIB_RUNTIME_WORKFLOW_RUN_H

#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/Journal.h"

#include <deque>
#include <optional>
#include <queue>

namespace mlir::loom::wfrt::detail {

/// Per table: which nodes read each slot, which results each slot is.
struct TableIndex {
  std::vector<std::vector<uint32_t>> consumers;
  std::vector<std::vector<uint32_t>> resultPositions;
  /// Members per wf.llm.batch.
  std::vector<uint32_t> batchSizes;
};

struct Frame;
struct Call;

/// The members of a wf.llm.batch gathered so far in one frame.
struct PendingBatch {
  /// Members submitted, or settled otherwise (poisoned, reused from the
  /// journal, refused before sending).
  uint32_t settled = 0;
  std::vector<Call *> calls;
};

/// The iterations or branch a region node instance is running.
struct Region {
  std::vector<Value> elements;
  /// wf.while: the recorded instances that computed the current state.
  std::vector<int32_t> stateProducers;
  std::vector<Value> captures;
  std::vector<std::vector<Value>> collected;
  std::vector<std::unique_ptr<Frame>> frames;
  size_t started = 0, finished = 0;
};

struct Frame {
  const Table *table = nullptr;
  const TableIndex *index = nullptr;
  std::string suffix;
  Frame *parent = nullptr;
  uint32_t parentNode = 0;
  size_t iteration = 0;
  std::optional<uint64_t> samplingSeed;
  std::vector<Value> slots;
  /// The recorded instance that computed each slot, or -1.
  std::vector<int32_t> producer;
  std::vector<uint8_t> ready;
  std::vector<uint32_t> missing;
  size_t resultsMissing = 0;
  std::map<uint32_t, Region> regions;
  std::map<int32_t, PendingBatch> batches;
};

/// An external call waiting for, or holding, a slot of its resource.
struct Call {
  Frame *frame = nullptr;
  uint32_t node = 0;
  uint64_t seq = 0;
  uint64_t key = 0;
  std::string instance;
  std::vector<Value> args;
  LlmRequest request;
  /// The other members of a batch this call leads, sent with it.
  std::vector<Call *> batched;
  int64_t attempts = 0;
  double firstStart = -1;
  /// Dispatch order, smallest first: objective class, then priority
  /// (negated), then arrival.
  std::tuple<int, int64_t, uint64_t> order;
};

struct LaterCall {
  bool operator()(const Call *a, const Call *b) const {
    return a->order > b->order;
  }
};

struct Resource {
  std::string name;
  int64_t limit = 0;
  int64_t inFlight = 0;
  std::priority_queue<Call *, std::vector<Call *>, LaterCall> queue;
};

class Run {
public:
  Run(const Program &program, Bindings &bindings, EventLoop &loop,
      const RunOptions &options, RunResult &result)
      : program(program), bindings(bindings), loop(loop), options(options),
        result(result) {}

  void start(const Table &table, std::vector<Value> args);
  /// Loads the parameter table and opens the journal; false with
  /// `result.error` set if either fails.
  bool prepare(const std::string &graph, const std::vector<Value> &args);

private:
  const TableIndex &indexOf(const Table &table);
  /// Sets up `f` to run `table`; a frame's place in its parent is set
  /// before, since a body that only forwards its arguments finishes here.
  void initFrame(Frame &f, const Table &table, std::vector<Value> args,
                 std::vector<int32_t> argProducers);
  /// Records an instance reading `parents` and producing `results`.
  void record(Frame &f, uint32_t node, std::vector<int32_t> parents,
              InstanceRecord call = {});
  std::string instanceId(const Frame &f, uint32_t node) const;

  void setSlot(Frame &f, uint32_t slot, Value v);
  /// How a failed external call `v` of `n` may be retried, if at all.
  std::optional<RetryPolicy> retryPolicy(const Node &n, const Value &v) const;
  /// Appends `node`'s value to the value log, if one is kept.
  void logValue(const Frame &f, uint32_t node, const Value &v);
  void complete(Frame &f, uint32_t node, Value v);
  /// Completes `node` with one value per result, or one for all.
  void completeEach(Frame &f, uint32_t node, std::vector<Value> values);
  void completeDurably(Frame &f, uint32_t node, JournalRecord record);
  void drain();
  void runNode(Frame &f, uint32_t node);
  void runRegion(Frame &f, uint32_t node);
  void startIterations(Frame &f, uint32_t node);
  /// Creates the frame of one iteration or branch of `f`'s region node in
  /// `slot` and starts it on `table`.
  void runChild(Frame &f, uint32_t node, size_t iteration, std::string suffix,
                std::optional<uint64_t> seed, std::unique_ptr<Frame> &slot,
                int32_t table, std::vector<Value> args,
                std::vector<int32_t> producers);
  void frameFinished(Frame &f);
  /// wf.while: runs the condition table, then the body table, per
  /// iteration, until the condition is false or max_iters bodies ran.
  void startWhileFrame(Frame &f, uint32_t node);
  void whileStepFinished(Frame &f, uint32_t node, const Frame &child,
                         std::vector<Value> yields);

  std::string buildText(const Frame &f, const Node &n);
  void submitLlm(Frame &f, uint32_t node);
  void submitTool(Frame &f, uint32_t node);
  std::vector<Value> operandValues(const Frame &f, const Node &n) const;
  /// Completes a code or compute node, which names errors after it.
  void completeNative(Frame &f, uint32_t node, std::vector<Value> values);
  void runCode(Frame &f, uint32_t node);
  void runCompute(Frame &f, uint32_t node);

  Call *newCall(Frame &f, uint32_t node);
  /// Fills the call's node from the journal when a record has its content
  /// key (resume); otherwise queues it on its resource.
  void submitOrReuse(Resource &r, Call *call);
  /// Settles member `n` of a batch in `f`, with the call to send or none;
  /// queues the batch once every member is settled.
  void settleBatchMember(Frame &f, const Node &n, Call *call);
  void pump();
  void issue(Resource &r, Call *call);
  /// The value an LLM call's result gives its node.
  Value llmValue(const Call &call, const LlmResult &res) const;
  void finishCall(Resource &r, Call *call, Value v);
  void commit();

  const Program &program;
  Bindings &bindings;
  EventLoop &loop;
  const RunOptions &options;
  RunResult &result;

  std::map<const Table *, TableIndex> indices;
  std::vector<Value> params;
  std::unique_ptr<Frame> root;
  std::deque<std::pair<Frame *, uint32_t>> readyNodes;
  std::vector<Resource> models, tools;
  uint64_t nextSeq = 0;
  int64_t externalInFlight = 0;
  std::unique_ptr<Journal> journal;
  /// What recorded instances of external calls carry, until they complete.
  std::map<std::pair<Frame *, uint32_t>, InstanceRecord> callInfo;
  std::vector<std::pair<std::pair<Frame *, uint32_t>, Value>> uncommitted;
  bool commitScheduled = false;
  double startMs = 0;
};

/// Half a round trip between the client and the service.
double edgeDelay(const RunOptions &o);

} // namespace mlir::loom::wfrt::detail

#endif // LOOM_LIB_RUNTIME_WORKFLOW_RUN_H

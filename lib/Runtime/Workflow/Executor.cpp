//===- Executor.cpp - Runs a workflow task table --------------------------===//

#include "loom/Runtime/Workflow/Executor.h"

#include "loom/Runtime/Workflow/Journal.h"
#include "loom/Runtime/Workflow/Json.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <queue>

namespace mlir::loom::wfrt {

namespace {

/// Per table: which nodes read each slot, which results each slot is.
struct TableIndex {
  std::vector<std::vector<uint32_t>> consumers;
  std::vector<std::vector<uint32_t>> resultPositions;
};

struct Frame;

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
  void runCode(Frame &f, uint32_t node);

  Call *newCall(Frame &f, uint32_t node);
  /// Fills the call's node from the journal when a record has its content
  /// key (resume); otherwise queues it on its resource.
  void submitOrReuse(Resource &r, Call *call);
  void pump();
  void issue(Resource &r, Call *call);
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

double edgeDelay(const RunOptions &o) {
  return (o.colocated ? o.localRttMs : o.networkRttMs) / 2;
}

const TableIndex &Run::indexOf(const Table &table) {
  auto [it, inserted] = indices.try_emplace(&table);
  if (inserted) {
    it->second.consumers.resize(table.numSlots);
    it->second.resultPositions.resize(table.numSlots);
    for (uint32_t n = 0; n < table.nodes.size(); ++n)
      for (uint32_t s : table.nodes[n].operands)
        it->second.consumers[s].push_back(n);
    for (uint32_t k = 0; k < table.results.size(); ++k)
      it->second.resultPositions[table.results[k]].push_back(k);
  }
  return it->second;
}

void Run::initFrame(Frame &f, const Table &table, std::vector<Value> args,
                    std::vector<int32_t> argProducers) {
  f.table = &table;
  f.index = &indexOf(table);
  f.slots.resize(table.numSlots);
  f.producer.assign(table.numSlots, -1);
  if (options.recordInstances)
    std::copy(argProducers.begin(), argProducers.end(), f.producer.begin());
  f.ready.assign(table.numSlots, 0);
  f.missing.resize(table.nodes.size());
  f.resultsMissing = table.results.size();
  for (uint32_t n = 0; n < table.nodes.size(); ++n)
    f.missing[n] = table.nodes[n].operands.size();
  // Nodes without operands are ready now; setSlot queues those that wait
  // only for arguments.
  for (uint32_t n = 0; n < table.nodes.size(); ++n)
    if (f.missing[n] == 0)
      readyNodes.emplace_back(&f, n);
  for (uint32_t s = 0; s < args.size(); ++s)
    setSlot(f, s, std::move(args[s]));
}

std::string Run::instanceId(const Frame &f, uint32_t node) const {
  return f.table->nodes[node].id + f.suffix;
}

void Run::setSlot(Frame &f, uint32_t slot, Value v) {
  f.slots[slot] = std::move(v);
  f.ready[slot] = 1;
  for (uint32_t n : f.index->consumers[slot]) {
    // A node reading one slot twice counts it twice.
    for (uint32_t s : f.table->nodes[n].operands)
      if (s == slot && --f.missing[n] == 0)
        readyNodes.emplace_back(&f, n);
  }
  for (size_t k = 0; k < f.index->resultPositions[slot].size(); ++k)
    if (--f.resultsMissing == 0 && f.parent)
      frameFinished(f);
}

void Run::logValue(const Frame &f, uint32_t node, const Value &v) {
  if (!options.recordValues)
    return;
  result.values.emplace_back(instanceId(f, node), v);
  for (const std::string &origin : f.table->nodes[node].origins)
    result.values.emplace_back(origin + f.suffix, v);
}

void Run::record(Frame &f, uint32_t node, std::vector<int32_t> parents,
                 InstanceRecord call) {
  const Node &n = f.table->nodes[node];
  call.id = instanceId(f, node);
  call.kind = n.kind;
  std::sort(parents.begin(), parents.end());
  parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
  if (!parents.empty() && parents.front() < 0)
    parents.erase(parents.begin());
  call.parents = std::move(parents);
  for (uint32_t r : n.results)
    f.producer[r] = static_cast<int32_t>(result.instances.size());
  result.instances.push_back(std::move(call));
}

void Run::complete(Frame &f, uint32_t node, Value v) {
  const Node &n = f.table->nodes[node];
  ++result.instancesRun;
  if (options.recordInstances) {
    std::vector<int32_t> parents;
    for (uint32_t s : n.operands)
      parents.push_back(f.producer[s]);
    auto info = callInfo.find({&f, node});
    if (info == callInfo.end()) {
      record(f, node, std::move(parents));
    } else {
      record(f, node, std::move(parents), std::move(info->second));
      callInfo.erase(info);
    }
  }
  logValue(f, node, v);
  for (size_t k = 0; k < n.results.size(); ++k) {
    bool isToken = n.kind == NodeKind::Checkpoint ||
                   (n.ordered && k + 1 == n.results.size());
    setSlot(f, n.results[k], isToken && !v.isError() ? Value::makeToken() : v);
  }
}

void Run::completeDurably(Frame &f, uint32_t node, JournalRecord record) {
  if (!journal) {
    complete(f, node, std::move(record.value));
    return;
  }
  Value v = record.value;
  journal->append(record);
  uncommitted.push_back({{&f, node}, std::move(v)});
  if (!commitScheduled) {
    commitScheduled = true;
    // After every other event at this instant: one group commit.
    loop.after(0, [this] { commit(); });
  }
}

void Run::commit() {
  commitScheduled = false;
  size_t n = journal->flush();
  if (options.onDurable && n)
    options.onDurable(n);
  auto done = std::move(uncommitted);
  uncommitted.clear();
  for (auto &[where, v] : done)
    complete(*where.first, where.second, std::move(v));
  drain();
}

void Run::drain() {
  while (!readyNodes.empty()) {
    auto [f, n] = readyNodes.front();
    readyNodes.pop_front();
    runNode(*f, n);
  }
  pump();
}

std::string Run::buildText(const Frame &f, const Node &n) {
  std::string text;
  for (const Segment &s : n.segments) {
    switch (s.kind) {
    case Segment::Kind::Text:
      text += s.text;
      break;
    case Segment::Kind::Operand:
      text += f.slots[n.operands[s.index]].render();
      break;
    case Segment::Kind::Param:
      text += params[s.index].render();
      break;
    }
  }
  return text;
}

void Run::runNode(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  if (n.kind != NodeKind::Catch)
    for (uint32_t s : n.operands)
      if (f.slots[s].isError()) {
        // Poisoning: consumers of an error inherit it and never run.
        ++result.poisoned;
        Value err = f.slots[s];
        for (uint32_t r : n.results)
          setSlot(f, r, err);
        return;
      }
  switch (n.kind) {
  case NodeKind::Const:
    return complete(f, node, n.constant);
  case NodeKind::Param:
    return complete(f, node, params[n.callee]);
  case NodeKind::Format:
    return complete(f, node, Value::makeText(buildText(f, n)));
  case NodeKind::Split: {
    const std::string &text = f.slots[n.operands[0]].text;
    std::vector<Value> chunks;
    size_t bytes = static_cast<size_t>(n.chunkTokens) * 4;
    for (size_t at = 0; at < text.size(); at += bytes)
      chunks.push_back(Value::makeText(text.substr(at, bytes)));
    return complete(f, node, Value::makeList(std::move(chunks)));
  }
  case NodeKind::Join: {
    std::string text;
    const Value &list = f.slots[n.operands[0]];
    for (size_t k = 0; k < list.list.size(); ++k)
      text += (k ? n.separator : "") + list.list[k].render();
    return complete(f, node, Value::makeText(std::move(text)));
  }
  case NodeKind::Checkpoint:
    if (journal) {
      // A named durability barrier: nothing after it starts before every
      // record so far is on disk.
      commit();
    }
    return complete(f, node, Value::makeToken());
  case NodeKind::Llm:
    return submitLlm(f, node);
  case NodeKind::Tool:
    return submitTool(f, node);
  case NodeKind::Code:
    return runCode(f, node);
  case NodeKind::Map:
  case NodeKind::Replicate:
  case NodeKind::If:
  case NodeKind::Catch:
    return runRegion(f, node);
  case NodeKind::While: {
    // The state starts at the initial values; captures follow them.
    Region &region = f.regions[node];
    size_t states = n.results.size();
    for (size_t k = 0; k < n.operands.size(); ++k)
      (k < states ? region.elements : region.captures)
          .push_back(f.slots[n.operands[k]]);
    for (size_t k = 0; k < states; ++k)
      region.stateProducers.push_back(f.producer[n.operands[k]]);
    return startWhileFrame(f, node);
  }
  }
}

void Run::runRegion(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  Region &region = f.regions[node];
  size_t firstCapture = n.kind == NodeKind::Replicate ? 0 : 1;
  for (size_t k = firstCapture; k < n.operands.size(); ++k)
    region.captures.push_back(f.slots[n.operands[k]]);
  const Value &input =
      n.kind == NodeKind::Replicate ? Value() : f.slots[n.operands[0]];
  switch (n.kind) {
  case NodeKind::Map:
    region.elements = input.list;
    break;
  case NodeKind::Replicate:
    for (int64_t i = 0; i < n.count; ++i)
      region.elements.push_back(Value::makeI64(i));
    break;
  case NodeKind::If:
    region.elements.push_back(input);
    break;
  case NodeKind::Catch:
    if (!input.isError())
      return complete(f, node, input);
    region.elements.push_back(Value::makeText(input.render()));
    break;
  default:
    break;
  }
  region.collected.resize(region.elements.size());
  region.frames.resize(region.elements.size());
  if (region.elements.empty())
    return complete(f, node, Value::makeList({}));
  startIterations(f, node);
}

void Run::startIterations(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  Region &region = f.regions[node];
  size_t limit = n.maxParallel > 0 ? static_cast<size_t>(n.maxParallel)
                                   : region.elements.size();
  while (region.started < region.elements.size() &&
         region.started - region.finished < limit) {
    size_t i = region.started++;
    bool iterates = n.kind == NodeKind::Map || n.kind == NodeKind::Replicate;
    int32_t body = n.body;
    std::vector<Value> args;
    std::vector<int32_t> producers;
    if (n.kind == NodeKind::If) {
      if (!region.elements[i].i)
        body = n.elseBody;
    } else {
      args.push_back(region.elements[i]);
      producers.push_back(n.operands.empty() || n.kind == NodeKind::Replicate
                              ? -1
                              : f.producer[n.operands[0]]);
    }
    args.insert(args.end(), region.captures.begin(), region.captures.end());
    for (size_t k = n.kind == NodeKind::Replicate ? 0 : 1;
         k < n.operands.size(); ++k)
      producers.push_back(f.producer[n.operands[k]]);
    std::string suffix = f.suffix;
    if (iterates)
      suffix += "[" + std::to_string(i) + "]";
    std::optional<uint64_t> seed = f.samplingSeed;
    if (n.kind == NodeKind::Replicate)
      seed = static_cast<uint64_t>(n.seedBase) + i;
    runChild(f, node, i, std::move(suffix), seed, region.frames[i], body,
             std::move(args), std::move(producers));
  }
}

void Run::runChild(Frame &f, uint32_t node, size_t iteration,
                   std::string suffix, std::optional<uint64_t> seed,
                   std::unique_ptr<Frame> &slot, int32_t table,
                   std::vector<Value> args, std::vector<int32_t> producers) {
  slot = std::make_unique<Frame>();
  Frame &child = *slot;
  child.parent = &f;
  child.parentNode = node;
  child.iteration = iteration;
  child.suffix = std::move(suffix);
  child.samplingSeed = seed;
  initFrame(child, program.tables[table], std::move(args),
            std::move(producers));
}

void Run::startWhileFrame(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  Region &region = f.regions[node];
  // Frames alternate: condition of iteration i at 2i, its body at 2i + 1.
  size_t index = region.frames.size();
  bool condition = index % 2 == 0;
  std::vector<Value> args = region.elements;
  args.insert(args.end(), region.captures.begin(), region.captures.end());
  std::vector<int32_t> producers = region.stateProducers;
  producers.resize(args.size(), -1);
  for (size_t k = 0; k < region.captures.size(); ++k)
    producers[region.elements.size() + k] =
        f.producer[n.operands[n.results.size() + k]];
  region.frames.emplace_back();
  runChild(f, node, index, f.suffix + "[" + std::to_string(index / 2) + "]",
           f.samplingSeed, region.frames.back(),
           condition ? n.body : n.elseBody, std::move(args),
           std::move(producers));
}

void Run::whileStepFinished(Frame &f, uint32_t node, const Frame &child,
                            std::vector<Value> yields) {
  const Node &n = f.table->nodes[node];
  Region &region = f.regions[node];
  auto finish = [&](std::vector<Value> values) {
    if (options.recordInstances) {
      std::vector<int32_t> parents;
      for (uint32_t s : child.table->results)
        parents.push_back(child.producer[s]);
      record(f, node, std::move(parents));
    }
    if (!values.empty())
      logValue(f, node, values[0]);
    for (size_t k = 0; k < n.results.size(); ++k)
      setSlot(f, n.results[k], values[k]);
    ++result.instancesRun;
  };
  std::vector<int32_t> producers;
  for (uint32_t s : child.table->results)
    producers.push_back(child.producer[s]);
  if (child.iteration % 2 == 1) { // a body: its yields are the next state
    region.elements = std::move(yields);
    region.stateProducers = std::move(producers);
    return startWhileFrame(f, node);
  }
  const Value &condition = yields[0];
  std::vector<Value> state(yields.begin() + 1, yields.end());
  if (condition.isError())
    return finish(std::vector<Value>(n.results.size(), condition));
  if (!condition.i)
    return finish(std::move(state));
  if (static_cast<int64_t>(child.iteration / 2) >= n.count) {
    // LangGraph's recursion limit: running out of iterations is an error
    // the graph can catch, not a silent stop.
    Value err = Value::makeError("error",
                                 "wf.while still running after max_iters = " +
                                     std::to_string(n.count),
                                 n.id + f.suffix);
    return finish(std::vector<Value>(n.results.size(), err));
  }
  region.elements = std::move(state);
  region.stateProducers.assign(producers.begin() + 1, producers.end());
  startWhileFrame(f, node);
}

void Run::frameFinished(Frame &child) {
  Frame &f = *child.parent;
  uint32_t node = child.parentNode;
  const Node &n = f.table->nodes[node];
  Region &region = f.regions[node];
  std::vector<Value> yields;
  for (uint32_t s : child.table->results)
    yields.push_back(child.slots[s]);
  if (n.kind == NodeKind::While)
    return whileStepFinished(f, node, child, std::move(yields));
  region.collected[child.iteration] = std::move(yields);
  ++region.finished;
  if (region.finished < region.elements.size()) {
    startIterations(f, node);
    return;
  }
  // Frames stay alive until the run ends: a body may still have calls in
  // flight whose results nobody reads.
  const Region &done = region;
  if (options.recordInstances) {
    std::vector<int32_t> parents;
    for (const auto &frame : done.frames)
      for (uint32_t s : frame->table->results)
        parents.push_back(frame->producer[s]);
    record(f, node, std::move(parents));
  }
  if (n.kind == NodeKind::If || n.kind == NodeKind::Catch) {
    if (!n.results.empty())
      logValue(f, node, done.collected[0][0]);
    for (size_t k = 0; k < n.results.size(); ++k)
      setSlot(f, n.results[k], done.collected[0][k]);
    ++result.instancesRun;
    return;
  }
  // map/replicate: one list per yielded value; an errored iteration
  // poisons the collection (the first one by index names the failure).
  for (size_t k = 0; k < n.results.size(); ++k) {
    std::vector<Value> list;
    const Value *error = nullptr;
    for (const auto &yields : done.collected) {
      if (yields[k].isError() && !error)
        error = &yields[k];
      list.push_back(yields[k]);
    }
    Value collected = error ? *error : Value::makeList(std::move(list));
    if (k == 0)
      logValue(f, node, collected);
    setSlot(f, n.results[k], std::move(collected));
  }
  ++result.instancesRun;
}

Call *Run::newCall(Frame &f, uint32_t node) {
  auto *call = new Call();
  call->frame = &f;
  call->node = node;
  call->seq = nextSeq++;
  call->instance = instanceId(f, node);
  return call;
}

void Run::submitLlm(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  const ModelDecl &model = program.models[n.callee];
  Call *call = newCall(f, node);
  LlmRequest &req = call->request;
  req.model = model.name;
  req.prompt = buildText(f, n);
  req.maxTokens = n.maxTokens;
  req.temperature =
      n.temperatureParam >= 0 ? params[n.temperatureParam].f : n.temperature;
  if (n.seed)
    req.samplingSeed = static_cast<uint64_t>(*n.seed);
  else if (f.samplingSeed)
    req.samplingSeed = *f.samplingSeed;
  else if (req.temperature > 0)
    req.samplingSeed = hashCombine(options.runSeed, hashBytes(call->instance));
  if (options.tagObjectives)
    req.tag = n.objective;
  int64_t tokens = countTokens(req.prompt);
  if (tokens + n.maxTokens > model.maxContext) {
    Value err = Value::makeError(
        "error",
        "prompt of " + std::to_string(tokens) + " tokens plus " +
            std::to_string(n.maxTokens) +
            " output tokens exceeds max_context " +
            std::to_string(model.maxContext) + " of @" + model.name,
        call->instance);
    delete call;
    return complete(f, node, err);
  }
  call->key = hashBytes("llm");
  for (uint64_t part : {hashBytes(model.name), hashBytes(req.prompt),
                        static_cast<uint64_t>(req.maxTokens),
                        doubleBits(req.temperature), req.samplingSeed})
    call->key = hashCombine(call->key, part);
  submitOrReuse(models[n.callee], call);
}

void Run::submitTool(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  const ToolDecl &tool = program.tools[n.callee];
  Call *call = newCall(f, node);
  size_t dataArgs = n.operands.size() - (n.ordered ? 1 : 0);
  call->key = hashBytes("tool:" + tool.name);
  for (size_t k = 0; k < dataArgs; ++k) {
    call->args.push_back(f.slots[n.operands[k]]);
    call->key = hashCombine(call->key, hashValue(call->args.back()));
  }
  if (!tool.deterministic)
    call->key = hashCombine(call->key, hashBytes(call->instance));
  submitOrReuse(tools[n.callee], call);
}

void Run::submitOrReuse(Resource &r, Call *call) {
  if (journal)
    if (const JournalRecord *record = journal->find(call->key)) {
      ++result.reusedFromJournal;
      Frame &f = *call->frame;
      uint32_t node = call->node;
      delete call;
      return complete(f, node, record->value);
    }
  const Node &n = call->frame->table->nodes[call->node];
  call->order = {options.tagObjectives ? static_cast<int>(n.objective) : 0,
                 options.usePriorities ? -n.priority : 0, call->seq};
  r.queue.push(call);
}

void Run::runCode(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  const std::string &name = program.codeFunctions[n.callee];
  std::vector<Value> args;
  for (uint32_t s : n.operands)
    args.push_back(f.slots[s]);
  auto it = bindings.code.find(name);
  Value v = it->second(args);
  if (v.isError() && v.failedInstance.empty())
    v.failedInstance = instanceId(f, node);
  complete(f, node, std::move(v));
}

void Run::pump() {
  for (;;) {
    if (options.sequential && externalInFlight > 0)
      return;
    // The best head among the resources with a free slot.
    Resource *best = nullptr;
    for (auto *group : {&models, &tools})
      for (Resource &r : *group)
        if (!r.queue.empty() && (r.limit <= 0 || r.inFlight < r.limit) &&
            (!best || r.queue.top()->order < best->queue.top()->order))
          best = &r;
    if (!best)
      return;
    Call *call = best->queue.top();
    best->queue.pop();
    issue(*best, call);
  }
}

void Run::issue(Resource &r, Call *call) {
  ++r.inFlight;
  ++externalInFlight;
  ++call->attempts;
  if (call->firstStart < 0)
    call->firstStart = loop.now();
  if (!options.colocated)
    ++result.roundTrips;
  const Node &n = call->frame->table->nodes[call->node];
  double edge = edgeDelay(options);
  if (n.kind == NodeKind::Llm) {
    ++result.llmCalls;
    LlmBackend *backend = bindings.models[n.callee];
    loop.after(edge, [this, &r, call, backend, edge] {
      backend->submit(call->request, [this, &r, call, edge](LlmResult res) {
        loop.after(edge, [this, &r, call, res] {
          const Node &n = call->frame->table->nodes[call->node];
          finishCall(r, call,
                     !res.ok ? Value::makeError(res.errorKind, res.message,
                                                call->instance)
                     : n.prefixOnly ? Value::makeText(call->request.prompt)
                                    : Value::makeText(res.text));
        });
      });
    });
    return;
  }
  const ToolDecl &tool = program.tools[n.callee];
  ++result.toolAttempts;
  auto fn = bindings.tools.find(tool.name);
  Value v;
  if (fn != bindings.tools.end()) {
    v = fn->second(call->args);
  } else {
    // Failures come from (run seed, instance, attempt): the same in every
    // run with this seed, whatever the schedule.
    uint64_t draw =
        hashCombine(hashCombine(options.runSeed, hashBytes(call->instance)),
                    static_cast<uint64_t>(call->attempts));
    if (static_cast<double>(draw >> 11) * 0x1.0p-53 < tool.failProbability) {
      v = Value::makeError("error", "@" + tool.name + " failed", "");
    } else {
      std::string echo = tool.name + "(";
      for (size_t k = 0; k < call->args.size(); ++k)
        echo += (k ? ", " : "") + call->args[k].render();
      v = Value::makeText(echo + ")");
    }
  }
  double latency = tool.simMs;
  if (tool.timeoutMs > 0 && latency > tool.timeoutMs) {
    latency = static_cast<double>(tool.timeoutMs);
    v = Value::makeError("timeout",
                         "@" + tool.name + " timed out after " +
                             std::to_string(tool.timeoutMs) + " ms",
                         "");
  }
  if (v.isError() && v.failedInstance.empty())
    v.failedInstance = call->instance;
  loop.after(2 * edge + latency,
             [this, &r, call, v] { finishCall(r, call, v); });
}

std::optional<RetryPolicy> Run::retryPolicy(const Node &n,
                                            const Value &v) const {
  if (!v.isError())
    return std::nullopt;
  if (n.kind == NodeKind::Tool) {
    const ToolDecl &tool = program.tools[n.callee];
    return RetryPolicy{tool.maxAttempts, static_cast<double>(tool.backoffMs)};
  }
  bool transient = v.errorKind == "transport" || v.errorKind == "timeout";
  if (!transient || n.callee < 0 ||
      static_cast<size_t>(n.callee) >= bindings.modelRetries.size())
    return std::nullopt;
  return bindings.modelRetries[n.callee];
}

void Run::finishCall(Resource &r, Call *call, Value v) {
  --r.inFlight;
  --externalInFlight;
  const Node &n = call->frame->table->nodes[call->node];
  if (std::optional<RetryPolicy> policy = retryPolicy(n, v);
      policy && call->attempts < policy->maxAttempts) {
    ++result.retries;
    // Exponential backoff with jitter drawn from the run seed.
    uint64_t draw = hashCombine(options.runSeed, call->key ^ call->attempts);
    double jitter = 1 + 0.25 * (static_cast<double>(draw >> 11) * 0x1.0p-53);
    double wait =
        policy->backoffMs * std::ldexp(1.0, call->attempts - 1) * jitter;
    loop.after(wait, [this, &r, call] {
      r.queue.push(call);
      pump();
    });
    pump();
    return;
  }
  result.timeline.push_back(
      {call->instance, r.name, call->firstStart, loop.now(), call->attempts});
  Frame &f = *call->frame;
  uint32_t node = call->node;
  if (options.recordInstances) {
    InstanceRecord info;
    info.prompt = call->request.prompt;
    info.maxTokens = call->request.maxTokens;
    info.callee = n.callee;
    info.attempts = call->attempts;
    info.warmup = n.prefixOnly;
    callInfo[{&f, node}] = std::move(info);
  }
  JournalRecord record{call->key,      call->instance,   std::move(v),
                       call->attempts, call->firstStart, loop.now()};
  delete call;
  if (record.value.isError())
    complete(f, node, std::move(record.value));
  else
    completeDurably(f, node, std::move(record));
  drain();
}

bool Run::prepare(const std::string &graph, const std::vector<Value> &args) {
  for (const ParamDecl &p : program.params) {
    auto it = options.paramOverrides.find(p.name);
    if (it == options.paramOverrides.end()) {
      params.push_back(p.value);
      continue;
    }
    if (it->second.kind != p.value.kind) {
      result.error =
          "the value for parameter @" + p.name + " has the wrong kind";
      return false;
    }
    params.push_back(it->second);
  }
  for (const auto &entry : options.paramOverrides)
    if (std::none_of(
            program.params.begin(), program.params.end(),
            [&](const ParamDecl &p) { return p.name == entry.first; })) {
      result.error = "no parameter @" + entry.first + " in the program";
      return false;
    }
  if (options.journalPath.empty())
    return true;
  uint64_t h = hashBytes(serializeProgram(program));
  h = hashCombine(h, hashBytes(graph));
  h = hashCombine(h, options.runSeed);
  for (const Value &a : args)
    h = hashCombine(h, hashValue(a));
  for (const Value &p : params)
    h = hashCombine(h, hashValue(p));
  char header[40];
  std::snprintf(header, sizeof header, " %016llx",
                static_cast<unsigned long long>(h));
  journal = std::make_unique<Journal>();
  std::string err = journal->open(options.journalPath, header, options.resume);
  if (!err.empty()) {
    result.error = err;
    journal.reset();
    return false;
  }
  return true;
}

void Run::start(const Table &table, std::vector<Value> args) {
  for (const ModelDecl &m : program.models)
    models.push_back({"@" + m.name,
                      options.modelConcurrency > 0 ? options.modelConcurrency
                                                   : m.maxConcurrency,
                      0,
                      {}});
  for (const ToolDecl &t : program.tools)
    tools.push_back({"@" + t.name, t.maxConcurrency, 0, {}});
  startMs = options.colocated ? options.networkRttMs / 2 : 0;
  loop.at(startMs, [this, &table, args = std::move(args)]() mutable {
    root = std::make_unique<Frame>();
    initFrame(*root, table, std::move(args), {});
    drain();
  });
  loop.run();
  if (journal && journal->pending())
    commit();
  for (uint32_t s : table.results)
    result.outputs.push_back(
        root->ready[s] ? root->slots[s]
                       : Value::makeError("error", "never computed", ""));
  result.makespanMs = loop.now() + startMs;
}

} // namespace

RunResult runGraph(const Program &program, const std::string &graph,
                   std::vector<Value> args, Bindings &bindings, EventLoop &loop,
                   const RunOptions &options) {
  RunResult result;
  const GraphEntry *entry = program.findGraph(graph);
  if (!entry) {
    result.error = "no graph @" + graph + " in the program";
    return result;
  }
  const Table &table = program.tables[entry->table];
  if (args.size() != table.argKinds.size()) {
    result.error = "@" + graph + " takes " +
                   std::to_string(table.argKinds.size()) + " arguments, got " +
                   std::to_string(args.size());
    return result;
  }
  for (size_t k = 0; k < args.size(); ++k)
    if (args[k].kind != table.argKinds[k]) {
      result.error = "argument " + std::to_string(k) + " of @" + graph +
                     " has the wrong kind";
      return result;
    }
  if (bindings.models.size() != program.models.size()) {
    result.error = "every wf.model needs a backend binding";
    return result;
  }
  for (size_t k = 0; k < program.models.size(); ++k)
    if (!bindings.models[k]) {
      result.error = "@" + program.models[k].name + " is not bound";
      return result;
    }
  for (const ToolDecl &t : program.tools)
    if (!bindings.simulateUnboundTools && !bindings.tools.count(t.name)) {
      result.error = "tool @" + t.name + " is not bound";
      return result;
    }
  for (const std::string &c : program.codeFunctions)
    if (!bindings.code.count(c)) {
      result.error = "code function @" + c + " is not bound";
      return result;
    }
  Run run(program, bindings, loop, options, result);
  if (!run.prepare(graph, args))
    return result;
  run.start(table, std::move(args));
  return result;
}

std::string timelineJson(const RunResult &result) {
  // One track per model or tool, named by a metadata event.
  std::map<std::string, int> tracks;
  std::string json = "{\"traceEvents\": [";
  auto append = [&](const std::string &event) {
    json += (json.back() == '[' ? "\n  " : ",\n  ") + event;
  };
  for (const TimelineEntry &e : result.timeline) {
    auto [it, added] = tracks.try_emplace(e.resource, tracks.size() + 1);
    std::string tid = std::to_string(it->second);
    if (added)
      append("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, "
             "\"tid\": " +
             tid + ", \"args\": {\"name\": " + quoteJson(e.resource) + "}}");
    char times[96];
    std::snprintf(times, sizeof times, "\"ts\": %.3f, \"dur\": %.3f",
                  e.startMs * 1000, (e.endMs - e.startMs) * 1000);
    append("{\"name\": " + quoteJson(e.instance) +
           ", \"cat\": " + quoteJson(e.resource) + ", \"ph\": \"X\", " + times +
           ", \"pid\": 1, \"tid\": " + tid +
           ", \"args\": {\"attempts\": " + std::to_string(e.attempts) + "}}");
  }
  return json + "\n]}\n";
}

} // namespace mlir::loom::wfrt

//===- Executor.cpp - Runs a workflow task table --------------------------===//
//
// The dataflow core of a run: frames and their slots, plain nodes, the
// journal's group commit, and the entry point.
//
//===----------------------------------------------------------------------===//

#include "Run.h"

#include "loom/Runtime/Workflow/Json.h"

#include <algorithm>

namespace mlir::loom::wfrt {
namespace detail {

const TableIndex &Run::indexOf(const Table &table) {
  auto [it, inserted] = indices.try_emplace(&table);
  if (inserted) {
    it->second.consumers.resize(table.numSlots);
    it->second.resultPositions.resize(table.numSlots);
    // Each reader once: setSlot counts a slot read twice twice.
    for (uint32_t n = 0; n < table.nodes.size(); ++n)
      for (uint32_t s : table.nodes[n].operands)
        if (it->second.consumers[s].empty() ||
            it->second.consumers[s].back() != n)
          it->second.consumers[s].push_back(n);
    for (uint32_t k = 0; k < table.results.size(); ++k)
      it->second.resultPositions[table.results[k]].push_back(k);
    it->second.batchSizes.assign(table.numBatches, 0);
    for (const Node &n : table.nodes)
      if (n.batch >= 0)
        ++it->second.batchSizes[n.batch];
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
  completeEach(f, node, {std::move(v)});
}

void Run::completeEach(Frame &f, uint32_t node, std::vector<Value> values) {
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
  logValue(f, node, values[0]);
  for (size_t k = 0; k < n.results.size(); ++k) {
    const Value &v = values[values.size() == 1 ? 0 : k];
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
        if (n.batch >= 0)
          settleBatchMember(f, n, nullptr);
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
  case NodeKind::Compute:
    return runCompute(f, node);
  case NodeKind::Python: {
    const PythonCode &code = program.pythonCode[n.callee];
    return completeNative(
        f, node,
        {bindings.python(params[code.param].text, code.function,
                         operandValues(f, n), code.result)});
  }
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

std::vector<Value> Run::operandValues(const Frame &f, const Node &n) const {
  std::vector<Value> args;
  for (uint32_t s : n.operands)
    args.push_back(f.slots[s]);
  return args;
}

void Run::completeNative(Frame &f, uint32_t node, std::vector<Value> values) {
  for (Value &v : values)
    if (v.isError() && v.failedInstance.empty())
      v.failedInstance = instanceId(f, node);
  completeEach(f, node, std::move(values));
}

void Run::runCode(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  const std::string &name = program.codeFunctions[n.callee];
  completeNative(f, node,
                 {bindings.code.find(name)->second(operandValues(f, n))});
}

void Run::runCompute(Frame &f, uint32_t node) {
  const Node &n = f.table->nodes[node];
  const std::string &name = program.computeEntries[n.callee];
  std::vector<Value> values =
      bindings.compute.find(name)->second(operandValues(f, n));
  if (values.size() != n.results.size() &&
      !(values.size() == 1 && values[0].isError()))
    values = {Value::makeError(
        "error",
        name + " returned " + std::to_string(values.size()) + " values for " +
            std::to_string(n.results.size()) + " results",
        "")};
  completeNative(f, node, std::move(values));
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

} // namespace detail

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
  for (const std::string &c : program.computeEntries)
    if (!bindings.compute.count(c)) {
      result.error = "compute entry " + c + " is not bound";
      return result;
    }
  if (!program.pythonCode.empty() && !bindings.python) {
    result.error = "code @" + program.pythonCode[0].function +
                   " is a Python code parameter, and this runtime has no "
                   "Python: build Loom with LOOM_ENABLE_PYTHON=ON (Debian's "
                   "libpython3-dev)";
    return result;
  }
  detail::Run run(program, bindings, loop, options, result);
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

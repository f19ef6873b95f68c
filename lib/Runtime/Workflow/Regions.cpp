//===- Regions.cpp - Region nodes of a workflow run
//------------------------===//
//
// map, replicate, if, catch and while: each iteration or branch a child
// frame of the node's sub-table, collected when its results are ready.
//
//===----------------------------------------------------------------------===//

#include "Run.h"

namespace mlir::loom::wfrt::detail {

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

} // namespace mlir::loom::wfrt::detail

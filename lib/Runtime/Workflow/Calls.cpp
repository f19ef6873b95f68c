//===- Calls.cpp - External calls of a workflow run
//------------------------===//
//
// LLM and tool calls: per-resource queues ordered by objective and
// priority, concurrency limits, journal reuse, retries with backoff.
//
//===----------------------------------------------------------------------===//

#include "Run.h"

#include <cmath>

namespace mlir::loom::wfrt::detail {

double edgeDelay(const RunOptions &o) {
  return (o.colocated ? o.localRttMs : o.networkRttMs) / 2;
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
  req.stop = n.stop;
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
    complete(f, node, err);
    if (n.batch >= 0)
      settleBatchMember(f, n, nullptr);
    return;
  }
  call->key = hashBytes("llm");
  for (uint64_t part : {hashBytes(model.name), hashBytes(req.prompt),
                        static_cast<uint64_t>(req.maxTokens),
                        doubleBits(req.temperature), req.samplingSeed})
    call->key = hashCombine(call->key, part);
  for (const std::string &s : req.stop)
    call->key = hashCombine(call->key, hashBytes(s));
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
  Frame &f = *call->frame;
  const Node &n = f.table->nodes[call->node];
  if (journal)
    if (const JournalRecord *record = journal->find(call->key)) {
      ++result.reusedFromJournal;
      uint32_t node = call->node;
      delete call;
      complete(f, node, record->value);
      if (n.batch >= 0)
        settleBatchMember(f, n, nullptr);
      return;
    }
  call->order = {options.tagObjectives ? static_cast<int>(n.objective) : 0,
                 options.usePriorities ? -n.priority : 0, call->seq};
  if (n.batch >= 0)
    return settleBatchMember(f, n, call);
  r.queue.push(call);
}

void Run::settleBatchMember(Frame &f, const Node &n, Call *call) {
  PendingBatch &pending = f.batches[n.batch];
  if (call)
    pending.calls.push_back(call);
  if (++pending.settled < f.index->batchSizes[n.batch])
    return;
  std::vector<Call *> calls = std::move(pending.calls);
  f.batches.erase(n.batch);
  if (calls.empty())
    return;
  // Most urgent first: the batch goes when its first member would, and a
  // split leaves the least urgent waiting.
  std::sort(calls.begin(), calls.end(),
            [](const Call *a, const Call *b) { return a->order < b->order; });
  Call *head = calls.front();
  head->batched.assign(calls.begin() + 1, calls.end());
  models[n.callee].queue.push(head);
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
    // A batch groups what would go now anyway: its members (most urgent
    // first) up to the free slots and while no other waiting call is more
    // urgent; the rest waits as a batch. Holding slots until the whole
    // batch fits would idle the model, and sending a member ahead of a
    // more urgent call would stretch the critical path.
    size_t take = 1;
    while (take <= call->batched.size() &&
           (best->limit <= 0 ||
            best->inFlight + static_cast<int64_t>(take) < best->limit) &&
           (best->queue.empty() ||
            call->batched[take - 1]->order < best->queue.top()->order))
      ++take;
    if (take <= call->batched.size()) {
      Call *rest = call->batched[take - 1];
      rest->batched.assign(call->batched.begin() + take, call->batched.end());
      call->batched.resize(take - 1);
      best->queue.push(rest);
    }
    issue(*best, call);
  }
}

Value Run::llmValue(const Call &call, const LlmResult &res) const {
  if (!res.ok)
    return Value::makeError(res.errorKind, res.message, call.instance);
  const Node &n = call.frame->table->nodes[call.node];
  return Value::makeText(n.prefixOnly ? call.request.prompt : res.text);
}

void Run::issue(Resource &r, Call *call) {
  std::vector<Call *> calls = {call};
  calls.insert(calls.end(), call->batched.begin(), call->batched.end());
  call->batched.clear();
  for (Call *c : calls) {
    ++r.inFlight;
    ++externalInFlight;
    ++c->attempts;
    if (c->firstStart < 0)
      c->firstStart = loop.now();
  }
  const Node &n = call->frame->table->nodes[call->node];
  double edge = edgeDelay(options);
  if (n.kind == NodeKind::Llm) {
    LlmBackend *backend = bindings.models[n.callee];
    result.llmCalls += static_cast<int64_t>(calls.size());
    int64_t requests =
        backend->hasBatchEntry() ? 1 : static_cast<int64_t>(calls.size());
    result.llmRequests += requests;
    if (!options.colocated)
      result.roundTrips += requests;
    auto finish = [this, &r, calls, edge](std::vector<LlmResult> results) {
      loop.after(edge, [this, &r, calls, results = std::move(results)] {
        for (size_t k = 0; k < calls.size(); ++k)
          finishCall(r, calls[k], llmValue(*calls[k], results[k]));
      });
    };
    loop.after(edge, [call, calls, backend, finish] {
      if (calls.size() == 1) {
        backend->submit(call->request,
                        [finish](LlmResult res) { finish({std::move(res)}); });
        return;
      }
      std::vector<LlmRequest> requests;
      for (Call *c : calls)
        requests.push_back(c->request);
      backend->submitBatch(std::move(requests), finish);
    });
    return;
  }
  if (!options.colocated)
    ++result.roundTrips;
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

} // namespace mlir::loom::wfrt::detail

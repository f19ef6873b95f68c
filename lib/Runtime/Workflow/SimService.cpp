//===- SimService.cpp - The deterministic simulated LLM service -----------===//

#include "loom/Runtime/Workflow/SimService.h"

#include <algorithm>

namespace mlir::loom::wfrt {

struct SimService::Request {
  LlmRequest req;
  std::function<void(LlmResult)> done;
  int64_t promptTokens = 0, prefillLeft = 0, generated = 0;
  /// Decodes from the iteration after its prefill (and every shared block
  /// it reads) is complete.
  bool decoding = false;
  /// Cached blocks it reads and the blocks it computes itself.
  std::vector<uint64_t> readBlocks, ownBlocks;
  /// KV tokens outside shared blocks: the prompt's tail and the output.
  int64_t privateTokens = 0;
};

SimService::SimService(EventLoop &loop, SimConfig config)
    : loop(loop), config(std::move(config)) {}

SimService::~SimService() = default;

std::string SimService::output(const LlmRequest &request,
                               const SimConfig &config) {
  for (const auto &[key, text] : config.rules)
    if (request.prompt.find(key) != std::string::npos)
      return text;
  uint64_t h = hashBytes(request.model);
  h = hashCombine(h, hashBytes(request.prompt));
  h = hashCombine(hashCombine(h, doubleBits(request.temperature)),
                  request.samplingSeed);
  // Three letters and a space: one 4-byte token per piece.
  std::string text;
  text.reserve(request.maxTokens * 4);
  for (int64_t k = 0; k < request.maxTokens; ++k) {
    h = hashCombine(h, static_cast<uint64_t>(k));
    for (int c = 0; c < 3; ++c)
      text += static_cast<char>('a' + (h >> (8 * c)) % 26);
    text += ' ';
  }
  return text;
}

void SimService::submit(LlmRequest request,
                        std::function<void(LlmResult)> done) {
  auto r = std::make_unique<Request>();
  r->promptTokens = countTokens(request.prompt);
  r->req = std::move(request);
  r->done = std::move(done);
  ++counters.requests;
  waiting.push_back(std::move(r));
  if (!busy) {
    // Start after every arrival at this instant: they batch together.
    busy = true;
    loop.after(0, [this] { startIteration(); });
  }
}

void SimService::pin(uint64_t hash) {
  Block &b = blocks[hash];
  if (b.inLru) {
    unpinned.erase(b.lru);
    b.inLru = false;
  }
  ++b.pins;
}

void SimService::unpin(uint64_t hash) {
  Block &b = blocks[hash];
  if (--b.pins == 0) {
    b.lru = unpinned.insert(unpinned.end(), hash);
    b.inLru = true;
  }
}

bool SimService::evictFor(int64_t tokens) {
  while (kvUsed + tokens > config.kvCapacityTokens && !unpinned.empty()) {
    blocks.erase(unpinned.front());
    unpinned.pop_front();
    kvUsed -= config.blockTokens;
  }
  return kvUsed + tokens <= config.kvCapacityTokens;
}

bool SimService::admit(Request &r) {
  const int64_t bt = config.blockTokens;
  int64_t fullBlocks = config.prefixCache ? r.promptTokens / bt : 0;
  // Block i's key chains the prompt bytes up to its end, so equal keys mean
  // equal prefixes.
  std::vector<uint64_t> chain(fullBlocks);
  uint64_t h = hashBytes(r.req.model);
  for (int64_t i = 0; i < fullBlocks; ++i) {
    size_t begin = static_cast<size_t>(i * bt * 4);
    h = hashCombine(h,
                    hashBytes(std::string_view(r.req.prompt)
                                  .substr(begin, static_cast<size_t>(bt * 4))));
    chain[i] = h;
  }
  int64_t matched = 0;
  while (matched < fullBlocks && blocks.count(chain[matched]))
    ++matched;
  int64_t privateTokens = r.promptTokens - fullBlocks * bt + r.req.maxTokens;
  int64_t need = (fullBlocks - matched) * bt + privateTokens;
  // Pin what it reads before evicting, so that eviction cannot take it.
  for (int64_t i = 0; i < matched; ++i)
    pin(chain[i]);
  if (!evictFor(need)) {
    for (int64_t i = 0; i < matched; ++i)
      unpin(chain[i]);
    return false;
  }
  r.readBlocks.assign(chain.begin(), chain.begin() + matched);
  for (int64_t i = matched; i < fullBlocks; ++i) {
    blocks[chain[i]];
    pin(chain[i]);
    r.ownBlocks.push_back(chain[i]);
  }
  r.privateTokens = privateTokens;
  kvUsed += need;
  // A fully cached prompt still computes its last token's logits.
  r.prefillLeft = std::max<int64_t>(1, r.promptTokens - matched * bt);
  counters.prefillTokensRequested += r.promptTokens;
  counters.prefillTokensComputed += r.prefillLeft;
  return true;
}

void SimService::release(Request &r) {
  for (uint64_t b : r.readBlocks)
    unpin(b);
  for (uint64_t b : r.ownBlocks)
    unpin(b);
  kvUsed -= r.privateTokens;
}

void SimService::startIteration() {
  // Admit in arrival order (head-of-line), within the batch limit the
  // objectives allow and the KV capacity.
  bool nonThroughput =
      std::any_of(running.begin(), running.end(), [](const auto &r) {
        return r->req.tag != Objective::Throughput;
      });
  while (!waiting.empty()) {
    Request &r = *waiting.front();
    bool mixed = nonThroughput || r.req.tag != Objective::Throughput;
    int64_t limit = mixed ? config.latencyRunLimit : config.throughputRunLimit;
    if (static_cast<int64_t>(running.size()) + 1 > limit)
      break;
    if (r.promptTokens + r.req.maxTokens > config.kvCapacityTokens) {
      std::unique_ptr<Request> rejected = std::move(waiting.front());
      waiting.pop_front();
      LlmResult result;
      result.ok = false;
      result.errorKind = "error";
      result.message = "prompt and output exceed the KV capacity";
      loop.after(0,
                 [done = std::move(rejected->done), result] { done(result); });
      continue;
    }
    if (!admit(r))
      break;
    nonThroughput = mixed;
    running.push_back(std::move(waiting.front()));
    waiting.pop_front();
  }
  if (running.empty()) {
    busy = false;
    return;
  }
  busy = true;
  int64_t budget = config.maxBatchedTokens, prefill = 0;
  for (auto &r : running) {
    if (budget == 0)
      break;
    int64_t take = std::min(budget, r->prefillLeft);
    r->prefillLeft -= take;
    prefill += take;
    budget -= take;
  }
  int64_t batch = 0, context = 0;
  for (auto &r : running)
    if (r->decoding) {
      ++batch;
      context += r->promptTokens + r->generated;
    }
  double ms = prefill * config.prefillMsPerToken;
  if (batch > 0)
    ms += config.decodeBaseMs + config.decodePerRequestMs * batch +
          config.decodePerKTokenMs * context / 1000.0;
  ++counters.iterations;
  counters.decodeSlots += batch;
  loop.after(ms, [this] { finishIteration(); });
}

void SimService::finishIteration() {
  std::vector<std::pair<std::function<void(LlmResult)>, LlmResult>> finished;
  std::vector<std::unique_ptr<Request>> still;
  for (auto &r : running) {
    if (r->decoding && ++r->generated == r->req.maxTokens) {
      release(*r);
      LlmResult result;
      result.text = output(r->req, config);
      finished.emplace_back(std::move(r->done), std::move(result));
      continue;
    }
    still.push_back(std::move(r));
  }
  running = std::move(still);
  for (auto &r : running)
    if (r->prefillLeft == 0)
      for (uint64_t b : r->ownBlocks)
        blocks[b].ready = true;
  for (auto &r : running)
    if (!r->decoding && r->prefillLeft == 0 &&
        std::all_of(r->readBlocks.begin(), r->readBlocks.end(),
                    [&](uint64_t b) { return blocks[b].ready; }))
      r->decoding = true;
  busy = false;
  for (auto &[done, result] : finished)
    done(std::move(result));
  if (!busy)
    startIteration();
}

} // namespace mlir::loom::wfrt

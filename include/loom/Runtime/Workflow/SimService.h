//===- SimService.h - The deterministic simulated LLM service ---*- C++ -*-===//
//
// wf.md §9.1: an iteration-level (continuous) batching engine on a virtual
// clock, with chunked prefill, a block prefix cache with LRU eviction, KV
// capacity, and Parrot's batch limits: at most two running requests while
// any of them is latency-tagged or untagged, else up to the throughput
// limit. Outputs depend only on the request, never on timing or batching.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_SIMSERVICE_H
#define LOOM_RUNTIME_WORKFLOW_SIMSERVICE_H

#include "loom/Runtime/Workflow/Backend.h"
#include "loom/Runtime/Workflow/EventLoop.h"

#include <deque>
#include <list>
#include <memory>
#include <unordered_map>

namespace mlir::loom::wfrt {

struct SimConfig {
  double prefillMsPerToken = 0.1;
  /// t_dec(b, C) = decodeBaseMs + decodePerRequestMs·b +
  /// decodePerKTokenMs·C/1000.
  double decodeBaseMs = 18, decodePerRequestMs = 0.25, decodePerKTokenMs = 0.5;
  int64_t maxBatchedTokens = 2048;
  int64_t kvCapacityTokens = 65536;
  int64_t blockTokens = 16;
  int64_t latencyRunLimit = 2, throughputRunLimit = 64;
  bool prefixCache = true;
  /// Scripted outputs: the first rule whose key occurs in the prompt.
  std::vector<std::pair<std::string, std::string>> rules;
};

struct SimStats {
  int64_t requests = 0, iterations = 0;
  int64_t prefillTokensRequested = 0, prefillTokensComputed = 0;
  /// Σ over iterations of the number of decoding requests.
  int64_t decodeSlots = 0;
};

class SimService : public LlmBackend {
public:
  SimService(EventLoop &loop, SimConfig config = {});
  ~SimService() override;
  void submit(LlmRequest request, std::function<void(LlmResult)> done) override;
  /// Requests arriving at one instant start in one iteration: a batch,
  /// submitted member by member at once, is one arrival.
  bool hasBatchEntry() const override { return true; }
  const SimStats &stats() const { return counters; }

  /// The output a request gets, exactly `maxTokens` tokens long.
  static std::string output(const LlmRequest &request, const SimConfig &config);

private:
  struct Request;
  struct Block {
    int64_t pins = 0;
    bool ready = false;
    std::list<uint64_t>::iterator lru;
    bool inLru = false;
  };

  bool admit(Request &r);
  void release(Request &r);
  void pin(uint64_t hash);
  void unpin(uint64_t hash);
  bool evictFor(int64_t tokens);
  void startIteration();
  void finishIteration();

  EventLoop &loop;
  SimConfig config;
  SimStats counters;
  std::deque<std::unique_ptr<Request>> waiting;
  std::vector<std::unique_ptr<Request>> running;
  std::unordered_map<uint64_t, Block> blocks;
  std::list<uint64_t> unpinned;
  int64_t kvUsed = 0;
  bool busy = false;
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_SIMSERVICE_H

//===- LibBackend.h - A Loom-built language model, in process ---*- C++ -*-===//
//
// wf.md §8.2 (c): `--bind m=lib:PATH` runs a model library that
// loom-compile built, in the executor's process. The library's entry point
//
//   lm_step(tokens[N] i64, pos[1] i64, k_cache[S, D] f32, v_cache[S, D] f32)
//     -> (logits[N, V] f32, k_cache', v_cache')
//
// runs N tokens at positions pos … pos + N - 1 against a KV cache of S
// positions (a prefill, or a decode step with N = 1). Tokens are bytes:
// token i is byte 32 + i, so V ≤ 224; other bytes read as token 0.
//
// Computed prefixes are the context handles: the backend keeps the KV
// cache of recent prompts, and a prompt that starts with one resumes from
// it (a wf.ctx.prefill warm-up leaves its prefix there for the
// extensions). Requests run one at a time on the backend's own thread and
// complete on the executor's (real-clock) loop.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_LIBBACKEND_H
#define LOOM_RUNTIME_WORKFLOW_LIBBACKEND_H

#include "loom/Runtime/ModelLibrary.h"
#include "loom/Runtime/Workflow/Backend.h"
#include "loom/Runtime/Workflow/EventLoop.h"

#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>

namespace mlir::loom::wfrt {

struct LibStats {
  /// Completions, and the batches among the submissions.
  int64_t requests = 0, batches = 0;
  int64_t promptTokens = 0, reusedPromptTokens = 0, generatedTokens = 0;
};

class LibBackend : public LlmBackend {
public:
  /// Opens the model library at `path`; null with `error` set unless it
  /// exports `lm_step` as above.
  static std::unique_ptr<LibBackend>
  open(EventLoop &loop, const std::string &path, std::string &error);
  /// Finishes the requests already submitted.
  ~LibBackend() override;

  void submit(LlmRequest request, std::function<void(LlmResult)> done) override;
  /// One job on the model's thread; the results come back together.
  void submitBatch(std::vector<LlmRequest> requests,
                   std::function<void(std::vector<LlmResult>)> done) override;
  bool hasBatchEntry() const override { return true; }

  /// Runs `request` on the calling thread: greedy at temperature 0, else
  /// sampled from the request's seed; stops after `maxTokens` tokens or
  /// at a stop string, which the text leaves out.
  LlmResult complete(const LlmRequest &request);
  LibStats stats() const;
  int64_t contextLength() const { return context; }

private:
  LibBackend(EventLoop &loop, std::unique_ptr<ModelLibrary> library,
             int64_t context, int64_t width, int64_t vocab);

  /// A computed prompt: its tokens, the KV cache after them and the
  /// logits of its last token.
  struct Prefix {
    std::vector<int64_t> tokens;
    std::vector<float> k, v, logits;
  };

  /// Runs `n` tokens at `pos` on `state` (its k and v), leaving the last
  /// token's logits in it; false with `error` set if the model fails.
  bool step(const int64_t *tokens, int64_t n, int64_t pos, Prefix &state,
            std::string &error);
  /// The cached prefix of `tokens` with the most tokens, or a fresh state.
  Prefix resume(const std::vector<int64_t> &tokens);
  void remember(const Prefix &state);
  void post(std::function<void()> job);

  EventLoop &loop;
  std::unique_ptr<ModelLibrary> library;
  int64_t context, width, vocab;
  /// Most recent first.
  std::list<Prefix> prefixes;

  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
  LibStats counters;
  std::thread worker;
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_LIBBACKEND_H

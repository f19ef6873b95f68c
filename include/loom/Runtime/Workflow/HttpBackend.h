//===- HttpBackend.h - An OpenAI-compatible chat client ---------*- C++ -*-===//
//
// wf.md §8.2 (a): POST {base}/chat/completions with the prompt as one user
// message, for llama.cpp's server, vLLM or any OpenAI-compatible endpoint.
// Each request runs on its own thread with libcurl and posts its completion
// to the executor's (real-clock) loop; the executor's per-model limit
// bounds how many run at once.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_HTTPBACKEND_H
#define LOOM_RUNTIME_WORKFLOW_HTTPBACKEND_H

#include "loom/Runtime/Workflow/Backend.h"
#include "loom/Runtime/Workflow/EventLoop.h"

#include <mutex>
#include <thread>

namespace mlir::loom::wfrt {

struct HttpConfig {
  /// Up to and including the API version, e.g. `http://127.0.0.1:8080/v1`.
  std::string baseUrl;
  /// Sent as `Authorization: Bearer …` when not empty.
  std::string apiKey;
  /// The `model` field; empty: the wf.model's name.
  std::string model;
  int64_t timeoutMs = 120000;
};

class HttpBackend : public LlmBackend {
public:
  HttpBackend(EventLoop &loop, HttpConfig config);
  /// Waits for the requests still running.
  ~HttpBackend() override;
  void submit(LlmRequest request, std::function<void(LlmResult)> done) override;

  /// The request body for `request` (exposed for tests).
  std::string requestBody(const LlmRequest &request) const;
  /// The result a response with `status` and `body` gives.
  static LlmResult parseResponse(long status, const std::string &body);

private:
  LlmResult post(const LlmRequest &request) const;

  EventLoop &loop;
  HttpConfig config;
  std::mutex mutex;
  std::vector<std::thread> threads;
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_HTTPBACKEND_H

//===- Backend.h - What the executor needs from an LLM service --*- C++ -*-===//
//
// Backends are bound per wf.model at run time (wf.md §8.2). A submission
// returns at once; the completion callback runs later on the executor's
// loop, so no worker ever blocks on a model.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_BACKEND_H
#define LOOM_RUNTIME_WORKFLOW_BACKEND_H

#include "loom/Runtime/Workflow/Program.h"

#include <functional>
#include <string>
#include <vector>

namespace mlir::loom::wfrt {

struct LlmRequest {
  std::string model;
  std::string prompt;
  int64_t maxTokens = 0;
  double temperature = 0;
  /// The seed that fixes the sample: the node's, the replicate index's, or
  /// one derived from the run seed and the instance id.
  uint64_t samplingSeed = 0;
  std::vector<std::string> stop;
  Objective tag = Objective::Untagged;
};

struct LlmResult {
  bool ok = true;
  std::string text;
  /// On failure: `timeout`, `transport` or `error`, and a message.
  std::string errorKind, message;
};

class LlmBackend {
public:
  virtual ~LlmBackend() = default;
  virtual void submit(LlmRequest request,
                      std::function<void(LlmResult)> done) = 0;
  /// A `wf.llm.batch`: the requests go together and complete together,
  /// results in request order. Without a batch entry of its own, a
  /// backend gets them one by one and `done` runs after the last.
  virtual void submitBatch(std::vector<LlmRequest> requests,
                           std::function<void(std::vector<LlmResult>)> done);
  /// Whether a batch costs one round trip to the service.
  virtual bool hasBatchEntry() const { return false; }
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_BACKEND_H

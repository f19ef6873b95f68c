//===- Backend.cpp - What every LLM backend can do ------------------------===//

#include "loom/Runtime/Workflow/Backend.h"

#include <memory>

namespace mlir::loom::wfrt {

void LlmBackend::submitBatch(std::vector<LlmRequest> requests,
                             std::function<void(std::vector<LlmResult>)> done) {
  struct Gathered {
    std::vector<LlmResult> results;
    size_t missing;
    std::function<void(std::vector<LlmResult>)> done;
  };
  auto gathered = std::make_shared<Gathered>(
      Gathered{std::vector<LlmResult>(requests.size()), requests.size(),
               std::move(done)});
  for (size_t k = 0; k < requests.size(); ++k)
    submit(std::move(requests[k]), [gathered, k](LlmResult result) {
      gathered->results[k] = std::move(result);
      if (--gathered->missing == 0)
        gathered->done(std::move(gathered->results));
    });
}

} // namespace mlir::loom::wfrt

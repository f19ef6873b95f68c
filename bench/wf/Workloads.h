//===- Workloads.h - The wf benchmark suite of wf.md §9.2 -------*- C++ -*-===//
//
// Each workload is wf IR text plus its inputs, generated from fixed seeds,
// so every run of the suite simulates the same requests.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_BENCH_WF_WORKLOADS_H
#define LOOM_BENCH_WF_WORKLOADS_H

#include "loom/Runtime/Workflow/Executor.h"

#include <string>
#include <vector>

namespace mlir::loom::bench::wf {

struct Workload {
  std::string name;
  std::string source;
  std::string graph;
  std::vector<wfrt::Value> args;
  /// Native code nodes the workload's graph calls.
  std::map<std::string, wfrt::NativeFunction> code;
};

/// W1: a chain of `steps` summarization calls over `chunkTokens`-token
/// chunks, `outTokens` each.
Workload chainSummary(int steps, int chunkTokens, int outTokens);
/// W2: split → map(llm) → join → llm.
Workload mapReduce(int chunks, int chunkTokens, int outTokens);
/// W3: architect → engineers → testers → reviewer, `rounds` revisions.
Workload multiAgent(int engineers, int rounds, int rolePromptTokens);
/// W4: `requests` questions sharing one system prompt.
Workload sharedPrompt(int requests, int systemTokens, int questionTokens,
                      int outTokens);
/// W5: `samples` chain-of-thought samples and a majority vote.
Workload selfConsistency(int samples, int promptTokens, int outTokens);
/// W6: a ReAct `wf.while` of `steps` thought → tool steps, the tool failing
/// with probability `pFail` (retried, then caught), and a final check by a
/// tool that always fails (caught).
Workload react(int steps, double pFail);
/// W7: Trace's small examples in one graph — §7.4's (x*2 + y*3) + 1 on
/// native code, a BBH-style agent (instruction and demonstration prompts,
/// an answer parser), the greeting agent, a planner/executor pair — each
/// output with feedback.
Workload traceExamples();
/// W8: a random layered DAG of about `nodes` nodes, `llmPercent` of them
/// LLM calls, the rest native digests; 5 % read a prompt parameter.
Workload layeredDag(int nodes, int llmPercent, unsigned seed);

} // namespace mlir::loom::bench::wf

#endif // LOOM_BENCH_WF_WORKLOADS_H

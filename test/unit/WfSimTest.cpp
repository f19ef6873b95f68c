//===- WfSimTest.cpp - The simulated LLM service against its formulas -----===//
//
// wf.md §9.1 by hand: iteration times, batch limits per objective, chunked
// prefill, the prefix cache and KV capacity, and outputs that depend only
// on the request.
//
//===----------------------------------------------------------------------===//

#include "loom/Runtime/Workflow/SimService.h"

#include "gtest/gtest.h"

using namespace mlir::loom::wfrt;

namespace {

double tDec(int64_t b, int64_t context) {
  return 18 + 0.25 * b + 0.5 * context / 1000.0;
}

std::string textOfTokens(int64_t tokens, char fill = 'x') {
  return std::string(static_cast<size_t>(tokens * 4), fill);
}

struct Completion {
  double at = -1;
  LlmResult result;
};

LlmRequest request(std::string prompt, int64_t maxTokens,
                   Objective tag = Objective::Untagged) {
  LlmRequest r;
  r.model = "m";
  r.prompt = std::move(prompt);
  r.maxTokens = maxTokens;
  r.tag = tag;
  return r;
}

std::vector<Completion> runAll(SimService &sim, EventLoop &loop,
                               std::vector<LlmRequest> requests) {
  std::vector<Completion> done(requests.size());
  for (size_t k = 0; k < requests.size(); ++k)
    sim.submit(requests[k], [&, k](LlmResult r) {
      done[k] = {loop.now(), std::move(r)};
    });
  loop.run();
  return done;
}

TEST(WfSim, OneRequestFollowsTheIterationFormula) {
  for (int64_t prompt : {1, 100, 2048, 2049, 5000})
    for (int64_t out : {1, 7, 50}) {
      EventLoop loop;
      SimService sim(loop);
      auto done = runAll(sim, loop, {request(textOfTokens(prompt), out)});
      // Chunked prefill: ceil(prompt / 2048) iterations, then one decode
      // iteration per output token.
      double expect = prompt * 0.1;
      for (int64_t j = 0; j < out; ++j)
        expect += tDec(1, prompt + j);
      EXPECT_NEAR(done[0].at, expect, 1e-9) << prompt << " " << out;
      EXPECT_EQ(countTokens(done[0].result.text), out);
      EXPECT_EQ(sim.stats().prefillTokensComputed, prompt);
    }
}

TEST(WfSim, UntaggedRequestsRunTwoAtATime) {
  EventLoop loop;
  SimService sim(loop);
  std::vector<LlmRequest> rs(4, request(textOfTokens(10), 5));
  for (size_t k = 0; k < rs.size(); ++k)
    rs[k].prompt[0] = static_cast<char>('a' + k);
  auto done = runAll(sim, loop, rs);
  // The first two finish together; the next two start after them.
  EXPECT_EQ(done[0].at, done[1].at);
  EXPECT_EQ(done[2].at, done[3].at);
  EXPECT_GT(done[2].at, done[0].at + 5 * 18);
}

TEST(WfSim, ThroughputRequestsBatchTogether) {
  EventLoop loop;
  SimService sim(loop);
  std::vector<LlmRequest> rs(
      8, request(textOfTokens(10), 5, Objective::Throughput));
  for (size_t k = 0; k < rs.size(); ++k)
    rs[k].prompt[0] = static_cast<char>('a' + k);
  auto done = runAll(sim, loop, rs);
  double expect = 80 * 0.1;
  for (int64_t j = 0; j < 5; ++j)
    expect += tDec(8, 8 * (10 + j));
  for (const Completion &c : done)
    EXPECT_NEAR(c.at, expect, 1e-9);
  EXPECT_EQ(sim.stats().decodeSlots, 40);
}

TEST(WfSim, LatencyRequestShrinksTheBatch) {
  EventLoop loop;
  SimService sim(loop);
  std::vector<LlmRequest> rs(
      3, request(textOfTokens(10), 3, Objective::Throughput));
  rs[1].tag = Objective::Latency;
  rs[0].prompt[0] = 'a';
  rs[1].prompt[0] = 'b';
  rs[2].prompt[0] = 'c';
  auto done = runAll(sim, loop, rs);
  EXPECT_EQ(done[0].at, done[1].at);
  EXPECT_GT(done[2].at, done[1].at);
}

TEST(WfSim, SharedPrefixIsComputedOnce) {
  EventLoop loop;
  SimService sim(loop);
  std::string system = textOfTokens(2000, 's');
  std::vector<LlmRequest> rs;
  for (int k = 0; k < 16; ++k)
    rs.push_back(request(system + textOfTokens(100, static_cast<char>('a' + k)),
                         10, Objective::Throughput));
  runAll(sim, loop, rs);
  EXPECT_EQ(sim.stats().prefillTokensRequested, 16 * 2100);
  // 2000 = 125 blocks of 16: computed once; each request its own 100.
  EXPECT_EQ(sim.stats().prefillTokensComputed, 2000 + 16 * 100);
}

TEST(WfSim, NoPrefixCacheComputesEverything) {
  EventLoop loop;
  SimConfig config;
  config.prefixCache = false;
  SimService sim(loop, config);
  std::string system = textOfTokens(500, 's');
  runAll(sim, loop, {request(system + "a", 4), request(system + "b", 4)});
  EXPECT_EQ(sim.stats().prefillTokensComputed, 2 * 501);
}

TEST(WfSim, KvCapacityLimitsAdmission) {
  EventLoop loop;
  SimConfig config;
  config.kvCapacityTokens = 1000;
  SimService sim(loop, config);
  std::vector<LlmRequest> rs(
      2, request(textOfTokens(600), 4, Objective::Throughput));
  rs[1].prompt[0] = 'y';
  auto done = runAll(sim, loop, rs);
  ASSERT_TRUE(done[0].result.ok && done[1].result.ok);
  EXPECT_GT(done[1].at, done[0].at); // not both in 1000 tokens of KV
  auto tooBig = runAll(sim, loop, {request(textOfTokens(999), 4)});
  EXPECT_FALSE(tooBig[0].result.ok);
  EXPECT_NE(tooBig[0].result.message.find("KV capacity"), std::string::npos);
}

TEST(WfSim, OutputsDependOnlyOnTheRequest) {
  SimConfig config;
  LlmRequest a = request("hello", 12);
  EXPECT_EQ(SimService::output(a, config), SimService::output(a, config));
  LlmRequest b = a;
  b.samplingSeed = 1;
  EXPECT_NE(SimService::output(a, config), SimService::output(b, config));
  config.rules = {{"hel", "scripted"}};
  EXPECT_EQ(SimService::output(a, config), "scripted");
  // Alone or batched with others: the same text.
  EventLoop loop;
  SimService sim(loop);
  auto alone = runAll(sim, loop, {a});
  auto batched = runAll(sim, loop, {request("x", 3), a, request("y", 9)});
  EXPECT_EQ(alone[0].result.text, batched[1].result.text);
}

} // namespace

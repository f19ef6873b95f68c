//===- WfRuntimeTest.cpp - The workflow executor on the simulator ---------===//
//
// wf.md §8: task tables built from wf IR, run in virtual time. Expected
// values are computed here from the simulator's output function and the
// template text, not by the executor.
//
//===----------------------------------------------------------------------===//

#include "WfCompile.h"
#include "Workloads.h"

#include "loom-c/Runtime.h"
#include "loom/Runtime/Workflow/Json.h"
#include "loom/Runtime/Workflow/TraceValues.h"

#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/LowerBound.h"
#include "loom/Runtime/Workflow/SimService.h"

#include "gtest/gtest.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace mlir::loom::wfrt;
using loom_test::compile;
using loom_test::Harness;

namespace {

std::string llmOutput(const std::string &prompt, int64_t maxTokens,
                      uint64_t seed = 0, double temperature = 0) {
  LlmRequest r;
  r.model = "m";
  r.prompt = prompt;
  r.maxTokens = maxTokens;
  r.samplingSeed = seed;
  r.temperature = temperature;
  return SimService::output(r, SimConfig());
}

/// Split, summarize each chunk with @map_prompt, join, combine into %sum.
const std::string kSummarizeBody = R"mlir(
  %chunks = wf.split %doc {chunk_tokens = 4 : i64} : !wf.text -> !wf.list<!wf.text>
  %parts = wf.map %chunks : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%c: !wf.text):
    %s = wf.llm @m [#wf.seg<param @map_prompt>, #wf.seg<operand 0>] (%c) {max_tokens = 3 : i64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %joined = wf.join %parts {sep = "|"} : !wf.list<!wf.text> -> !wf.text
  %sum = wf.llm @m [#wf.seg<text "Combine: ">, #wf.seg<operand 0>] (%joined) {max_tokens = 5 : i64} : (!wf.text) -> !wf.text
)mlir";

const std::string kMapReduce = R"mlir(
wf.model @m {max_concurrency = 64 : i64}
wf.param @map_prompt : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>, trainable}
wf.graph @map_reduce(%doc: !wf.text) -> !wf.text {)mlir" +
                               kSummarizeBody +
                               R"mlir(
  wf.return %sum : !wf.text
}
)mlir";

TEST(WfRuntime, MapReduceComputesTheDataflow) {
  Program p = compile(kMapReduce);
  Harness h(p);
  std::string doc = "0123456789abcdef0123456789ABCDEFxyz";
  RunResult r = h.run(p, "map_reduce", {Value::makeText(doc)});
  ASSERT_EQ(r.error, "");
  std::string joined;
  for (size_t at = 0; at < doc.size(); at += 16)
    joined += (at ? "|" : "") + llmOutput("Summarize:" + doc.substr(at, 16), 3);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].text, llmOutput("Combine: " + joined, 5));
  EXPECT_EQ(r.llmCalls, 4);
  // The map's three calls run concurrently; the reduce waits for all.
  ASSERT_EQ(r.timeline.size(), 4u);
  EXPECT_EQ(r.timeline[0].startMs, r.timeline[2].startMs);
  EXPECT_GE(r.timeline[3].startMs, r.timeline[2].endMs);
  // An optimizer's parameter update needs no recompilation.
  RunOptions o;
  o.paramOverrides["map_prompt"] = Value::makeText("Shorten:");
  Harness h2(p);
  RunResult r2 = h2.run(p, "map_reduce", {Value::makeText(doc)}, o);
  EXPECT_NE(r2.outputs[0].text, r.outputs[0].text);
}

const std::string kReviewed = R"mlir(
wf.model @m {max_concurrency = 64 : i64}
wf.param @map_prompt : !wf.text = "Summarize:" {kind = #wf.param_kind<prompt>, trainable}
wf.tool_def @lookup : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64, sim_ms = 1.0 : f64, p_fail = 1.0 : f64}
wf.graph @review(%doc: !wf.text) -> (!wf.text, !wf.text) {)mlir" +
                              kSummarizeBody + R"mlir(
  %verdict = wf.format [#wf.seg<text "Length: ">, #wf.seg<operand 0>] (%sum) : (!wf.text) -> !wf.text
  wf.feedback %sum, %verdict : !wf.text
  %query = wf.format [#wf.seg<param @map_prompt>, #wf.seg<operand 0>] (%doc) : (!wf.text) -> !wf.text
  %facts = wf.tool @lookup(%query) : (!wf.text) -> !wf.text
  %checked = wf.format [#wf.seg<text "Checked: ">, #wf.seg<operand 0>] (%facts) : (!wf.text) -> !wf.text
  wf.feedback %checked : !wf.text
  wf.return %sum, %checked : !wf.text, !wf.text
}
)mlir";

/// The strings of `section` in graph `graph`'s problem of `trace`.
std::vector<std::string> section(const std::string &trace,
                                 const std::string &graph,
                                 const std::string &name) {
  Json root;
  std::string error;
  EXPECT_TRUE(parseJson(trace, root, error)) << error;
  std::vector<std::string> out;
  const Json *g = root.get(graph);
  const Json *problem = g ? g->get("problem") : nullptr;
  if (const Json *entries = problem ? problem->get(name) : nullptr)
    for (const Json &e : entries->array)
      out.push_back(e.string);
  return out;
}

// wf.md §7.1, §7.5: a run's trace is taken on the instances it executed:
// one llm per map iteration (`llm:0[i]`), each with its own value, the
// map a node collecting them; parameters as the run read them; feedback
// from the node that computed it; a failed tool as Trace prints an
// exception; the format after it never ran, so the failed tool stands for
// that output.
TEST(WfRuntime, RunTraceIsOverTheExecutedInstances) {
  Program p = compile(kReviewed);
  std::string trace = loom_test::embeddedTrace(kReviewed);
  ASSERT_NE(trace, "");
  Harness h(p);
  RunOptions o;
  o.recordValues = true;
  o.paramOverrides["map_prompt"] = Value::makeText("Shorten:");
  std::string doc = "0123456789abcdef0123456789ABCDEFxyz";
  RunResult r = h.run(p, "review", {Value::makeText(doc)}, o);
  ASSERT_EQ(r.error, "");
  std::string filled, error;
  ASSERT_TRUE(runTrace(trace, "review", TraceMode::Full, {Value::makeText(doc)},
                       p, o.paramOverrides, r, "", filled, error))
      << error;

  std::vector<std::string> parts;
  for (size_t at = 0; at < doc.size(); at += 16)
    parts.push_back(llmOutput("Shorten:" + doc.substr(at, 16), 3));
  std::string sum = r.outputs[0].text;
  EXPECT_EQ(
      sum,
      llmOutput("Combine: " + parts[0] + "|" + parts[1] + "|" + parts[2], 5));
  EXPECT_EQ(section(filled, "review", "variables"),
            std::vector<std::string>{"(str) map_prompt0=Shorten:"});
  std::vector<std::string> entries;
  for (const char *name : {"inputs", "others", "outputs"})
    for (std::string &e : section(filled, "review", name))
      entries.push_back(std::move(e));
  auto has = [&](const std::string &entry) {
    return std::find(entries.begin(), entries.end(), entry) != entries.end();
  };
  for (size_t i = 0; i < parts.size(); ++i)
    EXPECT_TRUE(has("(str) llm0_" + std::to_string(i) + "_=" + parts[i]))
        << filled;
  EXPECT_TRUE(has("(list) map0=['" + parts[0] + "', '" + parts[1] + "', '" +
                  parts[2] + "']"));
  EXPECT_TRUE(has("(str) join0=" + parts[0] + "|" + parts[1] + "|" + parts[2]));
  EXPECT_TRUE(has("(list) split0=['0123456789abcdef', '0123456789ABCDEF', "
                  "'xyz']"));
  EXPECT_TRUE(has("(str) arg00=" + doc));
  EXPECT_TRUE(has("(str) llm1=" + sum));
  EXPECT_TRUE(has("(str) format1=Shorten:" + doc));
  EXPECT_TRUE(has("(str) lookup0=" + r.outputs[1].render())) << filled;
  for (const std::string &e : entries)
    EXPECT_NE(e.back(), '?') << e;
  EXPECT_EQ(section(filled, "review", "code"),
            (std::vector<std::string>{
                "format1 = format(arg0=arg00, map_prompt=map_prompt0)",
                "split0 = split(arg0=arg00)",
                "llm0_0_ = llm(arg0=split0, map_prompt=map_prompt0)",
                "llm0_1_ = llm(arg0=split0, map_prompt=map_prompt0)",
                "llm0_2_ = llm(arg0=split0, map_prompt=map_prompt0)",
                "lookup0 = lookup(arg0=format1)",
                "map0 = map(arg0=llm0_0_, arg1=llm0_1_, arg2=llm0_2_)",
                "join0 = join(arg0=map0)", "llm1 = llm(arg0=join0)"}));
  std::vector<std::string> feedback = section(filled, "review", "feedback");
  ASSERT_EQ(feedback.size(), 2u);
  EXPECT_EQ(feedback[0], "llm1: Length: " + sum);
  EXPECT_EQ(feedback[1], "lookup0: ?");

  // A trace for a graph that has none is an error, not an empty answer.
  EXPECT_FALSE(runTrace(trace, "other", TraceMode::Full, {}, p, {}, r, "",
                        filled, error));
  EXPECT_NE(error.find("no trace for graph 'other'"), std::string::npos);
  EXPECT_FALSE(runTrace("{", "review", TraceMode::Full, {}, p, {}, r, "",
                        filled, error));
}

TEST(WfRuntime, PoliciesOrderAsExpected) {
  Program p = compile(kMapReduce);
  std::string doc(16 * 12, 'q');
  for (size_t k = 0; k < doc.size(); ++k)
    doc[k] = static_cast<char>('a' + (k * 7) % 26);
  auto makespan = [&](RunOptions o) {
    Harness h(p);
    RunResult r = h.run(p, "map_reduce", {Value::makeText(doc)}, o);
    EXPECT_EQ(r.error, "");
    return std::make_pair(r.makespanMs, r.roundTrips);
  };
  RunOptions loom, parallel, sequential;
  parallel.colocated = false;
  parallel.tagObjectives = false;
  sequential = parallel;
  sequential.sequential = true;
  auto [mL, rtL] = makespan(loom);
  auto [mP, rtP] = makespan(parallel);
  auto [mS, rtS] = makespan(sequential);
  EXPECT_LT(mL, mP);
  EXPECT_LT(mP, mS);
  EXPECT_EQ(rtL, 0);
  EXPECT_EQ(rtP, 13);
  EXPECT_EQ(rtS, 13);
  // S pays a full round trip for each of the 13 calls in turn.
  EXPECT_GT(mS, 13 * 250);
}

const char *kTools = R"mlir(
wf.model @m
wf.tool_def @flaky : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64, retry = #wf.retry<max_attempts = 3, backoff_ms = 10>, sim_ms = 5.0 : f64, p_fail = 1.0 : f64}
wf.tool_def @slow : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64, retry = #wf.retry<max_attempts = 2, backoff_ms = 10>, sim_ms = 500.0 : f64}
wf.tool_def @ok : (!wf.text) -> !wf.text {effects = #wf.effects<read>, deterministic, sim_ms = 5.0 : f64}
wf.graph @g(%q: !wf.text) -> (!wf.text, !wf.text, !wf.text, !wf.text) {
  %a = wf.tool @flaky(%q) : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<text "use ">, #wf.seg<operand 0>] (%a) {max_tokens = 2 : i64} : (!wf.text) -> !wf.text
  %c = wf.catch %b : !wf.text fallback {
  ^bb0(%err: !wf.text):
    %f = wf.format [#wf.seg<text "recovered from ">, #wf.seg<operand 0>] (%err) : (!wf.text) -> !wf.text
    wf.yield %f : !wf.text
  }
  %d = wf.tool @slow(%q) : (!wf.text) -> !wf.text
  %e = wf.tool @ok(%q) : (!wf.text) -> !wf.text
  wf.return %b, %c, %d, %e : !wf.text, !wf.text, !wf.text, !wf.text
}
)mlir";

TEST(WfRuntime, RetriesTimeoutsPoisoningAndCatch) {
  Program p = compile(kTools);
  Harness h(p);
  RunOptions o;
  o.journalPath = testing::TempDir() + "wf-journal-errors";
  size_t durable = 0;
  o.onDurable = [&](size_t n) { durable += n; };
  RunResult r = h.run(p, "g", {Value::makeText("x")}, o);
  // wf.md C9: only @ok finished; failed and poisoned nodes leave no record.
  EXPECT_EQ(durable, 1u);
  ASSERT_EQ(r.error, "");
  // @flaky fails three times; its consumer never runs and inherits the
  // error, naming the failing instance.
  EXPECT_TRUE(r.outputs[0].isError());
  EXPECT_EQ(r.outputs[0].failedInstance, "flaky:0");
  EXPECT_EQ(r.llmCalls, 0);
  EXPECT_EQ(r.poisoned, 1);
  EXPECT_EQ(r.outputs[1].text, "recovered from (ExecutionError) @flaky failed");
  // @slow times out at 100 ms on both attempts.
  EXPECT_TRUE(r.outputs[2].isError());
  EXPECT_EQ(r.outputs[2].errorKind, "timeout");
  EXPECT_EQ(r.outputs[3].text, "ok(x)");
  EXPECT_EQ(r.retries, 2 + 1);
  EXPECT_EQ(r.toolAttempts, 3 + 2 + 1);
}

/// The trace in `mode` of a run of `graph` (from `source`) on `args`.
std::string runAndTrace(const char *source, const std::string &graph,
                        const std::vector<Value> &args, TraceMode mode) {
  Program p = compile(source);
  Harness h(p);
  RunOptions o;
  o.recordValues = true;
  RunResult r = h.run(p, graph, args, o);
  EXPECT_EQ(r.error, "");
  std::string trace, error;
  EXPECT_TRUE(runTrace(loom_test::embeddedTrace(source), graph, mode, args, p,
                       {}, r, "", trace, error))
      << error;
  return trace;
}

const char *kCaught = R"mlir(
wf.model @m
wf.param @hint : !wf.text = "H" {kind = #wf.param_kind<prompt>, trainable}
wf.tool_def @flaky : (!wf.text) -> !wf.text {effects = #wf.effects<read>, timeout_ms = 100 : i64, sim_ms = 5.0 : f64, p_fail = 1.0 : f64}
wf.graph @g(%q: !wf.text {wf.name = "q"}) -> !wf.text {
  %h = wf.param.get @hint : !wf.text
  %x = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>] (%q, %h) : (!wf.text, !wf.text) -> !wf.text
  %a = wf.tool @flaky(%x) : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<operand 0>] (%a) {max_tokens = 2 : i64} : (!wf.text) -> !wf.text
  %c = wf.catch %b : !wf.text fallback {
  ^bb0(%err: !wf.text):
    %f = wf.format [#wf.seg<text "recovered from ">, #wf.seg<operand 0>] (%err) : (!wf.text) -> !wf.text
    wf.yield %f : !wf.text
  }
  wf.feedback %c : !wf.text
  wf.return %c : !wf.text
}
)mlir";

// wf.md C9 in a run's trace: the llm after the failing tool never ran and
// is no instance; the catch's fallback reads the failed instance, whose
// value is the exception and whose parents lead back to the parameter.
TEST(WfRuntime, RunTraceShowsTheFailureACatchRecoveredFrom) {
  for (TraceMode mode : {TraceMode::Full, TraceMode::TraceCompat}) {
    std::string trace = runAndTrace(kCaught, "g", {Value::makeText("Q")}, mode);
    EXPECT_EQ(section(trace, "g", "code"),
              (std::vector<std::string>{"format0 = format(arg0=q0, arg1=hint0)",
                                        "flaky0 = flaky(arg0=format0)",
                                        "format1 = format(arg0=flaky0)"}))
        << trace;
    EXPECT_EQ(section(trace, "g", "others"),
              (std::vector<std::string>{
                  "(str) format0=QH",
                  "(str) flaky0=(ExecutionError) @flaky failed"}));
    EXPECT_EQ(section(trace, "g", "outputs"),
              (std::vector<std::string>{
                  "(str) format1=recovered from (ExecutionError) @flaky "
                  "failed"}));
    EXPECT_EQ(trace.find("llm0"), std::string::npos) << trace;
  }
}

const char *kSamples = R"mlir(
wf.model @m {max_concurrency = 3 : i64}
wf.param @ask : !wf.text = "Q: " {kind = #wf.param_kind<prompt>, trainable}
wf.graph @g(%q: !wf.text {wf.name = "q"}) -> !wf.text {
  %all = wf.replicate 3 {seed_base = 7 : i64} : !wf.list<!wf.text> {
  ^bb0(%i: i64):
    %s = wf.llm @m [#wf.seg<param @ask>, #wf.seg<operand 0>] (%q) {max_tokens = 2 : i64, temperature = 0.8 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %best = wf.join %all {separator = "|"} : !wf.list<!wf.text> -> !wf.text
  wf.feedback %best : !wf.text
  wf.return %best : !wf.text
}
)mlir";

// A replicate in a run's trace: one instance per sample with its own
// value (its index is a literal, no parent), collected in order.
TEST(WfRuntime, RunTraceHasOneInstancePerSample) {
  std::string trace =
      runAndTrace(kSamples, "g", {Value::makeText("why")}, TraceMode::Full);
  EXPECT_EQ(section(trace, "g", "code"),
            (std::vector<std::string>{
                "llm0_0_ = llm(arg0=q0, ask=ask0)",
                "llm0_1_ = llm(arg0=q0, ask=ask0)",
                "llm0_2_ = llm(arg0=q0, ask=ask0)",
                "replicate0 = replicate(arg0=llm0_0_, arg1=llm0_1_, "
                "arg2=llm0_2_)",
                "join0 = join(arg0=replicate0)"}))
      << trace;
  std::vector<std::string> others = section(trace, "g", "others");
  for (int i = 0; i < 3; ++i)
    EXPECT_NE(std::find(others.begin(), others.end(),
                        "(str) llm0_" + std::to_string(i) +
                            "_=" + llmOutput("Q: why", 2, 7 + i, 0.8)),
              others.end())
        << trace;
}

const char *kCountdown = R"mlir(
wf.param @start : i64 = 0 {kind = #wf.param_kind<hparam>, trainable}
wf.code_def @below : (i64, i64) -> i1 {arg_names = ["i", "limit"], external = "below"}
wf.code_def @next : (i64) -> i64 {arg_names = ["i"], external = "next"}
wf.graph @loop(%limit: i64 {wf.name = "limit"}) -> i64 {
  %s = wf.param.get @start : i64
  %n = wf.while (%s) {max_iters = 2 : i64} : (i64) -> i64 cond {
  ^bb0(%i: i64):
    %go = wf.code @below(%i, %limit) : (i64, i64) -> i1
    wf.condition %go, %i : i64
  } body {
  ^bb0(%i: i64):
    %j = wf.code @next(%i) : (i64) -> i64
    wf.yield %j : i64
  }
  wf.feedback %n : i64
  wf.return %n : i64
}
)mlir";

// A loop whose condition turns false right after its max_iters-th body
// ends normally (the executor checks the condition first): its result is
// the last body's, not a failure.
TEST(WfRuntime, RunTraceOfALoopEndingAtItsLimit) {
  Program p = compile(kCountdown);
  std::string snapshots = loom_test::embeddedTrace(kCountdown);
  for (int64_t limit : {2, 3}) {
    Harness h(p);
    h.bindings.code["below"] = [](const std::vector<Value> &a) {
      return Value::makeI1(a[0].i < a[1].i);
    };
    h.bindings.code["next"] = [](const std::vector<Value> &a) {
      return Value::makeI64(a[0].i + 1);
    };
    RunOptions o;
    o.recordValues = true;
    RunResult r = h.run(p, "loop", {Value::makeI64(limit)}, o);
    ASSERT_EQ(r.error, "");
    std::string trace, error;
    ASSERT_TRUE(runTrace(snapshots, "loop", TraceMode::TraceCompat,
                         {Value::makeI64(limit)}, p, {}, r, "", trace, error))
        << error;
    if (limit == 2) {
      EXPECT_EQ(r.outputs[0].i, 2);
      EXPECT_EQ(section(trace, "loop", "outputs"),
                std::vector<std::string>{"(int) next0_1_=2"})
          << trace;
    } else {
      // Still below the limit after two bodies: the loop fails, and the
      // output is replaced by the instance that failed (none: the loop
      // is no node in trace-compat), so there is no trace graph.
      EXPECT_TRUE(r.outputs[0].isError());
      EXPECT_EQ(section(trace, "loop", "outputs"), std::vector<std::string>{});
    }
  }
}

// A snapshot is data from a library file: references it does not have are
// an error, never an index out of range.
TEST(WfRuntime, MalformedSnapshotsAreRejected) {
  Program p = compile(kCaught);
  Harness h(p);
  RunResult r = h.run(p, "g", {Value::makeText("Q")});
  auto reject = [&](const std::string &snapshot, const std::string &why) {
    std::string json = "{\"g\":{\"full\":" + snapshot + "}}", out, error;
    EXPECT_FALSE(runTrace(json, "g", TraceMode::Full, {Value::makeText("Q")}, p,
                          {}, r, "", out, error))
        << snapshot;
    EXPECT_NE(error.find(why), std::string::npos) << error;
  };
  const std::string node = R"({"id":"a:0","kind":2,"owns":0,"parents":[]})";
  const std::string map =
      R"({"kind":0,"node":0,"operands":[[1,0,0,0]],"yields":[[[1,0,0,0]]]})";
  auto snapshot = [](const std::string &nodes, const std::string &regions,
                     const std::string &outputs) {
    return R"({"mode":"full","nodes":[)" + nodes + R"(],"regions":[)" +
           regions + R"(],"outputs":[)" + outputs +
           R"(],"feedback":[[0,-1,0,0]]})";
  };
  // The well-formed base case is accepted.
  std::string out, error;
  EXPECT_TRUE(runTrace(
      "{\"g\":{\"full\":" + snapshot(node, map, "[3,0,0,0]") + "}}", "g",
      TraceMode::Full, {Value::makeText("Q")}, p, {}, r, "", out, error))
      << error;
  reject(snapshot(node, map, "[1,7,0,0]"), "does not have");
  reject(snapshot(node, map, "[3,0,0,5]"), "does not have");
  reject(snapshot(node, map, "[3,4,0,0]"), "does not have");
  reject(snapshot(node,
                  R"({"kind":2,"node":0,"operands":[[1,0,0,0]],)"
                  R"("yields":[[[1,0,0,0]]]})",
                  "[3,0,0,0]"),
         "wrong shape");
  reject(snapshot(node, R"({"kind":0,"node":0,"yields":[[[1,0,0,0]]]})",
                  "[3,0,0,0]"),
         "wrong shape");
  reject(R"({"mode":"backward","nodes":[]})", "mode");
  reject(R"({"mode":"full","nodes":[{"id":7}]})", "a string");
}

// Tensors between compute nodes: the journal's encoding keeps dtype, shape
// and bytes; a truncated or inconsistent encoding is refused; the value
// prints as its type and first elements.
TEST(WfRuntime, TensorValuesRoundTripAndPrint) {
  std::vector<float> xs = {1.5f, -2, 3, 4, 5, 6, 7, 8, 9};
  Value t = Value::makeTensor(
      LOOM_F32, {3, 3},
      std::string(reinterpret_cast<const char *>(xs.data()), 36));
  EXPECT_EQ(t.render(), "tensor<3x3xf32> [1.5, -2, 3, 4, 5, 6, 7, 8, ...]");
  EXPECT_EQ(
      Value::makeTensor(/*LOOM_BOOL=*/9, {2}, std::string("\1\0", 2)).render(),
      "tensor<2xbool> [True, False]");
  std::string bytes;
  encodeValue(t, bytes);
  Value back;
  size_t pos = 0;
  ASSERT_TRUE(decodeValue(bytes, pos, back));
  EXPECT_EQ(pos, bytes.size());
  EXPECT_EQ(back, t);
  EXPECT_NE(hashValue(back),
            hashValue(Value::makeTensor(LOOM_F32, {9}, t.text)));
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    pos = 0;
    EXPECT_FALSE(decodeValue(std::string_view(bytes).substr(0, cut), pos, back))
        << cut;
  }
  // A shape that does not match the bytes, an unknown element type.
  std::string wrong;
  encodeValue(Value::makeTensor(LOOM_F32, {4, 3}, t.text), wrong);
  pos = 0;
  EXPECT_FALSE(decodeValue(wrong, pos, back));
  wrong.clear();
  encodeValue(Value::makeTensor(42, {9}, t.text), wrong);
  pos = 0;
  EXPECT_FALSE(decodeValue(wrong, pos, back));
}

/// A backend whose first `failures` requests per prompt fail with
/// `kind`; then it answers as the simulator would, after 10 ms.
class FlakyBackend : public LlmBackend {
public:
  FlakyBackend(EventLoop &loop, int failures, std::string kind)
      : loop(loop), failures(failures), kind(std::move(kind)) {}
  void submit(LlmRequest request,
              std::function<void(LlmResult)> done) override {
    starts.push_back(loop.now());
    LlmResult r;
    if (seen[request.prompt]++ < failures) {
      r.ok = false;
      r.errorKind = kind;
      r.message = "HTTP 503";
    } else {
      r.text = llmOutput(request.prompt, request.maxTokens);
    }
    loop.after(10, [done, r] { done(r); });
  }
  std::vector<double> starts;

private:
  EventLoop &loop;
  int failures;
  std::string kind;
  std::map<std::string, int> seen;
};

const char *kOneCall = R"mlir(
wf.model @m
wf.graph @g(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<text "Q: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
  wf.return %a : !wf.text
}
)mlir";

// wf.md §8.2: an LLM call retries transient failures (transport, timeout)
// under its binding's policy, with exponential backoff; a refusal is not
// retried; without a policy the first failure is the answer.
TEST(WfRuntime, LlmCallsRetryUnderTheirBindingsPolicy) {
  Program p = compile(kOneCall);
  RunOptions o;
  o.localRttMs = 0;
  auto runWith = [&](int failures, const std::string &kind, RetryPolicy policy,
                     std::vector<double> &starts) {
    EventLoop loop;
    FlakyBackend flaky(loop, failures, kind);
    Bindings b;
    b.models = {&flaky};
    b.modelRetries = {policy};
    RunResult r = runGraph(p, "g", {Value::makeText("x")}, b, loop, o);
    starts = flaky.starts;
    return r;
  };
  std::vector<double> starts;
  RunResult r = runWith(2, "transport", {3, 100}, starts);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.outputs[0].text, llmOutput("Q: x", 4));
  EXPECT_EQ(r.retries, 2);
  EXPECT_EQ(r.llmCalls, 3);
  ASSERT_EQ(starts.size(), 3u);
  // Each 10 ms attempt, then 100 ms · 2^k (up to 25 % more).
  EXPECT_GE(starts[1] - starts[0], 10 + 100);
  EXPECT_LE(starts[1] - starts[0], 10 + 125);
  EXPECT_GE(starts[2] - starts[1], 10 + 200);
  EXPECT_LE(starts[2] - starts[1], 10 + 250);
  ASSERT_EQ(r.timeline.size(), 1u);
  EXPECT_EQ(r.timeline[0].attempts, 3);

  r = runWith(3, "transport", {3, 100}, starts);
  EXPECT_TRUE(r.outputs[0].isError());
  EXPECT_EQ(r.outputs[0].errorKind, "transport");
  EXPECT_EQ(r.llmCalls, 3);

  r = runWith(1, "error", {3, 100}, starts);
  EXPECT_TRUE(r.outputs[0].isError());
  EXPECT_EQ(r.retries, 0);

  r = runWith(1, "timeout", {2, 0}, starts);
  EXPECT_EQ(r.outputs[0].text, llmOutput("Q: x", 4));
  EXPECT_EQ(r.retries, 1);

  r = runWith(1, "transport", {}, starts);
  EXPECT_TRUE(r.outputs[0].isError());
  EXPECT_EQ(r.llmCalls, 1);
}

/// Records the batches it gets; fails a prompt transiently the first time.
class BatchRecorder : public FlakyBackend {
public:
  using FlakyBackend::FlakyBackend;
  void submitBatch(std::vector<LlmRequest> requests,
                   std::function<void(std::vector<LlmResult>)> done) override {
    std::vector<std::string> prompts;
    for (const LlmRequest &r : requests)
      prompts.push_back(r.prompt);
    batches.push_back(prompts);
    LlmBackend::submitBatch(std::move(requests), std::move(done));
  }
  bool hasBatchEntry() const override { return true; }
  std::vector<std::vector<std::string>> batches;
};

const char *kBatch = R"mlir(
wf.model @m {max_concurrency = 2 : i64}
wf.tool_def @broken : (!wf.text) -> !wf.text {effects = #wf.effects<read>, sim_ms = 1.0 : f64, p_fail = 1.0 : f64}
wf.graph @g(%q: !wf.text) -> (!wf.text, !wf.text, !wf.text, !wf.text, !wf.text) {
  %t = wf.tool @broken(%q) : (!wf.text) -> !wf.text
  %r:4 = wf.llm.batch @m : !wf.text, !wf.text, !wf.text, !wf.text {
    %a = wf.llm @m [#wf.seg<text "A: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
    %b = wf.llm @m [#wf.seg<text "B: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
    %c = wf.llm @m [#wf.seg<text "C: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
    %d = wf.llm @m [#wf.seg<text "D: ">, #wf.seg<operand 0>] (%t) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
    wf.yield %a, %b, %c, %d : !wf.text, !wf.text, !wf.text, !wf.text
  }
  %e = wf.llm @m [#wf.seg<text "E: ">, #wf.seg<operand 0>] (%r#0) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
  wf.return %r#0, %r#1, %r#2, %r#3, %e : !wf.text, !wf.text, !wf.text, !wf.text, !wf.text
}
)mlir";

TEST(WfRuntime, BatchMembersGoAsOneRequest) {
  // The members ready to send go in one request, in order, once the last
  // is settled (the poisoned one never is sent); wider than the model's
  // free slots, the batch is split: two go now, the third when a slot
  // frees. A failed member retries on its own.
  Program p = compile(kBatch);
  EventLoop loop;
  BatchRecorder backend(loop, 1, "transport");
  Bindings b;
  b.models = {&backend};
  b.modelRetries = {RetryPolicy{3, 0}};
  b.simulateUnboundTools = true;
  RunOptions o;
  o.colocated = false;
  RunResult r = runGraph(p, "g", {Value::makeText("x")}, b, loop, o);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(backend.batches.size(), 1u);
  EXPECT_EQ(backend.batches[0], (std::vector<std::string>{"A: x", "B: x"}));
  // Each prompt failed once: A, B and C retried alone, then E.
  EXPECT_EQ(r.outputs[0].text, llmOutput("A: x", 4));
  EXPECT_EQ(r.outputs[1].text, llmOutput("B: x", 4));
  EXPECT_EQ(r.outputs[2].text, llmOutput("C: x", 4));
  EXPECT_TRUE(r.outputs[3].isError());
  EXPECT_EQ(r.outputs[4].text, llmOutput("E: " + llmOutput("A: x", 4), 4));
  EXPECT_EQ(r.llmCalls, 3 + 3 + 2);
  EXPECT_EQ(r.retries, 4);
  // One round trip for the batch, one for C, one per retry and call after
  // them, one for the tool.
  EXPECT_EQ(r.roundTrips, 1 + 1 + 3 + 2 + 1);
  ASSERT_GE(backend.starts.size(), 3u);
  EXPECT_EQ(backend.starts[0], backend.starts[1]);
  EXPECT_LT(backend.starts[1], backend.starts[2]);
}

const char *kCompute = R"mlir(
wf.model @m
wf.graph @g(%x: f64, %n: i64) -> (!wf.text, f64, i64) {
  %y, %k = wf.compute(%x, %n) : (f64, i64) -> (f64, i64) {
  ^bb0(%a: f64, %b: i64):
    %two = arith.constant 2.0 : f64
    %d = arith.mulf %a, %two : f64
    %one = arith.constant 1 : i64
    %c = arith.addi %b, %one : i64
    wf.yield %d, %c : f64, i64
  }
  %t = wf.format [#wf.seg<text "y=">, #wf.seg<operand 0>] (%y) : (f64) -> !wf.text
  %a = wf.llm @m [#wf.seg<operand 0>] (%t) {max_tokens = 2 : i64} : (!wf.text) -> !wf.text
  wf.return %a, %y, %k : !wf.text, f64, i64
}
)mlir";

const char *kReadTwice = R"mlir(
wf.model @m {max_concurrency = 4 : i64}
wf.graph @g(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<text "A ">, #wf.seg<operand 0>] (%q) {max_tokens = 2 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<text "B ">, #wf.seg<operand 0>] (%q) {max_tokens = 40 : i64} : (!wf.text) -> !wf.text
  %f = wf.format [#wf.seg<operand 0>, #wf.seg<operand 1>, #wf.seg<operand 2>] (%a, %a, %b) : (!wf.text, !wf.text, !wf.text) -> !wf.text
  wf.return %f : !wf.text
}
)mlir";

TEST(WfRuntime, ANodeReadingAValueTwiceWaitsForTheRest) {
  // wf-cse makes such nodes (the W8 C8 test found it): the quick call's
  // value, read twice, once made the format run before the slow call.
  Program p = compile(kReadTwice);
  Harness h(p);
  RunResult r = h.run(p, "g", {Value::makeText("q")});
  ASSERT_EQ(r.error, "");
  std::string a = llmOutput("A q", 2), b = llmOutput("B q", 40);
  EXPECT_EQ(r.outputs[0].text, a + a + b);
}

TEST(WfRuntime, ComputeNodesCallTheirEntryPoint) {
  // The body is outlined to an entry point; the run calls the binding for
  // it with the operands and spreads its results over the node's. An
  // error poisons the consumers; an unbound entry stops the run.
  Program p = compile(kCompute);
  ASSERT_EQ(p.computeEntries, std::vector<std::string>{"__loom_wf_compute_0"});
  std::vector<std::vector<Value>> calls;
  Harness h(p);
  h.bindings.compute["__loom_wf_compute_0"] =
      [&](const std::vector<Value> &args) -> std::vector<Value> {
    calls.push_back(args);
    if (args[1].i < 0)
      return {Value::makeError("error", "negative count", "")};
    return {Value::makeF64(args[0].f * 2), Value::makeI64(args[1].i + 1)};
  };
  RunResult r = h.run(p, "g", {Value::makeF64(1.25), Value::makeI64(41)});
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(r.outputs[0].text, llmOutput("y=2.500000", 2));
  EXPECT_EQ(r.outputs[1].f, 2.5);
  EXPECT_EQ(r.outputs[2].i, 42);

  Harness failing(p);
  failing.bindings.compute = h.bindings.compute;
  r = failing.run(p, "g", {Value::makeF64(1), Value::makeI64(-1)});
  ASSERT_EQ(r.error, "");
  for (const Value &v : r.outputs) {
    EXPECT_TRUE(v.isError());
    EXPECT_EQ(v.failedInstance, "compute:0");
  }
  EXPECT_EQ(r.llmCalls, 0);

  Harness unbound(p);
  r = unbound.run(p, "g", {Value::makeF64(1), Value::makeI64(1)});
  EXPECT_EQ(r.error, "compute entry __loom_wf_compute_0 is not bound");
}

const char *kRegions = R"mlir(
wf.model @m {max_concurrency = 3 : i64}
wf.graph @g(%n: i1) -> (!wf.list<!wf.text>, !wf.text) {
  %p = wf.const "prompt" : !wf.text
  %all = wf.replicate 5 {seed_base = 100 : i64} : !wf.list<!wf.text> {
  ^bb0(%i: i64):
    %s = wf.llm @m [#wf.seg<operand 0>] (%p) {max_tokens = 4 : i64, temperature = 0.8 : f64} : (!wf.text) -> !wf.text
    wf.yield %s : !wf.text
  }
  %r = wf.if %n -> !wf.text {
    wf.yield %p : !wf.text
  } else {
    %o = wf.llm @m [#wf.seg<text "no">] () {max_tokens = 1 : i64} : () -> !wf.text
    wf.yield %o : !wf.text
  }
  wf.return %all, %r : !wf.list<!wf.text>, !wf.text
}
)mlir";

TEST(WfRuntime, ReplicateSeedsAndIfBranches) {
  Program p = compile(kRegions);
  Harness h(p);
  RunResult r = h.run(p, "g", {Value::makeI1(true)});
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.outputs[0].list.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(r.outputs[0].list[i].text, llmOutput("prompt", 4, 100 + i, 0.8));
  EXPECT_EQ(r.outputs[1].text, "prompt");
  EXPECT_EQ(r.llmCalls, 5);
  // max_concurrency = 3: never more than three calls in flight.
  for (const TimelineEntry &e : r.timeline) {
    int overlapping = 0;
    for (const TimelineEntry &o : r.timeline)
      overlapping += o.startMs <= e.startMs && e.startMs < o.endMs;
    EXPECT_LE(overlapping, 3);
  }
  Harness h2(p);
  RunResult r2 = h2.run(p, "g", {Value::makeI1(false)});
  EXPECT_EQ(r2.outputs[1].text, llmOutput("no", 1));
  EXPECT_EQ(r2.llmCalls, 6);
}

TEST(WfRuntime, EntryPointsCheckTheirInputs) {
  Program p = compile(kMapReduce);
  Harness h(p);
  EXPECT_NE(h.run(p, "nope", {}).error, "");
  EXPECT_NE(h.run(p, "map_reduce", {}).error, "");
  EXPECT_NE(h.run(p, "map_reduce", {Value::makeI64(1)}).error, "");
  RunOptions o;
  o.paramOverrides["map_prompt"] = Value::makeI64(3);
  EXPECT_NE(h.run(p, "map_reduce", {Value::makeText("x")}, o).error, "");
  o.paramOverrides = {{"missing", Value::makeText("x")}};
  EXPECT_NE(h.run(p, "map_reduce", {Value::makeText("x")}, o).error, "");
  h.bindings.models[0] = nullptr;
  EXPECT_NE(h.run(p, "map_reduce", {Value::makeText("x")}).error, "");
  Program tools = compile(kTools);
  Harness strict(tools);
  strict.bindings.simulateUnboundTools = false;
  EXPECT_NE(
      strict.run(tools, "g", {Value::makeText("x")}).error.find("not bound"),
      std::string::npos);
}

TEST(WfRuntime, CorruptProgramsAreRejected) {
  Program p = compile(kRegions);
  std::string bytes = serializeProgram(p);
  Program back;
  ASSERT_EQ(deserializeProgram(bytes, back), "");
  EXPECT_EQ(serializeProgram(back), bytes);
  // Every truncation is caught; no prefix decodes into a program.
  for (size_t n = 0; n < bytes.size(); n += 7)
    EXPECT_NE(deserializeProgram(bytes.substr(0, n), back), "") << n;
  // A slot index out of range is caught by the checker, not at run time.
  Program bad = p;
  bad.tables[0].nodes.back().operands.push_back(999);
  EXPECT_NE(deserializeProgram(serializeProgram(bad), back), "");
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(WfRuntime, SameSeedSameJournal) {
  Program p = compile(kRegions);
  std::string a = testing::TempDir() + "wf-journal-a",
              b = testing::TempDir() + "wf-journal-b";
  for (const std::string &path : {a, b}) {
    Harness h(p);
    RunOptions o;
    o.journalPath = path;
    o.runSeed = 7;
    ASSERT_EQ(h.run(p, "g", {Value::makeI1(false)}, o).error, "");
  }
  EXPECT_EQ(readFile(a), readFile(b));
  EXPECT_GT(readFile(a).size(), 100u);
}

TEST(WfRuntime, KilledRunResumesWithoutRedoingWork) {
  Program p = compile(kMapReduce);
  std::string doc(16 * 20, 'a');
  for (size_t k = 0; k < doc.size(); ++k)
    doc[k] = static_cast<char>('a' + (k * 11) % 26);
  Harness whole(p);
  RunResult expected = whole.run(p, "map_reduce", {Value::makeText(doc)});
  ASSERT_EQ(expected.llmCalls, 21);
  std::string path = testing::TempDir() + "wf-journal-kill";
  std::remove(path.c_str());
  for (size_t killAfter : {1u, 5u, 13u}) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      Harness h(p);
      RunOptions o;
      o.journalPath = path;
      size_t durable = 0;
      o.onDurable = [&](size_t n) {
        if ((durable += n) >= killAfter)
          raise(SIGKILL); // no cleanup, no flush: a real crash
      };
      h.run(p, "map_reduce", {Value::makeText(doc)}, o);
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << killAfter;
    Harness h(p);
    RunOptions o;
    o.journalPath = path;
    o.resume = true;
    RunResult r = h.run(p, "map_reduce", {Value::makeText(doc)}, o);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.outputs[0].text, expected.outputs[0].text);
    EXPECT_GE(r.reusedFromJournal, static_cast<int64_t>(killAfter));
    EXPECT_EQ(r.llmCalls + r.reusedFromJournal, 21);
    std::remove(path.c_str());
  }
  // A journal from another input is refused.
  {
    Harness h(p);
    RunOptions o;
    o.journalPath = path;
    ASSERT_EQ(h.run(p, "map_reduce", {Value::makeText(doc)}, o).error, "");
    o.resume = true;
    EXPECT_NE(h.run(p, "map_reduce", {Value::makeText("other")}, o).error, "");
  }
}

const char *kChain = R"mlir(
wf.model @m
wf.graph @chain(%q: !wf.text) -> !wf.text {
  %a = wf.llm @m [#wf.seg<operand 0>] (%q) {max_tokens = 7 : i64} : (!wf.text) -> !wf.text
  %b = wf.llm @m [#wf.seg<operand 0>, #wf.seg<text "!">] (%a) {max_tokens = 5 : i64} : (!wf.text) -> !wf.text
  wf.return %b : !wf.text
}
)mlir";

TEST(WfRuntime, LowerBoundOfAChainIsItsCriticalPath) {
  Program p = compile(kChain);
  Harness h(p);
  RunOptions o;
  o.recordInstances = true;
  std::string q(400, 'q');
  RunResult r = h.run(p, "chain", {Value::makeText(q)}, o);
  ASSERT_EQ(r.error, "");
  // By hand: each call alone is one prefill iteration and one decode
  // iteration per output token.
  auto call = [](int64_t prompt, int64_t out) {
    double ms = 0.1 * prompt;
    for (int64_t j = 0; j < out; ++j)
      ms += 18 + 0.25 + 0.5 * (prompt + j) / 1000.0;
    return ms;
  };
  double cp =
      250 + call(100, 7) + call(countTokens(std::string(28, 'x') + "!"), 5);
  LowerBound lb = computeLowerBound(p, r.instances, SimConfig(), 250, 64);
  EXPECT_NEAR(lb.criticalPath, cp, 1e-9);
  EXPECT_NEAR(lb.value(), cp, 1e-9);
  // The run pays only the two local round trips on top.
  EXPECT_NEAR(r.makespanMs, cp + 2 * 0.2, 1e-9);
}

TEST(WfRuntime, MakespanNeverBeatsTheBound) {
  Program p = compile(kMapReduce);
  for (int chunks : {1, 3, 17, 40}) {
    std::string doc(16 * chunks, 'a');
    for (size_t k = 0; k < doc.size(); ++k)
      doc[k] = static_cast<char>('a' + (k * 13 + chunks) % 26);
    Harness h(p);
    RunOptions o;
    o.recordInstances = true;
    RunResult r = h.run(p, "map_reduce", {Value::makeText(doc)}, o);
    ASSERT_EQ(r.error, "");
    LowerBound lb = computeLowerBound(p, r.instances, SimConfig(), 250, 64);
    EXPECT_GE(r.makespanMs, lb.value()) << chunks;
    if (chunks > 1) // the map's collect node joins the calls
      EXPECT_GT(lb.stage, 0) << chunks;
  }
}

const char *kLoop = R"mlir(
wf.model @m
wf.code_def @below : (i64, i64) -> i1 {external = "below"}
wf.code_def @next : (i64) -> i64 {external = "next"}
wf.graph @loop(%limit: i64) -> (i64, !wf.text) {
  %zero = wf.const 0 : i64
  %start = wf.const "draft" : !wf.text
  %n, %text = wf.while (%zero, %start) {max_iters = 4 : i64} : (i64, !wf.text) -> (i64, !wf.text) cond {
  ^bb0(%i: i64, %t: !wf.text):
    %go = wf.code @below(%i, %limit) : (i64, i64) -> i1
    wf.condition %go, %i, %t : i64, !wf.text
  } body {
  ^bb0(%i: i64, %t: !wf.text):
    %r = wf.llm @m [#wf.seg<text "Improve: ">, #wf.seg<operand 0>] (%t) {max_tokens = 3 : i64} : (!wf.text) -> !wf.text
    %j = wf.code @next(%i) : (i64) -> i64
    wf.yield %j, %r : i64, !wf.text
  }
  %safe = wf.catch %text : !wf.text fallback {
  ^bb0(%e: !wf.text):
    wf.yield %e : !wf.text
  }
  wf.return %n, %safe : i64, !wf.text
}
)mlir";

TEST(WfRuntime, WhileLoopsUntilItsConditionOrItsLimit) {
  Program p = compile(kLoop);
  for (int64_t limit : {0, 1, 3, 4, 9}) {
    Harness h(p);
    h.bindings.code["below"] = [](const std::vector<Value> &a) {
      return Value::makeI1(a[0].i < a[1].i);
    };
    h.bindings.code["next"] = [](const std::vector<Value> &a) {
      return Value::makeI64(a[0].i + 1);
    };
    RunResult r = h.run(p, "loop", {Value::makeI64(limit)});
    ASSERT_EQ(r.error, "") << limit;
    if (limit <= 4) {
      // `limit` bodies ran, each refining the previous text.
      std::string text = "draft";
      for (int64_t k = 0; k < limit; ++k)
        text = llmOutput("Improve: " + text, 3);
      EXPECT_EQ(r.outputs[0].i, limit);
      EXPECT_EQ(r.outputs[1].text, text);
      EXPECT_EQ(r.llmCalls, limit);
      for (int64_t k = 0; k < limit; ++k)
        EXPECT_EQ(r.timeline[k].instance, "llm:0[" + std::to_string(k) + "]");
    } else {
      // Four bodies and the condition still true: the limit is an error,
      // which the catch turns into text.
      EXPECT_TRUE(r.outputs[0].isError());
      EXPECT_EQ(r.outputs[1].text,
                "(ExecutionError) wf.while still running after max_iters = 4");
      EXPECT_EQ(r.llmCalls, 4);
    }
  }
}

/// A random graph with what each pass rewrites: constants to fold into
/// templates, equal deterministic calls to merge, dead nodes, a sub-graph
/// call to inline, a map and an if.
std::string randomGraph(unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::ostringstream s;
  s << "wf.model @m {max_concurrency = 4 : i64}\n"
       "wf.param @p : !wf.text = \"P\" {kind = #wf.param_kind<prompt>, "
       "trainable}\n"
       "wf.graph @sub(%a: !wf.text) -> !wf.text {\n"
       "  %x = wf.llm @m [#wf.seg<text \"sub \">, #wf.seg<operand 0>] (%a) "
       "{max_tokens = 2 : i64} : (!wf.text) -> !wf.text\n"
       "  wf.return %x : !wf.text\n}\n"
       "wf.graph @g(%in: !wf.text, %flag: i1) -> (!wf.text, !wf.text) {\n";
  std::vector<std::string> values = {"%in"};
  int nodes = 8 + static_cast<int>(pick(20));
  for (int k = 0; k < nodes; ++k) {
    std::string v = "%v" + std::to_string(k);
    const std::string &a = values[pick(values.size())];
    const std::string &b = values[pick(values.size())];
    switch (pick(7)) {
    case 0:
      s << "  " << v << " = wf.const \"c" << pick(3) << "\" : !wf.text\n";
      break;
    case 1:
    case 2: // few distinct templates: equal calls occur
      s << "  " << v << " = wf.llm @m [#wf.seg<text \"a template, t" << pick(2)
        << " \">, #wf.seg<operand 0>] (" << a
        << ") {max_tokens = 3 : i64} : (!wf.text) -> !wf.text\n";
      break;
    case 3:
      s << "  " << v
        << " = wf.format [#wf.seg<operand 0>, #wf.seg<param @p>, "
           "#wf.seg<operand 1>] ("
        << a << ", " << b << ") : (!wf.text, !wf.text) -> !wf.text\n";
      break;
    case 4:
      s << "  " << v << " = wf.call @sub(" << a
        << ") : (!wf.text) -> !wf.text\n";
      break;
    case 5:
      s << "  " << v << "l = wf.split " << a
        << " {chunk_tokens = 2 : i64} : !wf.text -> !wf.list<!wf.text>\n  " << v
        << "m = wf.map " << v
        << "l : !wf.list<!wf.text> -> !wf.list<!wf.text> {\n  ^bb0(%e: "
           "!wf.text):\n    %r = wf.llm @m [#wf.seg<operand 0>] (%e) "
           "{max_tokens = 2 : i64} : (!wf.text) -> !wf.text\n    wf.yield "
           "%r : !wf.text\n  }\n  "
        << v << " = wf.join " << v << "m : !wf.list<!wf.text> -> !wf.text\n";
      break;
    default:
      s << "  " << v << " = wf.if %flag -> !wf.text {\n    wf.yield " << a
        << " : !wf.text\n  } else {\n    wf.yield " << b
        << " : !wf.text\n  }\n";
      break;
    }
    values.push_back(v);
  }
  s << "  wf.feedback " << values[values.size() - 1] << " : !wf.text\n"
    << "  wf.return " << values[values.size() - 1] << ", "
    << values[values.size() / 2] << " : !wf.text, !wf.text\n}\n";
  return s.str();
}

/// A run of `p`, `w`'s program, and the problem `trace` (`w`'s embedded
/// trace) gets from its values, every one of them known.
struct FilledRun {
  RunResult run;
  std::string problem;
};

FilledRun fillTrace(const Program &p, const mlir::loom::bench::wf::Workload &w,
                    const std::string &trace) {
  Harness h(p);
  h.bindings.code = w.code;
  RunOptions o;
  o.recordValues = true;
  FilledRun f{h.run(p, w.graph, w.args, o), ""};
  EXPECT_EQ(f.run.error, "") << w.source;
  std::string error;
  EXPECT_TRUE(runTrace(trace, w.graph, TraceMode::Full, w.args, p, {}, f.run,
                       "", f.problem, error))
      << error;
  EXPECT_EQ(f.problem.find("=?\""), std::string::npos) << f.problem;
  return f;
}

/// wf.md §10 C8's two programs: only inlined, and every optimizing pass.
const std::string kInlinedOnly = "wf-assign-ids,wf-inline";
const std::string kOptimized =
    "wf-assign-ids,wf-inline,wf-canonicalize,wf-dce,wf-cse,"
    "wf-deduce-objectives,wf-prefix-share{min-shared-tokens=2},wf-batch,"
    "wf-schedule";

TEST(WfRuntime, OptimizationKeepsEveryValue) {
  // wf.md §10 C8: the optimized graph computes the same values as the one
  // that is only inlined, and calls the model less, apart from the prefix
  // warm-ups wf-prefix-share adds; its value log, projected to source ids
  // through the origins, fills the trace's problem byte for byte as the
  // unoptimized run's does, every value known.
  const std::string &base = kInlinedOnly, &optimized = kOptimized;
  int fewerCalls = 0, sharedGraphs = 0, batchedGraphs = 0;
  for (unsigned seed = 0; seed < 60; ++seed) {
    std::string source = randomGraph(seed);
    Program plain = compile(source, base), fast = compile(source, optimized);
    std::string trace = loom_test::embeddedTrace(source);
    for (bool flag : {false, true}) {
      mlir::loom::bench::wf::Workload w{
          "random",
          source,
          "g",
          {Value::makeText("input text " + std::to_string(seed)),
           Value::makeI1(flag)},
          {}};
      FilledRun unoptimized = fillTrace(plain, w, trace),
                withPasses = fillTrace(fast, w, trace);
      const RunResult &a = unoptimized.run, &b = withPasses.run;
      ASSERT_EQ(a.error, "") << source;
      ASSERT_EQ(b.error, "") << source;
      ASSERT_EQ(a.outputs, b.outputs) << "seed " << seed << "\n" << source;
      EXPECT_EQ(unoptimized.problem, withPasses.problem)
          << "seed " << seed << "\n"
          << source;
      int64_t warmups = 0;
      for (const Table &t : fast.tables)
        for (const Node &n : t.nodes)
          warmups += n.prefixOnly;
      EXPECT_LE(b.llmCalls, a.llmCalls + warmups) << source;
      fewerCalls += b.llmCalls - warmups < a.llmCalls;
      sharedGraphs += warmups > 0;
      batchedGraphs +=
          std::any_of(fast.tables.begin(), fast.tables.end(),
                      [](const Table &t) { return t.numBatches > 0; });
    }
  }
  // The passes did something: merged or removed calls, shared prefixes,
  // batched calls.
  EXPECT_GT(fewerCalls, 10);
  EXPECT_GT(sharedGraphs, 10);
  EXPECT_GT(batchedGraphs, 10);
}

const char *kSampled = R"mlir(
wf.model @m
wf.graph @g(%q: !wf.text) -> (!wf.text, !wf.text, !wf.text) {
  %greedy = wf.llm @m [#wf.seg<text "A: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64} : (!wf.text) -> !wf.text
  %sampled = wf.llm @m [#wf.seg<text "B: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64, temperature = 0.9 : f64} : (!wf.text) -> !wf.text
  %seeded = wf.llm @m [#wf.seg<text "C: ">, #wf.seg<operand 0>] (%q) {max_tokens = 4 : i64, temperature = 0.9 : f64, seed = 5 : i64} : (!wf.text) -> !wf.text
  %after = wf.llm @m [#wf.seg<operand 0>, #wf.seg<operand 1>] (%greedy, %seeded) {max_tokens = 4 : i64} : (!wf.text, !wf.text) -> !wf.text
  wf.return %after, %sampled, %seeded : !wf.text, !wf.text, !wf.text
}
)mlir";

TEST(WfRuntime, AnotherSeedChangesOnlySampledValues) {
  // wf.md C12, second half: a graph without data-dependent control flow
  // keeps its instance graph under another run seed; only nodes sampling
  // without a seed of their own change their values.
  Program p = compile(kSampled);
  auto run = [&](uint64_t seed) {
    Harness h(p);
    RunOptions o;
    o.runSeed = seed;
    o.recordInstances = true;
    return h.run(p, "g", {Value::makeText("q")}, o);
  };
  RunResult a = run(1), b = run(2);
  ASSERT_EQ(a.error, "");
  ASSERT_EQ(b.error, "");
  std::vector<std::pair<std::string, std::vector<int32_t>>> ga, gb;
  for (const InstanceRecord &r : a.instances)
    ga.push_back({r.id, r.parents});
  for (const InstanceRecord &r : b.instances)
    gb.push_back({r.id, r.parents});
  std::sort(ga.begin(), ga.end());
  std::sort(gb.begin(), gb.end());
  EXPECT_EQ(ga, gb);
  EXPECT_EQ(a.outputs[0], b.outputs[0]);      // greedy, and a seeded input
  EXPECT_FALSE(a.outputs[1] == b.outputs[1]); // sampled with the run's seed
  EXPECT_EQ(a.outputs[2], b.outputs[2]);      // its own seed
}

} // namespace

// C8 on W7, the benchmark's rebuild of Trace's examples (native code,
// prompt parameters, four outputs with feedback): the optimized program
// fills the trace exactly as the inlined-only one, and §7.4's part
// computes (5*2 + 3*3) + 1.
TEST(WfRuntime, TraceExamplesKeepTheirTraceUnderOptimization) {
  mlir::loom::bench::wf::Workload w = mlir::loom::bench::wf::traceExamples();
  std::string trace = loom_test::embeddedTrace(w.source);
  std::vector<std::string> filled;
  for (const std::string &passes : {kInlinedOnly, kOptimized}) {
    FilledRun f = fillTrace(compile(w.source, passes), w, trace);
    ASSERT_EQ(f.run.error, "");
    EXPECT_EQ(f.run.outputs[0].i, 20);
    filled.push_back(f.problem);
  }
  EXPECT_EQ(filled[0], filled[1]);
}

// wf.md §10 C8 as written: 200 random W8 graphs (layered DAGs of 20–119
// nodes, 10/50/90 % LLM calls, native code nodes, prompt parameters,
// feedback on the output), each compiled with a random subset of passes
// 3–9 after ids and inlining: the problem taken on the optimized run is
// byte-identical to the inlined-only run's, and the snapshot, attached
// before the passes, is unchanged after them.
TEST(WfRuntime, TraceIsInvariantUnderRandomSubsetsOfPasses) {
  const std::vector<std::string> optional = {
      "wf-canonicalize",
      "wf-dce",
      "wf-cse",
      "wf-deduce-objectives",
      "wf-prefix-share{min-shared-tokens=2}",
      "wf-batch",
      "wf-schedule"};
  std::mt19937 rng(7);
  std::map<std::string, int> used;
  for (unsigned seed = 0; seed < 200; ++seed) {
    mlir::loom::bench::wf::Workload w = mlir::loom::bench::wf::layeredDag(
        20 + static_cast<int>(seed % 100), (seed % 3) * 40 + 10, seed + 1);
    std::string passes = kInlinedOnly;
    for (const std::string &pass : optional)
      if (rng() % 2) {
        passes += "," + pass;
        ++used[pass];
      }
    std::string trace = loom_test::embeddedTrace(w.source);
    ASSERT_NE(trace, "{}") << w.source;
    EXPECT_EQ(fillTrace(compile(w.source, kInlinedOnly), w, trace).problem,
              fillTrace(compile(w.source, passes), w, trace).problem)
        << "seed " << seed << ", " << passes;
    // The snapshot attached before the passes leaves them unchanged.
    mlir::MLIRContext context(loom_test::allDialects());
    mlir::OwningOpRef<mlir::ModuleOp> module = loom_test::parseAndRun(
        w.source,
        "wf-assign-ids,wf-extract-trace{attach=true}" +
            passes.substr(std::string("wf-assign-ids").size()),
        context);
    ASSERT_TRUE(module);
    auto kept = (*module)->getAttrOfType<mlir::StringAttr>("wf.trace");
    EXPECT_EQ(kept ? kept.str() : "", trace) << passes;
  }
  // Every pass took part often.
  for (const std::string &pass : optional)
    EXPECT_GT(used[pass], 70) << pass;
}

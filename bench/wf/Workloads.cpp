//===- Workloads.cpp - The wf benchmark suite of wf.md §9.2 ---------------===//

#include "Workloads.h"

#include <sstream>

namespace mlir::loom::bench::wf {

using wfrt::Value;

namespace {

/// Exactly `tokens` 4-byte tokens of pseudo-words from `seed`.
std::string words(int tokens, uint64_t seed) {
  std::string text;
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (int k = 0; k < tokens; ++k) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    for (int c = 0; c < 3; ++c)
      text += static_cast<char>('a' + (x >> (8 * c)) % 26);
    text += ' ';
  }
  return text;
}

/// An MLIR string literal.
std::string quoted(const std::string &s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '\n')
      q += "\\0A";
    else if (c == '"' || c == '\\')
      q += std::string("\\") + c;
    else
      q += c;
  }
  return q + "\"";
}

/// `a, b, c`.
std::string commaList(const std::vector<std::string> &items) {
  std::string list;
  for (size_t k = 0; k < items.size(); ++k)
    list += (k ? ", " : "") + items[k];
  return list;
}

/// `!wf.text, …`, `n` times.
std::string textTypes(size_t n) {
  return commaList(std::vector<std::string>(n, "!wf.text"));
}

std::string text(const std::string &s) {
  return "#wf.seg<text " + quoted(s) + ">";
}
std::string operand(int n) {
  return "#wf.seg<operand " + std::to_string(n) + ">";
}
std::string param(const std::string &p) { return "#wf.seg<param @" + p + ">"; }

/// `%result = wf.llm @m [segments] (operands) {max_tokens = n}`.
std::string llm(const std::string &result, const std::vector<std::string> &segs,
                const std::vector<std::string> &operands, int maxTokens,
                const std::string &extra = "") {
  std::ostringstream s;
  s << "  " << result << " = wf.llm @m [" << commaList(segs) << "] ("
    << commaList(operands) << ") {max_tokens = " << maxTokens << " : i64"
    << extra << "} : (" << textTypes(operands.size()) << ") -> !wf.text\n";
  return s.str();
}

const char *kModel = "wf.model @m {max_concurrency = 64 : i64, "
                     "max_batched_tokens = 2048 : i64, "
                     "max_context = 65536 : i64}\n";

std::string prompt(const std::string &name, const std::string &value) {
  return "wf.param @" + name + " : !wf.text = " + quoted(value) +
         " {kind = #wf.param_kind<prompt>, trainable}\n";
}

} // namespace

Workload chainSummary(int steps, int chunkTokens, int outTokens) {
  Workload w{"chain", "", "chain", {}, {}};
  std::ostringstream s;
  s << kModel
    << prompt("instruction", "Refine the running summary with the "
                             "next part of the document.\n");
  s << "wf.graph @chain(";
  for (int i = 0; i < steps; ++i) {
    s << (i ? ", " : "") << "%c" << i << ": !wf.text";
    w.args.push_back(Value::makeText(words(chunkTokens, 100 + i)));
  }
  s << ") -> !wf.text attributes {objective = #wf.objective<latency>} {\n";
  s << llm("%s0", {param("instruction"), operand(0)}, {"%c0"}, outTokens);
  for (int i = 1; i < steps; ++i)
    s << llm("%s" + std::to_string(i),
             {param("instruction"), text("Summary so far: "), operand(0),
              text("\nNext part: "), operand(1)},
             {"%s" + std::to_string(i - 1), "%c" + std::to_string(i)},
             outTokens);
  s << "  wf.return %s" << steps - 1 << " : !wf.text\n}\n";
  w.source = s.str();
  return w;
}

Workload mapReduce(int chunks, int chunkTokens, int outTokens) {
  Workload w{"map_reduce_" + std::to_string(chunks), "", "map_reduce", {}, {}};
  std::ostringstream s;
  s << kModel << prompt("map_prompt", "Summarize this part in 3 sentences.")
    << prompt("reduce_prompt", "Combine the partial summaries.");
  s << "wf.graph @map_reduce(%doc: !wf.text) -> !wf.text attributes "
       "{objective = #wf.objective<latency>} {\n"
    << "  %chunks = wf.split %doc {chunk_tokens = " << chunkTokens
    << " : i64} : !wf.text -> !wf.list<!wf.text>\n"
    << "  %parts = wf.map %chunks {max_parallel = 64 : i64} : "
       "!wf.list<!wf.text> -> !wf.list<!wf.text> {\n"
    << "  ^bb0(%c: !wf.text):\n"
    << llm("%s", {param("map_prompt"), text("\n\n"), operand(0)}, {"%c"},
           outTokens)
    << "    wf.yield %s : !wf.text\n  }\n"
    << "  %joined = wf.join %parts {sep = \"\\0A\"} : !wf.list<!wf.text> -> "
       "!wf.text\n"
    << llm("%sum", {param("reduce_prompt"), text("\n\n"), operand(0)},
           {"%joined"}, outTokens)
    << "  wf.return %sum : !wf.text\n}\n";
  w.source = s.str();
  w.args.push_back(Value::makeText(words(chunks * chunkTokens, 7)));
  return w;
}

Workload multiAgent(int engineers, int rounds, int roleTokens) {
  Workload w{"multi_agent", "", "team", {}, {}};
  std::ostringstream s;
  s << kModel;
  for (const char *role : {"architect", "engineer", "tester", "reviewer"})
    s << prompt(std::string(role) + "_role",
                "You are the " + std::string(role) + ". " +
                    words(roleTokens, std::hash<std::string>()(role)));
  s << "wf.graph @team(%task: !wf.text) -> !wf.text attributes "
       "{objective = #wf.objective<latency>} {\n";
  s << llm("%design", {param("architect_role"), text("\nTask: "), operand(0)},
           {"%task"}, 200);
  std::string review;
  for (int round = 0; round <= rounds; ++round) {
    std::vector<std::string> tests;
    for (int e = 0; e < engineers; ++e) {
      std::string id = std::to_string(round) + "_" + std::to_string(e);
      std::vector<std::string> segs = {
          param("engineer_role"), text("\nDesign: "), operand(0),
          text("\nYou own module " + std::to_string(e) + ".")};
      std::vector<std::string> ops = {"%design"};
      if (!review.empty()) {
        segs.push_back(text("\nReview: "));
        segs.push_back(operand(1));
        ops.push_back(review);
      }
      s << llm("%code" + id, segs, ops, 150);
      s << llm("%test" + id,
               {param("tester_role"), text("\nDesign: "), operand(0),
                text("\nCode: "), operand(1)},
               {"%design", "%code" + id}, 100);
      tests.push_back("%test" + id);
    }
    std::vector<std::string> segs = {param("reviewer_role"), text("\nDesign: "),
                                     operand(0)};
    std::vector<std::string> ops = {"%design"};
    for (size_t k = 0; k < tests.size(); ++k) {
      segs.push_back(text("\nReport: "));
      segs.push_back(operand(static_cast<int>(k) + 1));
      ops.push_back(tests[k]);
    }
    review = "%review" + std::to_string(round);
    s << llm(review, segs, ops, 100);
  }
  s << "  wf.return " << review << " : !wf.text\n}\n";
  w.source = s.str();
  w.args.push_back(Value::makeText(words(200, 3)));
  return w;
}

Workload sharedPrompt(int requests, int systemTokens, int questionTokens,
                      int outTokens) {
  Workload w{"shared_prompt", "", "serve", {}, {}};
  std::ostringstream s;
  s << kModel << prompt("system", words(systemTokens, 11));
  s << "wf.graph @serve(%qs: !wf.list<!wf.text>) -> !wf.list<!wf.text> "
       "attributes {objective = #wf.objective<throughput>} {\n"
    << "  %as = wf.map %qs {max_parallel = " << requests
    << " : i64} : !wf.list<!wf.text> -> !wf.list<!wf.text> {\n"
    << "  ^bb0(%q: !wf.text):\n"
    << llm("%a", {param("system"), text("\nUser: "), operand(0)}, {"%q"},
           outTokens)
    << "    wf.yield %a : !wf.text\n  }\n"
    << "  wf.return %as : !wf.list<!wf.text>\n}\n";
  w.source = s.str();
  std::vector<Value> qs;
  for (int k = 0; k < requests; ++k)
    qs.push_back(Value::makeText(words(questionTokens, 1000 + k)));
  w.args.push_back(Value::makeList(std::move(qs)));
  return w;
}

Workload selfConsistency(int samples, int promptTokens, int outTokens) {
  Workload w{"self_consistency", "", "vote", {}, {}};
  std::ostringstream s;
  s << kModel << prompt("cot", "Think step by step, then answer.")
    << "wf.code_def @majority : (!wf.list<!wf.text>) -> !wf.text "
       "{external = \"loom_wf_majority\"}\n"
    << "wf.graph @vote(%q: !wf.text) -> !wf.text attributes "
       "{objective = #wf.objective<latency>} {\n"
    << "  %all = wf.replicate " << samples
    << " {seed_base = 100 : i64} : !wf.list<!wf.text> {\n"
    << "  ^bb0(%i: i64):\n"
    << llm("%a", {param("cot"), text("\n"), operand(0)}, {"%q"}, outTokens,
           ", temperature = 0.7 : f64")
    << "    wf.yield %a : !wf.text\n  }\n"
    << "  %best = wf.code @majority(%all) : (!wf.list<!wf.text>) -> !wf.text\n"
    << "  wf.return %best : !wf.text\n}\n";
  w.source = s.str();
  w.args.push_back(Value::makeText(words(promptTokens, 5)));
  // The answer is a sample's last word; the most frequent one wins, the
  // earliest sample breaking ties.
  w.code["loom_wf_majority"] = [](const std::vector<Value> &args) {
    std::map<std::string, int> votes;
    std::string best;
    int top = 0;
    for (const Value &v : args[0].list) {
      std::string t = v.text;
      while (!t.empty() && t.back() == ' ')
        t.pop_back();
      std::string answer = t.substr(t.find_last_of(' ') + 1);
      if (++votes[answer] > top) {
        top = votes[answer];
        best = answer;
      }
    }
    return Value::makeText(best);
  };
  return w;
}

Workload react(int steps, double pFail) {
  Workload w{"react", "", "agent", {}, {}};
  std::ostringstream s;
  s << kModel
    << prompt("react_prompt", "Answer with Thought, Action, Observation.")
    << "wf.tool_def @search : (!wf.text) -> !wf.text {effects = "
       "#wf.effects<read>, timeout_ms = 2000 : i64, retry = "
       "#wf.retry<max_attempts = 4, backoff_ms = 200>, sim_ms = 300.0 : f64, "
       "p_fail = "
    << pFail << " : f64}\n"
    << "wf.tool_def @broken : (!wf.text) -> !wf.text {effects = "
       "#wf.effects<read>, timeout_ms = 500 : i64, retry = "
       "#wf.retry<max_attempts = 2, backoff_ms = 100>, sim_ms = 100.0 : f64, "
       "p_fail = 1.0 : f64}\n"
    << "wf.code_def @below : (i64, i64) -> i1 {external = \"loom_wf_below\"}\n"
    << "wf.code_def @next : (i64) -> i64 {external = \"loom_wf_next\"}\n"
    << "wf.graph @agent(%q: !wf.text) -> !wf.text attributes "
       "{objective = #wf.objective<latency>} {\n"
    << "  %zero = wf.const 0 : i64\n"
    << "  %steps = wf.const " << steps << " : i64\n"
    << "  %n, %log = wf.while (%zero, %q) {max_iters = " << steps
    << " : i64} : (i64, !wf.text) -> (i64, !wf.text) cond {\n"
    << "  ^bb0(%i: i64, %t: !wf.text):\n"
    << "    %go = wf.code @below(%i, %steps) : (i64, i64) -> i1\n"
    << "    wf.condition %go, %i, %t : i64, !wf.text\n"
    << "  } body {\n"
    << "  ^bb0(%i: i64, %t: !wf.text):\n"
    << llm("%thought", {param("react_prompt"), text("\n"), operand(0)}, {"%t"},
           40)
    << "    %raw = wf.tool @search(%thought) : (!wf.text) -> !wf.text\n"
    << "    %obs = wf.catch %raw : !wf.text fallback {\n"
    << "    ^bb0(%e: !wf.text):\n      wf.yield %e : !wf.text\n    }\n"
    << "    %state = wf.format [#wf.seg<operand 0>, #wf.seg<text "
       "\"\\0AObservation: \">, #wf.seg<operand 1>] (%thought, %obs) : "
       "(!wf.text, !wf.text) -> !wf.text\n"
    << "    %j = wf.code @next(%i) : (i64) -> i64\n"
    << "    wf.yield %j, %state : i64, !wf.text\n  }\n"
    << "  %check = wf.tool @broken(%log) : (!wf.text) -> !wf.text\n"
    << "  %checked = wf.catch %check : !wf.text fallback {\n"
    << "  ^bb0(%e: !wf.text):\n    wf.yield %e : !wf.text\n  }\n"
    << llm("%answer",
           {param("react_prompt"), text("\nFinal answer: "), operand(0),
            text("\n"), operand(1)},
           {"%log", "%checked"}, 30)
    << "  wf.return %answer : !wf.text\n}\n";
  w.source = s.str();
  w.args.push_back(Value::makeText(words(60, 9)));
  w.code["loom_wf_below"] = [](const std::vector<Value> &args) {
    return Value::makeI1(args[0].i < args[1].i);
  };
  w.code["loom_wf_next"] = [](const std::vector<Value> &args) {
    return Value::makeI64(args[0].i + 1);
  };
  return w;
}

Workload traceExamples() {
  Workload w{"trace_examples", "", "examples", {}, {}};
  std::ostringstream s;
  s << kModel
    // §7.4: (x*2 + y*3) + 1 over trainable hparams and native code.
    << "wf.param @x : i64 = 5 {kind = #wf.param_kind<hparam>, trainable}\n"
    << "wf.param @y : i64 = 3 {kind = #wf.param_kind<hparam>, trainable}\n"
    << "wf.code_def @multiply : (i64, i64) -> i64 {arg_names = [\"x\", "
       "\"y\"], external = \"loom_wf_multiply\"}\n"
    << "wf.code_def @add : (i64, i64) -> i64 {arg_names = [\"x\", \"y\"], "
       "external = \"loom_wf_add\"}\n"
    // BBH-style: an instruction and demonstrations, then a parser.
    << prompt("instruction",
              "Answer the multiple-choice question. End with the letter.")
    << prompt("demos", words(120, 71))
    << "wf.code_def @parse_answer : (!wf.text) -> !wf.text {arg_names = "
       "[\"response\"], external = \"loom_wf_last_word\"}\n"
    // Trace's greeting agent.
    << prompt("greeting_prompt",
              "Greet the user in their language, by name, in one sentence.")
    // A two-agent plan: a planner and an executor with their own prompts.
    << prompt("planner_prompt", "Break the task into at most five steps.")
    << prompt("executor_prompt", "Carry out the plan; report each step.")
    << "wf.graph @examples(%question: !wf.text {wf.name = \"question\"}, "
       "%user: !wf.text {wf.name = \"user\"}, %task: !wf.text {wf.name = "
       "\"task\"}) -> (i64, !wf.text, !wf.text, !wf.text) attributes "
       "{objective = #wf.objective<latency>} {\n"
    << "  %x = wf.param.get @x : i64\n"
    << "  %two = wf.const {wf.name = \"int\"} 2 : i64\n"
    << "  %a = wf.code @multiply(%x, %two) : (i64, i64) -> i64\n"
    << "  %y = wf.param.get @y : i64\n"
    << "  %three = wf.const {wf.name = \"int\"} 3 : i64\n"
    << "  %b = wf.code @multiply(%y, %three) : (i64, i64) -> i64\n"
    << "  %sum = wf.code @add(%a, %b) : (i64, i64) -> i64\n"
    << "  %one = wf.const {wf.name = \"int\"} 1 : i64\n"
    << "  %r = wf.code @add(%sum, %one) : (i64, i64) -> i64\n"
    << "  wf.feedback %r : i64\n"
    << llm("%response",
           {param("instruction"), text("\n"), param("demos"), text("\nQ: "),
            operand(0)},
           {"%question"}, 60)
    << "  %choice = wf.code @parse_answer(%response) : (!wf.text) -> "
       "!wf.text\n"
    << "  wf.feedback %choice : !wf.text\n"
    << llm("%greeting",
           {param("greeting_prompt"), text("\nUser: "), operand(0)}, {"%user"},
           20)
    << "  wf.feedback %greeting : !wf.text\n"
    << llm("%plan", {param("planner_prompt"), text("\nTask: "), operand(0)},
           {"%task"}, 80)
    << llm("%report",
           {param("executor_prompt"), text("\nTask: "), operand(0),
            text("\nPlan: "), operand(1)},
           {"%task", "%plan"}, 120)
    << "  wf.feedback %report : !wf.text\n"
    << "  wf.return %r, %choice, %greeting, %report : i64, !wf.text, "
       "!wf.text, !wf.text\n}\n";
  w.source = s.str();
  w.args = {Value::makeText(words(200, 72)), Value::makeText("Ana"),
            Value::makeText(words(80, 73))};
  w.code["loom_wf_multiply"] = [](const std::vector<Value> &args) {
    return Value::makeI64(args[0].i * args[1].i);
  };
  w.code["loom_wf_add"] = [](const std::vector<Value> &args) {
    return Value::makeI64(args[0].i + args[1].i);
  };
  w.code["loom_wf_last_word"] = [](const std::vector<Value> &args) {
    std::string t = args[0].text;
    while (!t.empty() && t.back() == ' ')
      t.pop_back();
    return Value::makeText(t.substr(t.find_last_of(' ') + 1));
  };
  return w;
}

Workload layeredDag(int nodes, int llmPercent, unsigned seed) {
  Workload w{"dag" + std::to_string(nodes) + "_llm" +
                 std::to_string(llmPercent),
             "",
             "dag",
             {},
             {}};
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 7;
  auto next = [&](uint64_t n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % n;
  };
  std::ostringstream s;
  s << kModel;
  int params = std::max(1, nodes / 100);
  for (int p = 0; p < params; ++p)
    s << prompt("p" + std::to_string(p), "Parameter " + std::to_string(p));
  for (int arity = 1; arity <= 4; ++arity)
    s << "wf.code_def @digest" << arity << " : (" << textTypes(arity)
      << ") -> !wf.text {external = \"loom_wf_digest\"}\n";
  s << "wf.graph @dag(%in: !wf.text) -> !wf.text attributes "
       "{objective = #wf.objective<throughput>} {\n";
  std::vector<std::vector<std::string>> layers = {{"%in"}};
  int made = 0;
  while (made < nodes) {
    int width = 1 + static_cast<int>(next(256));
    width = std::min(width, nodes - made);
    std::vector<std::string> layer;
    for (int k = 0; k < width; ++k, ++made) {
      std::string name = "%n" + std::to_string(made);
      int arity = 1 + static_cast<int>(next(4));
      std::vector<std::string> parents;
      for (int a = 0; a < arity; ++a) {
        size_t back = 1 + next(std::min<size_t>(3, layers.size()));
        const auto &from = layers[layers.size() - back];
        std::string p = from[next(from.size())];
        if (std::find(parents.begin(), parents.end(), p) == parents.end())
          parents.push_back(p);
      }
      if (static_cast<int>(next(100)) < llmPercent) {
        std::vector<std::string> segs = {text("Step " + std::to_string(made))};
        if (next(20) == 0)
          segs.push_back(param("p" + std::to_string(next(params))));
        for (size_t a = 0; a < parents.size(); ++a) {
          segs.push_back(text("\n"));
          segs.push_back(operand(static_cast<int>(a)));
        }
        s << llm(name, segs, parents, 4 + static_cast<int>(next(13)));
      } else {
        s << "  " << name << " = wf.code @digest" << parents.size() << "("
          << commaList(parents) << ") : (" << textTypes(parents.size())
          << ") -> !wf.text\n";
      }
      layer.push_back(name);
    }
    layers.push_back(std::move(layer));
  }
  // The last layer's nodes join into the output.
  const auto &last = layers.back();
  std::vector<std::string> segs;
  for (size_t k = 0; k < last.size(); ++k)
    segs.push_back(operand(static_cast<int>(k)));
  s << "  %out = wf.format [" << commaList(segs) << "] (" << commaList(last)
    << ") : (" << textTypes(last.size())
    << ") -> !wf.text\n  wf.feedback %out : !wf.text\n  wf.return %out : "
       "!wf.text\n}\n";
  w.source = s.str();
  w.args.push_back(Value::makeText(words(50, seed)));
  // A 16-byte digest keeps values bounded however deep the graph is.
  w.code["loom_wf_digest"] = [](const std::vector<Value> &args) {
    uint64_t h = 0;
    for (const Value &a : args)
      h = wfrt::hashCombine(h, wfrt::hashBytes(a.text));
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(h));
    return Value::makeText(hex);
  };
  return w;
}

} // namespace mlir::loom::bench::wf

//===- WfTraceTest.cpp - Traces against brute force -----------------------===//
//
// wf.md §10 C11. At template level: random DAGs of parameters, constants,
// code nodes and `wf.if` branches (a code node inside the then branch); the
// test builds each graph's adjacency itself while it writes the IR. On
// runs: random programs with maps, loops and branches, nested, run by the
// runtime with random arguments; the test interprets its own statement
// tree to get each run's instance graph. Either way it computes wf.md
// §7.2-7.3 by plain DFS over that adjacency (no code shared with
// Loom's) and compares the JSON: influence, every trace graph with its
// levels, and every problem section, in both modes.
//
//===----------------------------------------------------------------------===//

#include "WfCompile.h"

#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/InitAllDialects.h"
#include "loom/Runtime/Workflow/TraceValues.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>

using namespace mlir;

namespace {

struct Node {
  std::string id, base, value = "?", type = "int";
  std::vector<int> parents;
  std::vector<std::string> inputNames;
  bool param = false, trainable = false;
  int level = 0;
};

/// A random graph and its adjacency in one mode, built side by side.
struct RandomGraph {
  std::string source;
  std::vector<Node> nodes;
  std::vector<int> outputs;

  RandomGraph(unsigned seed, bool full) {
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return int(rng() % unsigned(n)); };
    int params = 1 + pick(4);
    std::ostringstream module, body;
    std::vector<bool> trainable(params);
    for (int p = 0; p < params; ++p) {
      trainable[p] = pick(10) < 7;
      module << "wf.param @p" << p << " : i64 = " << p + 10
             << " {kind = #wf.param_kind<hparam>"
             << (trainable[p] ? ", trainable" : "") << "}\n";
    }
    const char *names[] = {"a", "b", "c"};
    for (int arity = 1; arity <= 3; ++arity) {
      module << "wf.code_def @f" << arity << " : (";
      for (int i = 0; i < arity; ++i)
        module << (i ? ", " : "") << "i64";
      module << ") -> i64 {arg_names = [";
      for (int i = 0; i < arity; ++i)
        module << (i ? ", " : "") << '"' << names[i] << '"';
      module << "], external = \"f" << arity << "\"}\n";
    }
    std::map<std::string, int> counters;
    auto id = [&](const std::string &base) {
      return base + ":" + std::to_string(counters[base]++);
    };
    std::vector<int> values;      // node of each SSA value %v<i>
    std::map<int, int> paramNode; // parameter -> node
    // The graph's argument, the branches' condition.
    Node flag;
    flag.base = "flag";
    flag.id = id("flag");
    flag.type = "bool";
    nodes.push_back(flag);
    auto addCode = [&](Node &node, int arity, int v, const std::string &as,
                       const char *indent) {
      node.base = "f" + std::to_string(arity);
      node.id = id(node.base);
      const char *names[] = {"a", "b", "c"};
      body << indent << as << " = wf.code @f" << arity << "(";
      for (int i = 0; i < arity; ++i) {
        int operand = pick(v);
        node.parents.push_back(values[operand]);
        node.inputNames.push_back(names[i]);
        body << (i ? ", " : "") << "%v" << operand;
      }
      body << ") : (";
      for (int i = 0; i < arity; ++i)
        body << (i ? ", " : "") << "i64";
      body << ") -> i64\n";
      for (int parent : node.parents)
        node.level = std::max(node.level, nodes[parent].level + 1);
    };
    int steps = 3 + pick(40);
    for (int step = 0; step < steps; ++step) {
      int kind = values.empty() ? pick(2) : pick(6);
      int v = values.size();
      if (kind == 0) { // read a parameter
        int p = pick(params);
        if (!paramNode.count(p)) {
          Node node;
          node.base = "p" + std::to_string(p);
          node.id = id(node.base);
          node.param = true;
          node.trainable = trainable[p];
          node.value = std::to_string(p + 10);
          paramNode[p] = nodes.size();
          nodes.push_back(node);
        }
        body << "  %v" << v << " = wf.param.get @p" << p << " : i64\n";
        values.push_back(paramNode[p]);
      } else if (kind == 1) { // a constant
        Node node;
        node.base = "int";
        node.id = id("int");
        int literal = pick(100);
        node.value = std::to_string(literal);
        body << "  %v" << v << " = wf.const {wf.name = \"int\"} " << literal
             << " : i64\n";
        values.push_back(nodes.size());
        nodes.push_back(node);
      } else if (kind == 5) { // a branch: a code node, or an earlier value
        // Pre-order: the branch's id comes before its body's.
        int branch = nodes.size();
        Node node;
        node.base = "if";
        node.id = id("if");
        nodes.push_back(node);
        body << "  %v" << v << " = wf.if %flag -> i64 {\n";
        Node inner;
        addCode(inner, 1 + pick(3), v, "%t" + std::to_string(v), "    ");
        int innerNode = nodes.size();
        nodes.push_back(inner);
        int other = pick(v);
        body << "    wf.yield %t" << v << " : i64\n  } else {\n    wf.yield %v"
             << other << " : i64\n  }\n";
        Node &b = nodes[branch];
        if (full) {
          b.parents.push_back(0);
          b.inputNames.push_back("condition");
        }
        for (int yielded : {innerNode, values[other]}) {
          b.parents.push_back(yielded);
          b.inputNames.push_back("arg0");
        }
        for (int parent : b.parents)
          b.level = std::max(b.level, nodes[parent].level + 1);
        values.push_back(branch);
      } else { // a code node over 1-3 earlier values
        Node node;
        addCode(node, 1 + pick(3), v, "%v" + std::to_string(v), "  ");
        values.push_back(nodes.size());
        nodes.push_back(node);
      }
    }
    // One or two outputs among the values, each fed back and returned.
    std::vector<int> outValues = {pick(values.size())};
    if (pick(2))
      outValues.push_back(pick(values.size()));
    std::ostringstream results, returned;
    for (size_t i = 0; i < outValues.size(); ++i) {
      int node = values[outValues[i]];
      if (std::find(outputs.begin(), outputs.end(), node) == outputs.end()) {
        outputs.push_back(node);
        body << "  wf.feedback %v" << outValues[i] << " : i64\n";
      }
      results << (i ? ", " : "") << "i64";
      returned << (i ? ", " : "") << "%v" << outValues[i];
    }
    source = module.str() + "wf.graph @g(%flag: i1 {wf.name = \"flag\"}) -> (" +
             results.str() + ") {\n" + body.str() + "  wf.return " +
             returned.str() + " : " + results.str() + "\n}\n";
  }
};

/// anc (`up`) or desc of `start` over `nodes`' parent lists, reflexive.
std::vector<bool> reach(const std::vector<Node> &nodes, int start, bool up) {
  std::vector<bool> seen(nodes.size());
  std::vector<int> work = {start};
  seen[start] = true;
  while (!work.empty()) {
    int n = work.back();
    work.pop_back();
    for (int m = 0; m < int(nodes.size()); ++m) {
      bool edge = up ? std::count(nodes[n].parents.begin(),
                                  nodes[n].parents.end(), m) > 0
                     : std::count(nodes[m].parents.begin(),
                                  nodes[m].parents.end(), n) > 0;
      if (edge && !seen[m]) {
        seen[m] = true;
        work.push_back(m);
      }
    }
  }
  return seen;
}

/// Trace's py_name: no ':', '[' and ']' as '_'.
std::string py(const std::string &id) {
  std::string out;
  for (char c : id)
    if (c != ':')
      out += (c == '[' || c == ']') ? '_' : c;
  return out;
}

std::vector<std::string> strings(const llvm::json::Array *array) {
  std::vector<std::string> out;
  if (array)
    for (const llvm::json::Value &v : *array)
      out.push_back(v.getAsString()->str());
  return out;
}

/// wf.md §7.2 per (o, p) and §7.3 over the union, by plain DFS over
/// `nodes` (in source order, levels set), against the JSON `result` of one
/// graph: influence, every trace graph with its levels, every section.
/// Counts the on-path nodes with base `if` into `branchesOnPath`.
void compareWithBruteForce(const std::vector<Node> &nodes,
                           const std::vector<int> &outputs,
                           const llvm::json::Object &result, bool full,
                           int &branchesOnPath) {
  // The reference: §7.2 per (o, p), §7.3 over the union.
  std::vector<bool> u(nodes.size());
  std::map<std::string, std::vector<std::string>> influence;
  std::map<std::string, std::vector<std::pair<int, std::string>>> graphs;
  auto byLevel = [&](int a, int b) {
    return std::pair(nodes[a].level, a) < std::pair(nodes[b].level, b);
  };
  for (int o : outputs) {
    std::vector<bool> anc = reach(nodes, o, true);
    influence[nodes[o].id];
    for (int p = 0; p < int(nodes.size()); ++p) {
      if (!nodes[p].trainable)
        continue;
      std::vector<bool> desc = reach(nodes, p, false);
      std::set<int> onPath, members;
      for (int n = 0; n < int(nodes.size()); ++n)
        if (anc[n] && desc[n])
          onPath.insert(n);
      if (onPath.empty())
        continue;
      influence[nodes[o].id].push_back(nodes[p].id);
      members = onPath;
      for (int n : onPath)
        members.insert(nodes[n].parents.begin(), nodes[n].parents.end());
      std::vector<int> sorted(members.begin(), members.end());
      std::sort(sorted.begin(), sorted.end(), byLevel);
      for (int n : sorted) {
        graphs[nodes[o].id + "|" + nodes[p].id].push_back(
            {nodes[n].level, nodes[n].id});
        u[n] = true;
      }
      for (int n : onPath)
        branchesOnPath += nodes[n].base == "if";
    }
  }
  const llvm::json::Object *gotInfluence = result.getObject("influence");
  ASSERT_TRUE(gotInfluence);
  EXPECT_EQ(gotInfluence->size(), influence.size());
  for (auto &[o, ps] : influence)
    EXPECT_EQ(strings(gotInfluence->getArray(o)), ps) << "influence of " << o;
  const llvm::json::Object *gotGraphs = result.getObject("graphs");
  ASSERT_TRUE(gotGraphs);
  EXPECT_EQ(gotGraphs->size(), graphs.size());
  for (auto &[key, members] : graphs) {
    const llvm::json::Array *got = gotGraphs->getArray(key);
    ASSERT_TRUE(got) << key;
    std::vector<std::pair<int, std::string>> gotMembers;
    for (const llvm::json::Value &m : *got)
      gotMembers.push_back({int(*(*m.getAsArray())[0].getAsInteger()),
                            (*m.getAsArray())[1].getAsString()->str()});
    EXPECT_EQ(gotMembers, members) << key;
  }

  std::vector<int> order;
  int depth = 0;
  for (int n = 0; n < int(nodes.size()); ++n)
    if (u[n]) {
      order.push_back(n);
      depth = std::max(depth, nodes[n].level);
    }
  std::sort(order.begin(), order.end(), byLevel);
  std::vector<std::string> variables, inputs, others, outs;
  std::vector<std::pair<int, std::string>> code;
  for (int n : order) {
    const Node &node = nodes[n];
    std::string entry = "(" + node.type + ") " + py(node.id) + "=" + node.value;
    bool intermediate = !node.parents.empty() &&
                        std::all_of(node.parents.begin(), node.parents.end(),
                                    [&](int p) { return bool(u[p]); });
    if (!intermediate) {
      (node.trainable ? variables : inputs).push_back(entry);
      continue;
    }
    bool output = full ? std::count(outputs.begin(), outputs.end(), n) > 0
                       : node.level == depth;
    (output ? outs : others).push_back(entry);
    std::string line = py(node.id) + " = " + node.base + "(";
    for (size_t i = 0; i < node.parents.size(); ++i)
      line += std::string(i ? ", " : "") + node.inputNames[i] + "=" +
              py(nodes[node.parents[i]].id);
    code.push_back({node.level, line + ")"});
  }
  std::sort(code.begin(), code.end());
  std::vector<std::string> codeLines;
  for (auto &[level, line] : code)
    codeLines.push_back(line);
  const llvm::json::Object *problem = result.getObject("problem");
  ASSERT_TRUE(problem);
  EXPECT_EQ(strings(problem->getArray("variables")), variables);
  EXPECT_EQ(strings(problem->getArray("inputs")), inputs);
  EXPECT_EQ(strings(problem->getArray("others")), others);
  EXPECT_EQ(strings(problem->getArray("outputs")), outs);
  EXPECT_EQ(strings(problem->getArray("code")), codeLines);
}

class WfTrace : public ::testing::TestWithParam<bool> {};

TEST_P(WfTrace, MatchesBruteForceOnRandomGraphs) {
  bool full = GetParam();
  MLIRContext context;
  loom::registerAllDialects(context);
  context.loadAllAvailableDialects();
  SmallString<64> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("wf-trace", "json", path));
  int branchesOnPath = 0;
  for (unsigned seed = 0; seed < 150; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomGraph graph(seed, full);
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(graph.source, &context);
    ASSERT_TRUE(module) << graph.source;
    PassManager pm(&context);
    loom::wf::WfExtractTraceOptions options;
    options.mode = full ? "full" : "trace-compat";
    options.outputFile = path.str().str();
    pm.addPass(loom::wf::createWfExtractTrace(options));
    ASSERT_TRUE(succeeded(pm.run(*module))) << graph.source;
    auto buffer = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(bool(buffer));
    llvm::Expected<llvm::json::Value> json =
        llvm::json::parse((*buffer)->getBuffer());
    ASSERT_TRUE(bool(json)) << llvm::toString(json.takeError());
    const llvm::json::Object *result = json->getAsObject()->getObject("g");
    ASSERT_TRUE(result) << graph.source;

    compareWithBruteForce(graph.nodes, graph.outputs, *result, full,
                          branchesOnPath);
    if (HasFailure())
      break;
  }
  // The branches were exercised: many lie on a parameter's path.
  EXPECT_GT(branchesOnPath, 50);
  llvm::sys::fs::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Modes, WfTrace, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return info.param ? "full" : "trace_compat";
                         });

/// wf.md §10 C11 with random runs: random programs of i64 code nodes,
/// constants, parameters, `wf.if` on an argument, `wf.map` over a list
/// argument and `wf.while` loops, nested. The test writes each program's
/// IR and keeps its own statement tree; for each run (random arguments) it
/// interprets the tree itself — instances per iteration and taken branch,
/// wf.md §7.1's aliases and merge nodes — and compares the trace the
/// runtime takes on the compiled program's run with the brute force over
/// that instance graph.
class RandomProgram {
public:
  std::string source;

  RandomProgram(unsigned seed) : rng(seed) {
    std::ostringstream module, body;
    params = 1 + pick(4);
    for (int p = 0; p < params; ++p) {
      trainable.push_back(pick(10) < 7);
      module << "wf.param @p" << p << " : i64 = " << p + 10
             << " {kind = #wf.param_kind<hparam>"
             << (trainable[p] ? ", trainable" : "") << "}\n";
    }
    module << "wf.code_def @f1 : (i64) -> i64 {arg_names = [\"a\"], "
              "external = \"f1\"}\n"
              "wf.code_def @f2 : (i64, i64) -> i64 {arg_names = [\"a\", "
              "\"b\"], external = \"f2\"}\n"
              "wf.code_def @f3 : (i64, i64, i64) -> i64 {arg_names = [\"a\", "
              "\"b\", \"c\"], external = \"f3\"}\n"
              "wf.code_def @more : (i64) -> i1 {arg_names = [\"a\"], "
              "external = \"more\"}\n"
              "wf.code_def @total : (!wf.list<i64>) -> i64 {arg_names = "
              "[\"xs\"], external = \"total\"}\n";
    id("flag");
    id("xs");
    std::vector<std::string> scope;
    block(top, scope, 0, 4 + pick(16), body, "  ");
    // One or two outputs, each fed back and returned.
    std::ostringstream types, returned;
    int count = 1 + pick(2);
    for (int k = 0; k < count; ++k) {
      std::string v = scope[pick(scope.size())];
      if (std::find(outputs.begin(), outputs.end(), v) == outputs.end()) {
        outputs.push_back(v);
        body << "  wf.feedback " << v << " : i64\n";
      }
      types << (k ? ", " : "") << "i64";
      returned << (k ? ", " : "") << v;
    }
    source = module.str() +
             "wf.graph @g(%flag: i1 {wf.name = \"flag\"}, %xs: "
             "!wf.list<i64> {wf.name = \"xs\"}) -> (" +
             types.str() + ") {\n" + body.str() + "  wf.return " +
             returned.str() + " : " + types.str() + "\n}\n";
  }

  /// The instance graph of a run on (flag, xs) in one mode, and its
  /// outputs, levels set.
  std::pair<std::vector<Node>, std::vector<int>>
  instances(bool flag, const std::vector<int64_t> &xs, bool full) const {
    Interpreter in{*this, full, {}, {}};
    in.arg("flag", "bool", flag ? "True" : "False");
    in.arg("xs", "list", listText(xs));
    Env env;
    env["%flag"] = {0, flag, {}};
    env["%xs"] = {1, 0, xs};
    in.run(top, env, "");
    std::vector<int> outs;
    for (const std::string &o : outputs) {
      int n = in.nodeOf(env.at(o));
      if (std::find(outs.begin(), outs.end(), n) == outs.end())
        outs.push_back(n);
    }
    std::vector<Node> &nodes = in.nodes;
    // Levels: collect and merge nodes precede their parents.
    std::vector<int> level(nodes.size(), -1);
    std::function<int(int)> levelOf = [&](int n) {
      if (level[n] < 0) {
        level[n] = 0;
        for (int parent : nodes[n].parents)
          level[n] = std::max(level[n], levelOf(parent) + 1);
      }
      return level[n];
    };
    for (int n = 0; n < int(nodes.size()); ++n)
      nodes[n].level = levelOf(n);
    return {std::move(nodes), outs};
  }

  static int64_t f(const std::string &callee, const std::vector<int64_t> &a) {
    if (callee == "more")
      return a[0] % 3 != 0;
    // f1 counts up: a loop `while s % 3 != 0: s = f1(s)` ends.
    int64_t sum = callee == "f1";
    for (int64_t x : a)
      sum += x;
    return sum % 1000;
  }

private:
  struct Stmt {
    enum Kind { Param, Const, Code, Total, If, Map, While } kind;
    /// The value it defines; its source id.
    std::string name, id;
    int param = -1;
    int64_t literal = 0;
    std::string callee;
    std::vector<std::string> operands;
    /// if: then and else; map: the body; while: condition and body.
    std::vector<Stmt> first, second;
    /// if: the yields; map: the body's; while: the condition, the body's.
    std::string firstYield, secondYield;
    /// map: the element; while: the condition's and the body's state.
    std::string firstArg, secondArg;
  };

  /// A value during a run: its instance (-2 - p: parameter p, no instance
  /// before its first reader) and what it holds.
  struct RunValue {
    int instance;
    int64_t i;
    std::vector<int64_t> list;
  };
  using Env = std::map<std::string, RunValue>;

  static std::string listText(const std::vector<int64_t> &xs) {
    std::string s = "[";
    for (size_t k = 0; k < xs.size(); ++k)
      s += (k ? ", " : "") + std::to_string(xs[k]);
    return s + "]";
  }

  struct Interpreter {
    const RandomProgram &program;
    bool full;
    std::vector<Node> nodes;
    std::map<int, int> paramNodes;

    int add(const std::string &id, const std::string &base,
            const std::string &type, const std::string &value) {
      Node node;
      node.id = id;
      node.base = base;
      node.type = type;
      node.value = value;
      nodes.push_back(node);
      return int(nodes.size()) - 1;
    }
    void arg(const std::string &name, const std::string &type,
             const std::string &value) {
      add(name + ":0", name, type, value);
    }
    /// The node `v` is; a parameter's is made when first read.
    int nodeOf(const RunValue &v) {
      if (v.instance > -2)
        return v.instance;
      int p = -2 - v.instance;
      if (!paramNodes.count(p)) {
        int n = add("p" + std::to_string(p) + ":0", "p" + std::to_string(p),
                    "int", std::to_string(p + 10));
        nodes[n].param = true;
        nodes[n].trainable = program.trainable[p];
        paramNodes[p] = n;
      }
      return paramNodes[p];
    }
    void parent(int n, const RunValue &v, const std::string &name) {
      int p = nodeOf(v);
      nodes[n].parents.push_back(p);
      nodes[n].inputNames.push_back(name);
    }

    void run(const std::vector<Stmt> &stmts, Env &env,
             const std::string &suffix) {
      for (const Stmt &st : stmts)
        step(st, env, suffix);
    }

    void step(const Stmt &st, Env &env, const std::string &suffix) {
      static const char *names[] = {"a", "b", "c"};
      switch (st.kind) {
      case Stmt::Param:
        env[st.name] = {-2 - st.param, st.param + 10, {}};
        return;
      case Stmt::Const:
        env[st.name] = {
            add(st.id + suffix, "int", "int", std::to_string(st.literal)),
            st.literal,
            {}};
        return;
      case Stmt::Code:
      case Stmt::Total: {
        std::vector<int64_t> args;
        std::vector<RunValue> operands;
        for (const std::string &o : st.operands) {
          operands.push_back(env.at(o));
          if (st.kind == Stmt::Total)
            args = operands.back().list;
          else
            args.push_back(operands.back().i);
        }
        // Parents first: a parameter's node precedes its reader's.
        std::vector<int> parents;
        for (const RunValue &v : operands)
          parents.push_back(nodeOf(v));
        int64_t value = f(st.callee, args);
        bool isBool = st.callee == "more";
        int n =
            add(st.id + suffix, st.callee, isBool ? "bool" : "int",
                isBool ? (value ? "True" : "False") : std::to_string(value));
        for (size_t k = 0; k < parents.size(); ++k) {
          nodes[n].parents.push_back(parents[k]);
          nodes[n].inputNames.push_back(st.kind == Stmt::Total ? "xs"
                                                               : names[k]);
        }
        env[st.name] = {n, value, {}};
        return;
      }
      case Stmt::If: {
        RunValue condition = env.at("%flag");
        int merge = full ? add(st.id + suffix, "if", "int", "") : -1;
        Env inner = env;
        bool taken = condition.i != 0;
        run(taken ? st.first : st.second, inner, suffix);
        RunValue yield = inner.at(taken ? st.firstYield : st.secondYield);
        if (!full) {
          env[st.name] = yield; // trace-compat: an alias
          return;
        }
        parent(merge, condition, "condition");
        parent(merge, yield, "arg0");
        nodes[merge].value = std::to_string(yield.i);
        env[st.name] = {merge, yield.i, {}};
        return;
      }
      case Stmt::Map: {
        const RunValue &list = env.at("%xs");
        int collect = add(st.id + suffix, "map", "list", "");
        std::vector<int64_t> values;
        for (size_t i = 0; i < list.list.size(); ++i) {
          Env inner = env;
          inner[st.firstArg] = {list.instance, list.list[i], {}};
          run(st.first, inner, suffix + "[" + std::to_string(i) + "]");
          RunValue yield = inner.at(st.firstYield);
          parent(collect, yield, "arg" + std::to_string(i));
          values.push_back(yield.i);
        }
        nodes[collect].value = listText(values);
        env[st.name] = {collect, 0, values};
        return;
      }
      case Stmt::While: {
        RunValue state = env.at(st.operands[0]);
        nodeOf(state); // the operands are read before the loop starts
        int merge = full ? add(st.id + suffix, "while", "int", "") : -1;
        for (int i = 0;; ++i) {
          std::string at = suffix + "[" + std::to_string(i) + "]";
          Env cond = env;
          cond[st.firstArg] = state;
          run(st.first, cond, at);
          RunValue go = cond.at(st.firstYield);
          if (full)
            parent(merge, go, "condition");
          if (!go.i)
            break;
          Env body = env;
          body[st.secondArg] = state;
          run(st.second, body, at);
          state = body.at(st.secondYield);
        }
        if (!full) {
          env[st.name] = state;
          return;
        }
        parent(merge, state, "arg1");
        nodes[merge].value = std::to_string(state.i);
        env[st.name] = {merge, state.i, {}};
        return;
      }
      }
    }
  };

  int pick(int n) { return int(rng() % unsigned(n)); }
  std::string id(const std::string &base) {
    return base + ":" + std::to_string(counters[base]++);
  }
  std::string fresh(const char *prefix) {
    return prefix + std::to_string(values++);
  }

  Stmt code(const std::string &callee, std::vector<std::string> operands,
            std::ostream &os, const std::string &indent) {
    Stmt st;
    st.kind = Stmt::Code;
    st.name = fresh("%v");
    st.id = id(callee);
    st.callee = callee;
    st.operands = std::move(operands);
    os << indent << st.name << " = wf.code @" << callee << "(";
    for (size_t k = 0; k < st.operands.size(); ++k)
      os << (k ? ", " : "") << st.operands[k];
    os << ") : (";
    for (size_t k = 0; k < st.operands.size(); ++k)
      os << (k ? ", " : "") << "i64";
    os << ") -> " << (callee == "more" ? "i1" : "i64") << "\n";
    return st;
  }

  /// `steps` statements into `out`, their i64 values added to `scope`.
  void block(std::vector<Stmt> &out, std::vector<std::string> &scope, int depth,
             int steps, std::ostream &os, const std::string &indent) {
    for (int step = 0; step < steps; ++step) {
      int kind = scope.empty() ? pick(2) : pick(depth < 2 ? 10 : 5);
      if (kind == 0) { // a parameter
        Stmt st;
        st.kind = Stmt::Param;
        st.name = fresh("%v");
        st.param = pick(params);
        os << indent << st.name << " = wf.param.get @p" << st.param
           << " : i64\n";
        scope.push_back(st.name);
        out.push_back(std::move(st));
      } else if (kind == 1) { // a constant
        Stmt st;
        st.kind = Stmt::Const;
        st.name = fresh("%v");
        st.id = id("int");
        st.literal = pick(100);
        os << indent << st.name << " = wf.const {wf.name = \"int\"} "
           << st.literal << " : i64\n";
        scope.push_back(st.name);
        out.push_back(std::move(st));
      } else if (kind <= 4) { // a code node over 1-3 values in scope
        int arity = 1 + pick(3);
        std::vector<std::string> operands;
        for (int k = 0; k < arity; ++k)
          operands.push_back(scope[pick(scope.size())]);
        out.push_back(
            code("f" + std::to_string(arity), std::move(operands), os, indent));
        scope.push_back(out.back().name);
      } else if (kind == 5) { // a branch on %flag
        Stmt st;
        st.kind = Stmt::If;
        st.name = fresh("%v");
        st.id = id("if");
        os << indent << st.name << " = wf.if %flag -> i64 {\n";
        std::vector<std::string> thenScope = scope, elseScope = scope;
        block(st.first, thenScope, depth + 1, pick(3), os, indent + "  ");
        st.firstYield = thenScope[pick(thenScope.size())];
        os << indent << "  wf.yield " << st.firstYield << " : i64\n"
           << indent << "} else {\n";
        block(st.second, elseScope, depth + 1, pick(3), os, indent + "  ");
        st.secondYield = elseScope[pick(elseScope.size())];
        os << indent << "  wf.yield " << st.secondYield << " : i64\n"
           << indent << "}\n";
        scope.push_back(st.name);
        out.push_back(std::move(st));
      } else if (kind <= 7) { // a map over %xs, summed
        Stmt st;
        st.kind = Stmt::Map;
        st.name = fresh("%l");
        st.id = id("map");
        st.firstArg = fresh("%e");
        os << indent << st.name
           << " = wf.map %xs : !wf.list<i64> -> !wf.list<i64> {\n"
           << indent << "^bb0(" << st.firstArg << ": i64):\n";
        std::vector<std::string> inner = scope;
        inner.push_back(st.firstArg);
        block(st.first, inner, depth + 1, 1 + pick(3), os, indent + "  ");
        st.firstYield = inner[pick(inner.size())];
        os << indent << "  wf.yield " << st.firstYield << " : i64\n"
           << indent << "}\n";
        std::string list = st.name;
        out.push_back(std::move(st));
        Stmt total;
        total.kind = Stmt::Total;
        total.name = fresh("%v");
        total.id = id("total");
        total.callee = "total";
        total.operands = {list};
        os << indent << total.name << " = wf.code @total(" << list
           << ") : (!wf.list<i64>) -> i64\n";
        scope.push_back(total.name);
        out.push_back(std::move(total));
      } else { // a loop: while s % 3 != 0, s + 1 (at most max_iters = 2 bodies)
        Stmt st;
        st.kind = Stmt::While;
        st.name = fresh("%v");
        st.id = id("while");
        st.operands = {scope[pick(scope.size())]};
        st.firstArg = fresh("%s");
        st.secondArg = fresh("%t");
        os << indent << st.name << " = wf.while (" << st.operands[0]
           << ") {max_iters = 2 : i64} : (i64) -> i64 cond {\n"
           << indent << "^bb0(" << st.firstArg << ": i64):\n";
        st.first.push_back(code("more", {st.firstArg}, os, indent + "  "));
        st.firstYield = st.first.back().name;
        os << indent << "  wf.condition " << st.firstYield << ", "
           << st.firstArg << " : i64\n"
           << indent << "} body {\n"
           << indent << "^bb0(" << st.secondArg << ": i64):\n";
        st.second.push_back(code("f1", {st.secondArg}, os, indent + "  "));
        st.secondYield = st.second.back().name;
        os << indent << "  wf.yield " << st.secondYield << " : i64\n"
           << indent << "}\n";
        scope.push_back(st.name);
        out.push_back(std::move(st));
      }
    }
  }

  std::mt19937 rng;
  int params = 0, values = 0;
  std::vector<bool> trainable;
  std::map<std::string, int> counters;
  std::vector<Stmt> top;
  std::vector<std::string> outputs;
};

class WfRunTrace : public ::testing::TestWithParam<bool> {};

TEST_P(WfRunTrace, MatchesBruteForceOnRandomRuns) {
  using mlir::loom::wfrt::Program;
  using mlir::loom::wfrt::RunOptions;
  using mlir::loom::wfrt::RunResult;
  using mlir::loom::wfrt::TraceMode;
  using mlir::loom::wfrt::ValueKind;
  using Value = mlir::loom::wfrt::Value;
  bool full = GetParam();
  TraceMode mode = full ? TraceMode::Full : TraceMode::TraceCompat;
  int iterationsOnPath = 0, runs = 0;
  std::mt19937 rng(7);
  for (unsigned seed = 0; seed < 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomProgram program(seed);
    // Odd seeds run the optimized program: the trace is the source's.
    Program compiled = loom_test::compile(
        program.source,
        seed % 2 ? "wf-assign-ids,wf-inline,wf-canonicalize,wf-dce,wf-cse,"
                   "wf-deduce-objectives,wf-schedule"
                 : "wf-assign-ids");
    std::string snapshots = loom_test::embeddedTrace(program.source);
    ASSERT_FALSE(HasFailure()) << program.source;
    for (int r = 0; r < 3; ++r) {
      bool flag = rng() % 2;
      std::vector<int64_t> xs;
      std::vector<Value> elements;
      for (unsigned k = rng() % 4; k; --k) {
        xs.push_back(rng() % 50);
        elements.push_back(Value::makeI64(xs.back()));
      }
      std::vector<Value> args = {Value::makeI1(flag),
                                 Value::makeList(std::move(elements))};
      loom_test::Harness h(compiled);
      for (const char *name : {"f1", "f2", "f3", "more", "total"})
        h.bindings.code[name] = [name](const std::vector<Value> &a) {
          std::vector<int64_t> in;
          for (const Value &v : a)
            if (v.kind == ValueKind::List)
              for (const Value &e : v.list)
                in.push_back(e.i);
            else
              in.push_back(v.i);
          int64_t out = RandomProgram::f(name, in);
          return std::string(name) == "more" ? Value::makeI1(out)
                                             : Value::makeI64(out);
        };
      RunOptions options;
      options.recordValues = true;
      RunResult run = h.run(compiled, "g", args, options);
      ASSERT_EQ(run.error, "") << program.source;
      std::string trace, error;
      ASSERT_TRUE(mlir::loom::wfrt::runTrace(
          snapshots, "g", mode, args, compiled, {}, run, "", trace, error))
          << error;
      llvm::Expected<llvm::json::Value> json = llvm::json::parse(trace);
      ASSERT_TRUE(bool(json)) << llvm::toString(json.takeError());
      const llvm::json::Object *result = json->getAsObject()->getObject("g");
      ASSERT_TRUE(result);
      auto [nodes, outputs] = program.instances(flag, xs, full);
      int branches = 0;
      compareWithBruteForce(nodes, outputs, *result, full, branches);
      for (const auto &[key, members] : *result->getObject("graphs"))
        for (const llvm::json::Value &m : *members.getAsArray())
          iterationsOnPath += (*m.getAsArray())[1].getAsString()->contains('[');
      ++runs;
      if (HasFailure()) {
        ADD_FAILURE() << program.source << "\nflag " << flag << ", "
                      << xs.size() << " elements\n"
                      << trace;
        return;
      }
    }
  }
  EXPECT_EQ(runs, 600);
  // Iterations were exercised: many instances inside maps and loops lie
  // in trace graphs.
  EXPECT_GT(iterationsOnPath, 120);
  std::printf("%d runs, %d iteration instances in trace graphs\n", runs,
              iterationsOnPath);
}

INSTANTIATE_TEST_SUITE_P(Modes, WfRunTrace, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool> &info) {
                           return info.param ? "full" : "trace_compat";
                         });

} // namespace

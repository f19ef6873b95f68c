//===- WfTraceTest.cpp - wf-extract-trace against brute force -------------===//
//
// wf.md §10 C11 at template level: random DAGs of parameters, constants,
// code nodes and `wf.if` branches (a code node inside the then branch);
// the test builds each graph's adjacency itself while it writes the IR,
// computes wf.md §7.2-7.3 by plain DFS over that adjacency (no code shared
// with the pass) and compares the pass's JSON: influence, every trace
// graph with its levels, and every problem section, in both modes. A
// branch is a node whose parents are its yields, plus its condition in
// full mode (wf.md §7.1).
//
//===----------------------------------------------------------------------===//

#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/InitAllDialects.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <algorithm>
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

  std::vector<bool> reach(int start, bool up) const {
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
};

std::string py(const std::string &id) {
  std::string out;
  for (char c : id)
    if (c != ':')
      out += c;
  return out;
}

std::vector<std::string> strings(const llvm::json::Array *array) {
  std::vector<std::string> out;
  if (array)
    for (const llvm::json::Value &v : *array)
      out.push_back(v.getAsString()->str());
  return out;
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

    // The reference: §7.2 per (o, p), §7.3 over the union.
    const std::vector<Node> &nodes = graph.nodes;
    std::vector<bool> u(nodes.size());
    std::map<std::string, std::vector<std::string>> influence;
    std::map<std::string, std::vector<std::pair<int, std::string>>> graphs;
    auto byLevel = [&](int a, int b) {
      return std::pair(nodes[a].level, a) < std::pair(nodes[b].level, b);
    };
    for (int o : graph.outputs) {
      std::vector<bool> anc = graph.reach(o, true);
      influence[nodes[o].id];
      for (int p = 0; p < int(nodes.size()); ++p) {
        if (!nodes[p].trainable)
          continue;
        std::vector<bool> desc = graph.reach(p, false);
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
    const llvm::json::Object *gotInfluence = result->getObject("influence");
    ASSERT_TRUE(gotInfluence);
    EXPECT_EQ(gotInfluence->size(), influence.size());
    for (auto &[o, ps] : influence)
      EXPECT_EQ(strings(gotInfluence->getArray(o)), ps) << "influence of " << o;
    const llvm::json::Object *gotGraphs = result->getObject("graphs");
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
    std::vector<std::string> variables, inputs, others, outputs;
    std::vector<std::pair<int, std::string>> code;
    for (int n : order) {
      const Node &node = nodes[n];
      std::string entry =
          "(" + node.type + ") " + py(node.id) + "=" + node.value;
      bool intermediate = !node.parents.empty() &&
                          std::all_of(node.parents.begin(), node.parents.end(),
                                      [&](int p) { return bool(u[p]); });
      if (!intermediate) {
        (node.trainable ? variables : inputs).push_back(entry);
        continue;
      }
      bool output =
          full ? std::count(graph.outputs.begin(), graph.outputs.end(), n) > 0
               : node.level == depth;
      (output ? outputs : others).push_back(entry);
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
    const llvm::json::Object *problem = result->getObject("problem");
    ASSERT_TRUE(problem);
    EXPECT_EQ(strings(problem->getArray("variables")), variables);
    EXPECT_EQ(strings(problem->getArray("inputs")), inputs);
    EXPECT_EQ(strings(problem->getArray("others")), others);
    EXPECT_EQ(strings(problem->getArray("outputs")), outputs);
    EXPECT_EQ(strings(problem->getArray("code")), codeLines) << graph.source;
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

} // namespace

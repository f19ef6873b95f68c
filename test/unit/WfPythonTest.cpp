//===- WfPythonTest.cpp - Code parameters in embedded Python --------------===//
//
// wf.md §8.2: a code node whose def's source is a trainable code parameter
// runs the parameter's text in embedded CPython. Expected values are
// computed here in C++, not by Python.
//
//===----------------------------------------------------------------------===//

#include "WfCompile.h"

#include "loom/Runtime/Workflow/Python.h"

#include "gtest/gtest.h"

using namespace mlir::loom::wfrt;
using loom_test::compile;

namespace {

const char *kScorer = R"mlir(
wf.model @m
wf.param @scorer : !wf.text = "def score(words, bonus, scale, strict):\0A    n = len(words.split()) + bonus\0A    return n * scale if strict else -1.0\0A" {kind = #wf.param_kind<code>, lang = "python", trainable}
wf.param @splitter : !wf.text = "def split(text):\0A    return [w for w in text.split() if w]\0A" {kind = #wf.param_kind<code>, lang = "python", trainable}
wf.code_def @score : (!wf.text, i64, f64, i1) -> f64 {source = @scorer, arg_names = ["words", "bonus", "scale", "strict"]}
wf.code_def @split : (!wf.text) -> !wf.list<!wf.text> {source = @splitter}
wf.graph @g(%t: !wf.text, %b: i64, %s: f64, %strict: i1) -> (f64, !wf.list<!wf.text>, !wf.text) {
  %score = wf.code @score(%t, %b, %s, %strict) : (!wf.text, i64, f64, i1) -> f64
  %words = wf.code @split(%t) : (!wf.text) -> !wf.list<!wf.text>
  %line = wf.format [#wf.seg<text "score ">, #wf.seg<operand 0>] (%score) : (f64) -> !wf.text
  wf.return %score, %words, %line : f64, !wf.list<!wf.text>, !wf.text
}
)mlir";

RunResult runWithPython(const Program &p, std::vector<Value> args,
                        const RunOptions &o = {}) {
  loom_test::Harness h(p);
  h.bindings.python = embeddedPython();
  return h.run(p, "g", std::move(args), o);
}

std::vector<Value> args(const std::string &text, bool strict = true) {
  return {Value::makeText(text), Value::makeI64(2), Value::makeF64(0.5),
          Value::makeI1(strict)};
}

TEST(WfPython, CodeParametersRunWithTheirValues) {
  Program p = compile(kScorer);
  ASSERT_EQ(p.pythonCode.size(), 2u);
  RunResult r = runWithPython(p, args("one two  three"));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.outputs[0].f, (3 + 2) * 0.5);
  EXPECT_EQ(r.outputs[1],
            Value::makeList({Value::makeText("one"), Value::makeText("two"),
                             Value::makeText("three")}));
  EXPECT_EQ(r.outputs[2].text, "score 2.500000");
  r = runWithPython(p, args("one", false));
  EXPECT_EQ(r.outputs[0].f, -1.0);
}

TEST(WfPython, AnOptimizersUpdateNeedsNoRecompilation) {
  // Trace's code parameters: the next run runs the new text.
  Program p = compile(kScorer);
  RunOptions o;
  o.paramOverrides["scorer"] = Value::makeText(
      "def score(words, bonus, scale, strict):\n    return float(bonus)\n");
  RunResult r = runWithPython(p, args("one two"), o);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.outputs[0].f, 2.0);
}

TEST(WfPython, FailuresAreErrorValuesThatPoisonConsumers) {
  Program p = compile(kScorer);
  auto failWith = [&](const std::string &source) {
    RunOptions o;
    o.paramOverrides["scorer"] = Value::makeText(source);
    RunResult r = runWithPython(p, args("one"), o);
    EXPECT_EQ(r.error, "");
    EXPECT_TRUE(r.outputs[0].isError());
    EXPECT_EQ(r.outputs[0].failedInstance, "score:0");
    // The format reading it never ran; the other code node did.
    EXPECT_TRUE(r.outputs[2].isError());
    EXPECT_FALSE(r.outputs[1].isError());
    return r.outputs[0].text;
  };
  EXPECT_EQ(failWith("def score(w, b, s, t):\n    return b / 0\n"),
            "ZeroDivisionError: division by zero");
  EXPECT_EQ(failWith("def score(w, b, s, t):\n    return 'high'\n"),
            "TypeError: score returned str, expected float");
  EXPECT_EQ(failWith("def score(w, b, s, t) return 1\n"),
            "SyntaxError: expected ':' (<string>, line 1)");
  EXPECT_EQ(failWith("def scored(w, b, s, t):\n    return 1.0\n"),
            "the code parameter defines no function score");
  EXPECT_EQ(failWith("def score(w):\n    return 1.0\n"),
            "TypeError: score() takes 1 positional argument but 4 were given");
}

TEST(WfPython, ARuntimeWithoutPythonSaysSo) {
  Program p = compile(kScorer);
  RunResult r = loom_test::Harness(p).run(p, "g", args("one"));
  EXPECT_EQ(r.error, "code @score is a Python code parameter, and this "
                     "runtime has no Python: build Loom with "
                     "LOOM_ENABLE_PYTHON=ON (Debian's libpython3-dev)");
}

} // namespace

"""loom.wf: workflows written as Python functions, captured into wf IR,
compiled, and run on Loom's workflow runtime (the simulated LLM service);
a run returns the outputs and the OptoPrime-style trace, and parameters
change between runs without recompiling."""
import numpy as np
import pytest

import loom
from loom import wf

llm = wf.model("m", max_concurrency=4)
style = wf.param("style", "Answer briefly: ", trainable=True,
                 description="How the model is asked.")
search = wf.tool("search", description="Looks a query up.")


@wf.bundle(trainable=True)
def normalize(question):
    """Normalizes the question."""
    words = question.lower().split()
    return " ".join(words) + "?"


@wf.graph
def answer(question: wf.text):
    n = normalize(question)
    hits = search(n)
    a = llm(style, n, "\nContext: ", hits, max_tokens=8)
    wf.feedback(a)
    return a, n


def squares(v):
    return v * v


@wf.graph
def rank(v: loom.tensor(4), note: wf.text):
    sq = wf.compute(squares, v)
    return sq, llm(wf.format(note, ": ", sq), max_tokens=4)


@pytest.fixture(scope="module")
def model():
    return loom.compile(loom.Module(answer, rank))


def test_capture():
    text = str(loom.Module(answer))
    assert "wf.model @m {max_concurrency = 4 : i64}" in text
    assert 'wf.param @style : !wf.text = "Answer briefly: "' in text
    assert "wf.code_def @normalize : (!wf.text) -> !wf.text" in text
    assert "kind = #wf.param_kind<code>, lang = \"python\", trainable" in text
    assert "wf.tool @search(%0) : (!wf.text) -> !wf.text" in text
    assert "#wf.seg<param @style>, #wf.seg<operand 0>, #wf.seg<text \"\\0AContext: \">" in text
    assert "wf.feedback %" in text


def test_bundle_is_plain_python_outside_a_graph():
    assert normalize("Hello   World") == "hello world?"


def test_run_returns_outputs_and_trace(model):
    result = model.answer("Hello   World", feedback="Too vague.")
    assert result.ok
    answer_text, normalized = result.outputs
    assert normalized == "hello world?"
    assert isinstance(answer_text, str) and answer_text
    problem = result.problem
    assert problem["feedback"] == ["llm0: Too vague."]
    assert "(str) question0=Hello   World" in problem["inputs"]
    assert any(v.startswith("(str) normalize_source0=def normalize(question):")
               for v in problem["variables"])
    assert "(str) style0=Answer briefly: " in problem["variables"]
    assert any(line.startswith("llm0 = llm(") for line in problem["code"])
    assert "[normalize] Normalizes the question." in problem["documentation"]


def test_parameters_change_without_recompiling(model):
    upper = "def normalize(question):\n    return question.upper()\n"
    result = model.answer("Hello   World", params={"normalize_source": upper,
                                                   "style": "Be terse: "}, trace=True)
    assert result.outputs[1] == "HELLO   WORLD"
    assert "(str) style0=Be terse: " in result.problem["variables"]
    assert model.workflow["params"][0]["name"] == "normalize_source"


def test_tensors_through_compute_nodes(model):
    squares_out, message = model.rank(np.arange(4, dtype=np.float32), "sq").outputs
    np.testing.assert_array_equal(squares_out, [0, 1, 4, 9])
    assert isinstance(message, str)
    assert model.rank(np.arange(4, dtype=np.float32), "sq").trace is None


def test_failed_nodes_are_error_values(model):
    result = model.rank(np.arange(3, dtype=np.float32), "sq")
    assert not result.ok
    error = result.outputs[0]
    assert isinstance(error, wf.ErrorValue) and error.instance == "compute:0"
    assert "has shape [3], expected [4]" in error.message


def test_run_errors(model):
    with pytest.raises(loom.RunError, match="wrong kind"):
        model.answer(3)
    with pytest.raises(loom.RunError, match="no graph @nothing"):
        model.run("nothing")
    with pytest.raises(TypeError, match="not dict"):
        model.answer({})


def test_graph_needs_annotations():
    with pytest.raises(TypeError, match="needs a type annotation"):
        @wf.graph
        def bad(question):
            return question


@wf.graph
def summarize(document: wf.text):
    """Map-reduce: the chunks summarized in parallel, then combined."""
    chunks = wf.split(document, chunk_tokens=8)
    partial = wf.map(lambda chunk: llm("Summarize: ", chunk, max_tokens=4), chunks)
    sizes = wf.map(length, chunks, max_parallel=2)
    return llm("Combine: ", wf.join(partial, sep="\n"), max_tokens=6), wf.join(sizes, sep=",")


@wf.bundle
def length(text):
    return str(len(text))


def test_map_reduce():
    module = loom.Module(summarize)
    text = str(module)
    assert "wf.split %arg0 {chunk_tokens = 8 : i64} : !wf.text -> !wf.list<!wf.text>" in text
    assert "wf.map %0 {max_parallel = 2 : i64}" in text
    model = loom.compile(module)
    document = " ".join(f"word{i}" for i in range(40))
    summary, sizes = model(document).outputs
    assert isinstance(summary, str) and summary
    chunks = [int(c) for c in sizes.split(",")]
    assert len(chunks) > 1 and sum(chunks) == len(document)


@wf.bundle(result=wf.i1)
def is_long(answer):
    return len(answer) > 20


@wf.bundle(args=[wf.i64], result=wf.i1)
def below_three(n):
    return n < 3


@wf.bundle(args=[wf.i64], result=wf.i64)
def bump(n):
    return n + 1


@wf.graph
def deliberate(question: wf.text):
    """wf.cond, wf.replicate (self-consistency), wf.catch, wf.while_loop."""
    draft = llm(style, question, max_tokens=8)
    picked = wf.cond(is_long(draft), lambda: wf.const("long"), lambda: draft)
    votes = wf.replicate(lambda i: llm("Vote: ", question, max_tokens=2, temperature=0.8),
                         3, seed_base=7)
    safe = wf.catch(draft, lambda error: wf.format("failed: ", error))
    count = wf.while_loop(below_three, bump, wf.const(0), max_iters=10)
    wf.feedback(safe)
    return picked, wf.join(votes, sep="|"), safe, count


def test_control_flow():
    text = str(loom.Module(deliberate))
    for op in ("wf.if", "wf.replicate 3 {seed_base = 7 : i64}", "wf.catch", "wf.while",
               "wf.condition"):
        assert op in text
    model = loom.compile(deliberate)
    result = model("What is MLIR?", trace=True)
    picked, votes, safe, count = result.outputs
    assert picked == "long" and count == 3 and safe == loom.compile(deliberate)(
        "What is MLIR?").outputs[2]
    assert len(votes.split("|")) == 3
    assert any(line.startswith("llm0 = llm(") for line in result.problem["code"])


def test_trace_needs_feedback():
    model = loom.compile(loom.Module(rank))
    with pytest.raises(loom.RunError, match="only graphs with wf.feedback"):
        model.rank(np.arange(4, dtype=np.float32), "sq", trace=True)


def test_branches_must_agree():
    @wf.graph
    def bad(question: wf.text):
        return wf.cond(is_long(question), lambda: wf.const(1), lambda: question)

    with pytest.raises(TypeError, match="different types"):
        loom.Module(bad)


@wf.bundle
def explode(text):
    raise ValueError("no " + text)


@wf.graph
def fragile(question: wf.text):
    return explode(question), wf.catch(explode(question), lambda error: wf.format("caught ", error))


def test_failing_bundle_is_an_error_value():
    broken, caught = loom.compile(fragile)("go").outputs
    assert isinstance(broken, wf.ErrorValue) and "ValueError: no go" in broken.message
    assert caught.startswith("caught ") and "no go" in caught


def test_declarations_keep_their_names():
    other = wf.model("m", max_concurrency=2)

    @wf.graph
    def clash(question: wf.text):
        return llm(question, max_tokens=1), other(question, max_tokens=1)

    with pytest.raises(ValueError, match="two different declarations named @m in one graph"):
        loom.Module(clash)

    @wf.graph
    def elsewhere(question: wf.text):
        return other(question, max_tokens=1)

    with pytest.raises(ValueError, match="two different declarations named @m in one module"):
        loom.Module(answer, elsewhere)

//===- RunWorkflow.cpp - loom-run for libraries of workflow graphs --------===//
//
// loom-run libwf.so [--graph NAME] [--arg KIND:VALUE]...
//   [--bind MODEL=sim|http://HOST:PORT/v1[#SERVED_NAME]|lib:MODEL.so]
//   [--retry MODEL=ATTEMPTS[:BACKOFF_MS]] [--timeout MODEL=MS]
//   [--param NAME=KIND:VALUE]... [--load PLUGIN.so]... [--seed N]
//   [--journal PATH [--resume]] [--timeline trace.json]
//   [--trace FILE|- [--trace-mode full|trace-compat] [--feedback TEXT]]
//   [--outputs FILE|-]
//
// With only the simulated service (wf.md §9.1) the executor runs in
// virtual time; an OpenAI-compatible endpoint or a language model compiled
// by Loom (`lib:`, run in process) makes it real time. Tools and
// code nodes bind to native functions the process exports
// (loom-c/Workflow.h); tools without one are simulated from their defs.
//
//===----------------------------------------------------------------------===//

#include "RunWorkflow.h"
#include "Npy.h"

#include "loom-c/Workflow.h"
#include "loom/Runtime/DType.h"
#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/HttpBackend.h"
#include "loom/Runtime/Workflow/LibBackend.h"
#ifdef LOOM_ENABLE_PYTHON
#include "loom/Runtime/Workflow/Python.h"
#endif
#include "loom/Runtime/Workflow/Json.h"
#include "loom/Runtime/Workflow/SimService.h"
#include "loom/Runtime/Workflow/TraceValues.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <memory>
#include <sstream>

using namespace mlir::loom;
using namespace mlir::loom::wfrt;

namespace {

struct WorkflowOptions {
  std::string graph, journal, timeline, trace, feedback, outputs;
  mlir::loom::wfrt::TraceMode traceMode = mlir::loom::wfrt::TraceMode::Full;
  std::vector<std::string> args, loads;
  std::map<std::string, std::string> binds, retries, timeouts, params;
  uint64_t seed = 0;
  bool resume = false;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "loom-run: error: %s\n", message.c_str());
  return 1;
}

/// `v` as a tensor of the library's runtime: a scalar boxed at rank 0.
LoomTensor *toTensor(const RuntimeApi &api, const Value &v) {
  if (v.kind == ValueKind::Tensor) {
    void *data = std::malloc(std::max<size_t>(v.text.size(), 1));
    std::memcpy(data, v.text.data(), v.text.size());
    return api.tensor_create(data, v.shape.data(),
                             static_cast<int64_t>(v.shape.size()),
                             static_cast<LoomDType>(v.dtype), 1);
  }
  LoomDType dtype = v.kind == ValueKind::I1    ? LOOM_BOOL
                    : v.kind == ValueKind::I64 ? LOOM_I64
                                               : LOOM_F64;
  void *data = std::malloc(8);
  if (v.kind == ValueKind::I1)
    *static_cast<uint8_t *>(data) = v.i != 0;
  else if (v.kind == ValueKind::I64)
    std::memcpy(data, &v.i, sizeof v.i);
  else
    std::memcpy(data, &v.f, sizeof v.f);
  return api.tensor_create(data, nullptr, 0, dtype, 1);
}

/// A tensor of the library's runtime as a value: rank 0 is a boxed scalar
/// (compute nodes pass no rank-0 tensors), the rest stays a tensor.
Value fromTensor(const RuntimeApi &api, const LoomTensor *t) {
  const void *data = api.tensor_data(t);
  int64_t rank = api.tensor_rank(t);
  LoomDType dtype = api.tensor_dtype(t);
  if (rank > 0) {
    const int64_t *shape = api.tensor_shape(t);
    size_t bytes = size_t(api.tensor_num_elements(t)) * api.dtype_size(dtype);
    return Value::makeTensor(
        dtype, std::vector<int64_t>(shape, shape + rank),
        std::string(static_cast<const char *>(data), bytes));
  }
  switch (dtype) {
  case LOOM_BOOL:
    return Value::makeI1(*static_cast<const uint8_t *>(data) != 0);
  case LOOM_I64:
    return Value::makeI64(*static_cast<const int64_t *>(data));
  default:
    return Value::makeF64(*static_cast<const double *>(data));
  }
}

/// `text:hello`, `file:path` (its text), `lines:path` (a list, one element
/// per line), `i64:3`, `f64:0.5`, `i1:true`.
bool parseValue(const RuntimeApi &api, const std::string &spec, Value &v,
                std::string &error) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos)
    return error = "'" + spec + "' is not KIND:VALUE", false;
  std::string kind = spec.substr(0, colon), value = spec.substr(colon + 1);
  if (kind == "text") {
    v = Value::makeText(value);
  } else if (kind == "file" || kind == "lines") {
    std::ifstream in(value, std::ios::binary);
    if (!in)
      return error = "cannot read " + value, false;
    std::stringstream s;
    s << in.rdbuf();
    if (kind == "file") {
      v = Value::makeText(s.str());
    } else {
      std::vector<Value> lines;
      std::string line;
      while (std::getline(s, line))
        lines.push_back(Value::makeText(line));
      v = Value::makeList(std::move(lines));
    }
  } else if (kind == "i64" || kind == "f64") {
    char *end = nullptr;
    errno = 0;
    if (kind == "i64")
      v = Value::makeI64(std::strtoll(value.c_str(), &end, 10));
    else
      v = Value::makeF64(std::strtod(value.c_str(), &end));
    if (value.empty() || *end || errno)
      return error = "'" + value + "' is not a number", false;
  } else if (kind == "i1") {
    if (value != "true" && value != "false")
      return error = "'" + value + "' is not true or false", false;
    v = Value::makeI1(value == "true");
  } else if (kind == "npy") {
    LoomTensor *t = npy::read(api, value, error);
    if (!t)
      return false;
    v = fromTensor(api, t);
    api.tensor_destroy(t);
  } else {
    return error = "unknown value kind '" + kind +
                   "' (have text, file, lines, i64, f64, i1, npy)",
           false;
  }
  return true;
}

/// A value for programs that read the outputs (--outputs): its kind and
/// content; a tensor's C-order bytes as hex, with its element type and
/// shape, so that it comes back bit for bit.
Json valueJson(const Value &v) {
  Json j = jsonObject();
  switch (v.kind) {
  case ValueKind::Text:
    return j.add("kind", jsonString("text")).add("value", jsonString(v.text));
  case ValueKind::I1:
    j.add("kind", jsonString("i1"));
    return j.add("value", jsonBool(v.i != 0));
  case ValueKind::I64:
    return j.add("kind", jsonString("i64"))
        .add("value", jsonString(std::to_string(v.i)));
  case ValueKind::F64:
    return j.add("kind", jsonString("f64")).add("value", jsonNumber(v.f));
  case ValueKind::List: {
    std::vector<Json> elements;
    for (const Value &e : v.list)
      elements.push_back(valueJson(e));
    return j.add("kind", jsonString("list"))
        .add("value", jsonArray(std::move(elements)));
  }
  case ValueKind::Tensor: {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * v.text.size());
    for (unsigned char c : v.text)
      hex += {digits[c >> 4], digits[c & 15]};
    std::vector<Json> shape;
    for (int64_t d : v.shape)
      shape.push_back(jsonNumber(static_cast<double>(d)));
    return j.add("kind", jsonString("tensor"))
        .add("dtype", jsonString(runtime::dtypeInfo(v.dtype).name))
        .add("shape", jsonArray(std::move(shape)))
        .add("value", jsonString(std::move(hex)));
  }
  case ValueKind::Error:
    return j.add("kind", jsonString("error"))
        .add("error_kind", jsonString(v.errorKind))
        .add("instance", jsonString(v.failedInstance))
        .add("value", jsonString(v.text));
  case ValueKind::Token:
    return j.add("kind", jsonString("token"));
  }
  return j;
}

bool parseOptions(int argc, char **argv, WorkflowOptions &o,
                  std::string &error) {
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i], v;
    auto value = [&](std::string &out) {
      if (i + 1 >= argc)
        return error = arg + " needs a value", false;
      out = argv[++i];
      return true;
    };
    auto pair = [&](std::map<std::string, std::string> &into) {
      if (!value(v))
        return false;
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0)
        return error = arg + " takes NAME=VALUE", false;
      into[v.substr(0, eq)] = v.substr(eq + 1);
      return true;
    };
    bool ok = true;
    if (arg == "--graph")
      ok = value(o.graph);
    else if (arg == "--arg")
      ok = value(v) && (o.args.push_back(v), true);
    else if (arg == "--load")
      ok = value(v) && (o.loads.push_back(v), true);
    else if (arg == "--bind")
      ok = pair(o.binds);
    else if (arg == "--retry")
      ok = pair(o.retries);
    else if (arg == "--timeout")
      ok = pair(o.timeouts);
    else if (arg == "--param")
      ok = pair(o.params);
    else if (arg == "--journal")
      ok = value(o.journal);
    else if (arg == "--timeline")
      ok = value(o.timeline);
    else if (arg == "--trace")
      ok = value(o.trace);
    else if (arg == "--feedback")
      ok = value(o.feedback);
    else if (arg == "--outputs")
      ok = value(o.outputs);
    else if (arg == "--trace-mode" && (ok = value(v))) {
      std::optional<mlir::loom::wfrt::TraceMode> mode =
          mlir::loom::wfrt::parseTraceMode(v);
      if (!mode)
        return error = "--trace-mode is full or trace-compat, not " + v, false;
      o.traceMode = *mode;
    } else if (arg == "--resume")
      o.resume = true;
    else if (arg == "--seed" && (ok = value(v)))
      o.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (arg != "--seed" && arg != "--trace-mode")
      return error = "unknown option " + arg + " for a workflow library", false;
    if (!ok)
      return false;
  }
  if (o.resume && o.journal.empty())
    return error = "--resume needs --journal", false;
  if (!o.feedback.empty() && o.trace.empty())
    return error = "--feedback fills the trace: it needs --trace", false;
  return true;
}

/// Writes `text` and a newline to `path`, or to stdout for "-".
bool writeTo(const std::string &path, const std::string &text) {
  if (path == "-")
    return std::printf("%s\n", text.c_str()) >= 0;
  std::ofstream out(path);
  out << text << "\n";
  return static_cast<bool>(out);
}

/// A native function through the C ABI.
NativeFunction nativeFunction(LoomWfNativeFn fn, const std::string &name) {
  return [fn, name](const std::vector<Value> &args) {
    std::vector<std::string> texts;
    std::vector<const char *> ptrs;
    for (const Value &a : args)
      texts.push_back(a.render());
    for (const std::string &t : texts)
      ptrs.push_back(t.c_str());
    char *out = nullptr;
    int rc = fn(ptrs.data(), ptrs.size(), &out);
    std::string text = out ? out : "";
    std::free(out);
    if (rc != 0)
      return Value::makeError("error", text.empty() ? name + " failed" : text,
                              "");
    return Value::makeText(std::move(text));
  };
}

/// A wf.compute body compiled into the library, called through its model
/// ABI: tensors as they are, each i1, i64 or f64 as a rank-0 tensor.
ComputeFunction computeFunction(const RuntimeApi &api, std::string entry) {
  return [&api, entry](const std::vector<Value> &args) -> std::vector<Value> {
    std::vector<LoomTensor *> in;
    for (const Value &v : args)
      in.push_back(toTensor(api, v));
    LoomTensorList *inputs =
        api.tensor_list_create(in.data(), static_cast<int64_t>(in.size()));
    LoomTensorList *outputs = nullptr;
    LoomStatus status = api.run(entry.c_str(), inputs, &outputs);
    api.tensor_list_destroy(inputs);
    if (status != LOOM_OK)
      return {Value::makeError("error", api.last_error(), "")};
    std::vector<Value> results;
    for (int64_t k = 0; k < api.tensor_list_size(outputs); ++k)
      results.push_back(fromTensor(api, api.tensor_list_get(outputs, k)));
    api.tensor_list_destroy(outputs);
    return results;
  };
}

} // namespace

int mlir::loom::runWorkflow(const ModelLibrary &library, int argc,
                            char **argv) {
  WorkflowOptions o;
  std::string error;
  if (!parseOptions(argc, argv, o, error))
    return fail(error);
  using ProgramFn = const unsigned char *(*)(unsigned long long *);
  auto accessor =
      reinterpret_cast<ProgramFn>(library.lookup("loom_wf_program"));
  unsigned long long size = 0;
  const unsigned char *bytes = accessor(&size);
  Program program;
  error = deserializeProgram(
      std::string_view(reinterpret_cast<const char *>(bytes), size), program);
  if (!error.empty())
    return fail("the library's task tables: " + error);
  if (o.graph.empty()) {
    if (program.graphs.size() != 1)
      return fail("the library has several graphs: name one with --graph");
    o.graph = program.graphs[0].name;
  }
  if (!program.findGraph(o.graph))
    return fail("no graph @" + o.graph + " in the program");

  for (const std::string &path : o.loads)
    if (!dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL))
      return fail("cannot load " + path + ": " + dlerror());
  // A real backend needs the real clock; the simulator then runs in real
  // time too.
  bool real = std::any_of(o.binds.begin(), o.binds.end(), [](const auto &b) {
    return b.second.rfind("http", 0) == 0 || b.second.rfind("lib:", 0) == 0;
  });
  EventLoop loop(real ? EventLoop::Clock::Real : EventLoop::Clock::Virtual);
  SimService sim(loop);
  std::vector<std::unique_ptr<HttpBackend>> http;
  std::vector<std::pair<std::string, std::unique_ptr<LibBackend>>> libs;
  Bindings bindings;
  for (const ModelDecl &m : program.models) {
    auto it = o.binds.find(m.name);
    std::string uri = it == o.binds.end() ? "sim" : it->second;
    if (uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) {
      // `URL#name` sends `name` as the model; the API key comes from the
      // environment, never from the command line.
      HttpConfig config;
      size_t hash = uri.find('#');
      config.baseUrl = uri.substr(0, hash);
      if (hash != std::string::npos)
        config.model = uri.substr(hash + 1);
      if (const char *key = std::getenv("OPENAI_API_KEY"))
        config.apiKey = key;
      if (auto t = o.timeouts.find(m.name); t != o.timeouts.end()) {
        char *end = nullptr;
        config.timeoutMs = std::strtoll(t->second.c_str(), &end, 10);
        if (end == t->second.c_str() || *end || config.timeoutMs < 1)
          return fail("--timeout " + m.name + "=" + t->second +
                      ": expected milliseconds >= 1");
      }
      http.push_back(std::make_unique<HttpBackend>(loop, config));
      bindings.models.push_back(http.back().get());
      continue;
    }
    if (uri.rfind("lib:", 0) == 0) {
      std::string error;
      auto lib = LibBackend::open(loop, uri.substr(4), error);
      if (!lib)
        return fail("@" + m.name + ": " + error);
      if (lib->contextLength() < m.maxContext)
        std::fprintf(stderr,
                     "note: @%s declares max_context %lld; the model at %s "
                     "holds %lld tokens\n",
                     m.name.c_str(), (long long)m.maxContext,
                     uri.substr(4).c_str(), (long long)lib->contextLength());
      bindings.models.push_back(lib.get());
      libs.emplace_back(m.name, std::move(lib));
      continue;
    }
    if (uri != "sim")
      return fail("@" + m.name + ": unknown backend '" + uri +
                  "' (have: sim, http://HOST:PORT/v1[#MODEL], lib:MODEL.so)");
    if (o.timeouts.count(m.name))
      return fail("--timeout " + m.name +
                  ": the simulated service answers in virtual time; "
                  "timeouts are for http bindings");
    if (it == o.binds.end())
      std::fprintf(stderr, "note: @%s runs on the simulated service (sim)\n",
                   m.name.c_str());
    bindings.models.push_back(&sim);
  }
  for (auto [flag, named] : {std::pair{"--bind", &o.binds},
                             {"--retry", &o.retries},
                             {"--timeout", &o.timeouts}})
    for (const auto &entry : *named)
      if (std::none_of(
              program.models.begin(), program.models.end(),
              [&](const ModelDecl &m) { return m.name == entry.first; }))
        return fail(std::string(flag) + " names @" + entry.first +
                    ", which is not a wf.model");
  for (const ModelDecl &m : program.models) {
    RetryPolicy policy;
    auto it = o.retries.find(m.name);
    if (it != o.retries.end()) {
      char *end = nullptr;
      policy.maxAttempts = std::strtoll(it->second.c_str(), &end, 10);
      if (*end == ':')
        policy.backoffMs = std::strtod(end + 1, &end);
      if (end == it->second.c_str() || *end || policy.maxAttempts < 1 ||
          policy.backoffMs < 0)
        return fail("--retry " + m.name + "=" + it->second +
                    ": expected ATTEMPTS[:BACKOFF_MS], ATTEMPTS >= 1");
    }
    bindings.modelRetries.push_back(policy);
  }
  for (const ToolDecl &t : program.tools)
    if (auto fn = reinterpret_cast<LoomWfNativeFn>(
            dlsym(RTLD_DEFAULT, t.name.c_str())))
      bindings.tools[t.name] = nativeFunction(fn, t.name);
  bindings.simulateUnboundTools = true;
  for (const std::string &c : program.codeFunctions) {
    auto fn = reinterpret_cast<LoomWfNativeFn>(dlsym(RTLD_DEFAULT, c.c_str()));
    if (!fn)
      return fail("code function " + c +
                  " is not exported by this process; --load a library "
                  "that defines it (loom-c/Workflow.h)");
    bindings.code[c] = nativeFunction(fn, c);
  }
  for (const std::string &c : program.computeEntries)
    bindings.compute[c] = computeFunction(library.api(), c);
#ifdef LOOM_ENABLE_PYTHON
  bindings.python = embeddedPython();
#endif

  std::vector<Value> args(o.args.size());
  for (size_t k = 0; k < o.args.size(); ++k)
    if (!parseValue(library.api(), o.args[k], args[k], error))
      return fail("--arg " + std::to_string(k) + ": " + error);
  RunOptions options;
  if (real)
    options.networkRttMs = options.localRttMs = 0;
  options.runSeed = o.seed;
  options.journalPath = o.journal;
  options.resume = o.resume;
  for (const auto &[name, spec] : o.params) {
    Value v;
    if (!parseValue(library.api(), spec, v, error))
      return fail("--param " + name + ": " + error);
    options.paramOverrides[name] = v;
  }
  options.recordValues = !o.trace.empty();
  RunResult r = runGraph(program, o.graph, args, bindings, loop, options);
  if (!r.error.empty())
    return fail(r.error);
  int exitCode = 0;
  for (size_t k = 0; k < r.outputs.size(); ++k) {
    const Value &v = r.outputs[k];
    if (v.isError()) {
      std::printf("output %zu: error in %s: %s\n", k, v.failedInstance.c_str(),
                  v.render().c_str());
      exitCode = 3;
    } else {
      std::printf("output %zu: %s\n", k, v.render().c_str());
    }
  }
  std::printf("makespan: %.3f s (%s), %lld LLM calls, %lld tool attempts, "
              "%lld retries, %lld reused from the journal\n",
              r.makespanMs / 1000, real ? "real" : "virtual",
              (long long)r.llmCalls, (long long)r.toolAttempts,
              (long long)r.retries, (long long)r.reusedFromJournal);
  for (const auto &[name, lib] : libs) {
    LibStats st = lib->stats();
    std::printf("@%s in process: %lld requests (%lld batches), %lld prompt "
                "tokens (%lld from computed prefixes), %lld generated\n",
                name.c_str(), (long long)st.requests, (long long)st.batches,
                (long long)st.promptTokens, (long long)st.reusedPromptTokens,
                (long long)st.generatedTokens);
  }
  if (!o.outputs.empty()) {
    std::vector<Json> values;
    for (const Value &v : r.outputs)
      values.push_back(valueJson(v));
    if (!writeTo(o.outputs, writeJson(jsonArray(std::move(values)))))
      return fail("cannot write " + o.outputs);
  }
  if (!o.timeline.empty()) {
    std::ofstream out(o.timeline);
    out << timelineJson(r);
    if (!out)
      return fail("cannot write " + o.timeline);
  }
  if (!o.trace.empty()) {
    using TraceFn = const char *(*)();
    auto traceOf = reinterpret_cast<TraceFn>(library.lookup("loom_wf_trace"));
    if (!traceOf)
      return fail("the library has no loom_wf_trace (compiled by an older "
                  "loom-compile?)");
    std::string json;
    if (!runTrace(traceOf(), o.graph, o.traceMode, args, program,
                  options.paramOverrides, r, o.feedback, json, error))
      return fail(error);
    if (!writeTo(o.trace, json))
      return fail("cannot write " + o.trace);
  }
  return exitCode;
}

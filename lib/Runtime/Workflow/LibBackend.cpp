//===- LibBackend.cpp - A language model compiled by Loom, in process -----===//

#include "loom/Runtime/Workflow/LibBackend.h"

#include "loom/Runtime/Workflow/Json.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mlir::loom::wfrt {

namespace {

constexpr const char *kEntry = "lm_step";
constexpr size_t kCachedPrefixes = 16;
constexpr int64_t kFirstByte = 32;

const char *kExpected =
    "lm_step(tokens[N] i64, pos[1] i64, k_cache[S, D] f32, v_cache[S, D] "
    "f32) -> (logits[N, V] f32, k_cache[S, D] f32, v_cache[S, D] f32)";

/// The shapes of `side` ("inputs" or "outputs") of a signature, if every
/// tensor has the element types `dtypes`.
bool shapesOf(const Json &signature, const char *side,
              const std::vector<const char *> &dtypes,
              std::vector<std::vector<int64_t>> &shapes) {
  const Json *list = signature.get(side);
  if (!list || list->kind != Json::Kind::Array ||
      list->array.size() != dtypes.size())
    return false;
  for (size_t k = 0; k < dtypes.size(); ++k) {
    const Json *dtype = list->array[k].get("dtype");
    const Json *shape = list->array[k].get("shape");
    if (!dtype || dtype->string != dtypes[k] || !shape ||
        shape->kind != Json::Kind::Array)
      return false;
    std::vector<int64_t> dims;
    for (const Json &d : shape->array)
      dims.push_back(static_cast<int64_t>(d.number));
    shapes.push_back(std::move(dims));
  }
  return true;
}

uint64_t splitMix(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The next token: the most likely at temperature 0, else a sample of
/// softmax(logits / temperature).
int64_t pick(const std::vector<float> &logits, double temperature,
             uint64_t &seed) {
  auto best = std::max_element(logits.begin(), logits.end());
  if (temperature <= 0)
    return best - logits.begin();
  std::vector<double> weights;
  double sum = 0;
  for (float l : logits)
    sum += weights.emplace_back(std::exp((l - *best) / temperature));
  double draw = static_cast<double>(splitMix(seed) >> 11) * 0x1.0p-53 * sum;
  for (size_t k = 0; k < weights.size(); ++k)
    if ((draw -= weights[k]) < 0)
      return static_cast<int64_t>(k);
  return static_cast<int64_t>(weights.size() - 1);
}

} // namespace

std::unique_ptr<LibBackend>
LibBackend::open(EventLoop &loop, const std::string &path, std::string &error) {
  std::unique_ptr<ModelLibrary> library = ModelLibrary::open(path, error);
  if (!library)
    return nullptr;
  const char *text = library->api().signature(kEntry);
  Json signature;
  std::string parseError;
  std::vector<std::vector<int64_t>> in, out;
  if (!text || !parseJson(text, signature, parseError) ||
      !shapesOf(signature, "inputs", {"i64", "i64", "f32", "f32"}, in) ||
      !shapesOf(signature, "outputs", {"f32", "f32", "f32"}, out)) {
    error = path + " is no lib: language model: it needs " + kExpected;
    return nullptr;
  }
  std::vector<int64_t> cache = in[2];
  if (in[0] != std::vector<int64_t>{-1} || in[1] != std::vector<int64_t>{1} ||
      cache.size() != 2 || cache[0] < 1 || cache[1] < 1 || in[3] != cache ||
      out[0].size() != 2 || out[0][0] != -1 || out[0][1] < 1 ||
      out[0][1] > 256 - kFirstByte || out[1] != cache || out[2] != cache) {
    error = path + ": lm_step has the signature " + std::string(text) +
            "; a lib: language model needs " + kExpected +
            " with static S, D and V <= 224";
    return nullptr;
  }
  return std::unique_ptr<LibBackend>(
      new LibBackend(loop, std::move(library), cache[0], cache[1], out[0][1]));
}

LibBackend::LibBackend(EventLoop &loop, std::unique_ptr<ModelLibrary> library,
                       int64_t context, int64_t width, int64_t vocab)
    : loop(loop), library(std::move(library)), context(context), width(width),
      vocab(vocab) {
  worker = std::thread([this] {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [this] { return stopping || !jobs.empty(); });
        if (jobs.empty())
          return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job();
    }
  });
}

LibBackend::~LibBackend() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_one();
  worker.join();
}

void LibBackend::post(std::function<void()> job) {
  loop.hold();
  {
    std::lock_guard<std::mutex> lock(mutex);
    jobs.push_back(std::move(job));
  }
  wake.notify_one();
}

void LibBackend::submit(LlmRequest request,
                        std::function<void(LlmResult)> done) {
  post([this, request = std::move(request), done = std::move(done)] {
    LlmResult result = complete(request);
    loop.postAndRelease([done, result = std::move(result)] { done(result); });
  });
}

void LibBackend::submitBatch(std::vector<LlmRequest> requests,
                             std::function<void(std::vector<LlmResult>)> done) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    ++counters.batches;
  }
  post([this, requests = std::move(requests), done = std::move(done)] {
    std::vector<LlmResult> results;
    for (const LlmRequest &r : requests)
      results.push_back(complete(r));
    loop.postAndRelease(
        [done, results = std::move(results)] { done(results); });
  });
}

LibStats LibBackend::stats() const {
  std::lock_guard<std::mutex> lock(mutex);
  return counters;
}

bool LibBackend::step(const int64_t *tokens, int64_t n, int64_t pos,
                      Prefix &state, std::string &error) {
  const RuntimeApi &api = library->api();
  int64_t count = n, one = 1, cacheShape[2] = {context, width};
  // The model reads the caller's buffers; outputs are copied back.
  LoomTensor *in[4] = {
      api.tensor_create(const_cast<int64_t *>(tokens), &count, 1, LOOM_I64, 0),
      api.tensor_create(&pos, &one, 1, LOOM_I64, 0),
      api.tensor_create(state.k.data(), cacheShape, 2, LOOM_F32, 0),
      api.tensor_create(state.v.data(), cacheShape, 2, LOOM_F32, 0)};
  LoomTensorList *inputs = api.tensor_list_create(in, 4), *outputs = nullptr;
  LoomStatus status = api.run(kEntry, inputs, &outputs);
  api.tensor_list_destroy(inputs);
  if (status != LOOM_OK) {
    error = std::string("lm_step failed: ") + api.last_error();
    return false;
  }
  auto data = [&](int64_t k) {
    return static_cast<const float *>(
        api.tensor_data(api.tensor_list_get(outputs, k)));
  };
  const float *logits = data(0) + (n - 1) * vocab;
  state.logits.assign(logits, logits + vocab);
  std::memcpy(state.k.data(), data(1), state.k.size() * sizeof(float));
  std::memcpy(state.v.data(), data(2), state.v.size() * sizeof(float));
  api.tensor_list_destroy(outputs);
  return true;
}

LibBackend::Prefix LibBackend::resume(const std::vector<int64_t> &tokens) {
  auto best = prefixes.end();
  for (auto it = prefixes.begin(); it != prefixes.end(); ++it)
    if (it->tokens.size() <= tokens.size() &&
        (best == prefixes.end() || it->tokens.size() > best->tokens.size()) &&
        std::equal(it->tokens.begin(), it->tokens.end(), tokens.begin()))
      best = it;
  if (best != prefixes.end())
    return *best;
  Prefix fresh;
  fresh.k.assign(context * width, 0.0f);
  fresh.v.assign(context * width, 0.0f);
  return fresh;
}

void LibBackend::remember(const Prefix &state) {
  prefixes.remove_if([&](const Prefix &p) { return p.tokens == state.tokens; });
  prefixes.push_front(state);
  if (prefixes.size() > kCachedPrefixes)
    prefixes.pop_back();
}

LlmResult LibBackend::complete(const LlmRequest &request) {
  LlmResult result;
  auto fail = [&](std::string message) {
    result.ok = false;
    result.errorKind = "error";
    result.message = std::move(message);
    return result;
  };
  std::vector<int64_t> tokens;
  for (unsigned char c : request.prompt) {
    int64_t id = static_cast<int64_t>(c) - kFirstByte;
    tokens.push_back(id >= 0 && id < vocab ? id : 0);
  }
  if (tokens.empty())
    tokens.push_back(0);
  int64_t promptTokens = static_cast<int64_t>(tokens.size());
  if (request.maxTokens < 1 || promptTokens + request.maxTokens > context)
    return fail("a prompt of " + std::to_string(promptTokens) +
                " tokens plus " + std::to_string(request.maxTokens) +
                " output tokens exceeds the model's context of " +
                std::to_string(context));
  Prefix state = resume(tokens);
  int64_t reused = static_cast<int64_t>(state.tokens.size());
  std::string error;
  if (reused < promptTokens) {
    if (!step(tokens.data() + reused, promptTokens - reused, reused, state,
              error))
      return fail(error);
    state.tokens = tokens;
    remember(state);
  }
  uint64_t seed = request.samplingSeed;
  int64_t generated = 0;
  for (; generated < request.maxTokens; ++generated) {
    int64_t next = pick(state.logits, request.temperature, seed);
    result.text += static_cast<char>(kFirstByte + next);
    auto stop = std::find_if(
        request.stop.begin(), request.stop.end(), [&](const std::string &s) {
          return !s.empty() && result.text.size() >= s.size() &&
                 result.text.compare(result.text.size() - s.size(), s.size(),
                                     s) == 0;
        });
    if (stop != request.stop.end()) {
      result.text.resize(result.text.size() - stop->size());
      ++generated;
      break;
    }
    if (generated + 1 < request.maxTokens &&
        !step(&next, 1, promptTokens + generated, state, error))
      return fail(error);
  }
  std::lock_guard<std::mutex> lock(mutex);
  ++counters.requests;
  counters.promptTokens += promptTokens;
  counters.reusedPromptTokens += reused;
  counters.generatedTokens += generated;
  return result;
}

} // namespace mlir::loom::wfrt

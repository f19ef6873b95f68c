//===- HttpBackend.cpp - An OpenAI-compatible chat completions client -----===//

#include "loom/Runtime/Workflow/HttpBackend.h"

#include "loom/Runtime/Workflow/Json.h"

#include <curl/curl.h>

namespace mlir::loom::wfrt {

namespace {
size_t appendBody(char *data, size_t size, size_t count, void *out) {
  static_cast<std::string *>(out)->append(data, size * count);
  return size * count;
}
} // namespace

HttpBackend::HttpBackend(EventLoop &loop, HttpConfig config)
    : loop(loop), config(std::move(config)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpBackend::~HttpBackend() {
  std::lock_guard<std::mutex> lock(mutex);
  for (std::thread &t : threads)
    t.join();
}

std::string HttpBackend::requestBody(const LlmRequest &r) const {
  std::string body = "{\"model\": " +
                     quoteJson(config.model.empty() ? r.model : config.model) +
                     ", \"messages\": [{\"role\": \"user\", \"content\": " +
                     quoteJson(r.prompt) +
                     "}], \"max_tokens\": " + std::to_string(r.maxTokens);
  char temperature[32];
  std::snprintf(temperature, sizeof temperature, "%.17g", r.temperature);
  body += std::string(", \"temperature\": ") + temperature;
  // A seed makes the sample reproducible where the server supports it.
  if (r.temperature > 0)
    body += ", \"seed\": " + std::to_string(r.samplingSeed & 0x7fffffff);
  if (!r.stop.empty()) {
    body += ", \"stop\": [";
    for (size_t k = 0; k < r.stop.size(); ++k)
      body += (k ? ", " : "") + quoteJson(r.stop[k]);
    body += "]";
  }
  return body + "}";
}

LlmResult HttpBackend::parseResponse(long status, const std::string &body) {
  LlmResult result;
  auto failWith = [&](const char *kind, std::string message) {
    result.ok = false;
    result.errorKind = kind;
    result.message = std::move(message);
    return result;
  };
  std::string excerpt = body.substr(0, 200);
  // Overload and server errors may pass; other refusals will not.
  if (status == 429 || status >= 500)
    return failWith("transport",
                    "HTTP " + std::to_string(status) + ": " + excerpt);
  if (status != 200)
    return failWith("error", "HTTP " + std::to_string(status) + ": " + excerpt);
  Json json;
  std::string error;
  if (!parseJson(body, json, error))
    return failWith("error", "the response is not JSON (" + error + ")");
  const Json *choices = json.get("choices");
  const Json *content = nullptr;
  if (choices && choices->kind == Json::Kind::Array && !choices->array.empty())
    if (const Json *message = choices->array[0].get("message"))
      content = message->get("content");
  if (!content || content->kind != Json::Kind::String)
    return failWith("error", "the response has no choices[0].message.content");
  result.text = content->string;
  return result;
}

LlmResult HttpBackend::post(const LlmRequest &request) const {
  CURL *curl = curl_easy_init();
  if (!curl)
    return parseResponse(0, "cannot create a libcurl handle");
  std::string url = config.baseUrl + "/chat/completions";
  std::string body = requestBody(request), response;
  curl_slist *headers =
      curl_slist_append(nullptr, "Content-Type: application/json");
  if (!config.apiKey.empty())
    headers = curl_slist_append(
        headers, ("Authorization: Bearer " + config.apiKey).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(config.timeoutMs));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    LlmResult result;
    result.ok = false;
    result.errorKind =
        code == CURLE_OPERATION_TIMEDOUT ? "timeout" : "transport";
    result.message = url + ": " + curl_easy_strerror(code);
    return result;
  }
  return parseResponse(status, response);
}

void HttpBackend::submit(LlmRequest request,
                         std::function<void(LlmResult)> done) {
  loop.hold();
  std::lock_guard<std::mutex> lock(mutex);
  threads.emplace_back(
      [this, request = std::move(request), done = std::move(done)]() mutable {
        LlmResult result = post(request);
        loop.postAndRelease([done = std::move(done),
                             result = std::move(result)] { done(result); });
      });
}

} // namespace mlir::loom::wfrt

//===- WfHttpTest.cpp - The HTTP backend against a loopback server --------===//
//
// The test starts its own OpenAI-style server on 127.0.0.1 and runs a
// compiled graph against it in real time: requests carry the prompt and
// sampling fields, concurrency stays within the model's limit, server
// errors become errored values that wf.catch turns into data.
//
//===----------------------------------------------------------------------===//

#include "WfCompile.h"
#include "loom/Runtime/Workflow/Executor.h"
#include "loom/Runtime/Workflow/HttpBackend.h"
#include "loom/Runtime/Workflow/Json.h"

#include "gtest/gtest.h"

#include <arpa/inet.h>
#include <atomic>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace mlir::loom::wfrt;
using loom_test::compile;

namespace {

/// A minimal HTTP/1.1 server: one thread per connection, one request per
/// connection, the reply from `handler(body)`.
class LoopbackServer {
public:
  using Handler =
      std::function<std::pair<int, std::string>(const std::string &)>;

  explicit LoopbackServer(Handler handler) : handler(std::move(handler)) {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    listen(listener, 64);
    socklen_t len = sizeof addr;
    getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len);
    port = ntohs(addr.sin_port);
    acceptor = std::thread([this] { acceptLoop(); });
  }
  ~LoopbackServer() {
    stop = true;
    acceptor.join();
    for (std::thread &t : workers)
      t.join();
    close(listener);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port) + "/v1";
  }

  int port = 0;
  std::atomic<int> inFlight{0}, maxInFlight{0}, served{0};

private:
  void acceptLoop() {
    while (!stop) {
      pollfd p{listener, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0)
        continue;
      int fd = accept(listener, nullptr, nullptr);
      if (fd >= 0)
        workers.emplace_back([this, fd] { serve(fd); });
    }
  }
  void serve(int fd) {
    std::string data;
    char buf[4096];
    size_t headerEnd = std::string::npos, length = 0;
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0)
        break;
      data.append(buf, static_cast<size_t>(n));
      if (headerEnd == std::string::npos &&
          (headerEnd = data.find("\r\n\r\n")) != std::string::npos) {
        size_t at = data.find("Content-Length: ");
        length = at == std::string::npos ? 0 : std::stoul(data.substr(at + 16));
      }
      if (headerEnd != std::string::npos &&
          data.size() >= headerEnd + 4 + length)
        break;
    }
    int now = ++inFlight;
    for (int seen = maxInFlight;
         now > seen && !maxInFlight.compare_exchange_weak(seen, now);)
      ;
    auto [status, body] = handler(data.substr(headerEnd + 4, length));
    --inFlight;
    ++served;
    std::string reply = "HTTP/1.1 " + std::to_string(status) +
                        " X\r\nContent-Type: application/json\r\n"
                        "Content-Length: " +
                        std::to_string(body.size()) +
                        "\r\nConnection: close\r\n\r\n" + body;
    // The client may have given up (a timeout): no SIGPIPE for that.
    (void)!send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    close(fd);
  }

  Handler handler;
  int listener = -1;
  std::atomic<bool> stop{false};
  std::thread acceptor;
  std::vector<std::thread> workers;
};

const char *kGraph = R"mlir(
wf.model @m {max_concurrency = 3 : i64}
wf.graph @ask(%qs: !wf.list<!wf.text>) -> !wf.list<!wf.text> {
  %as = wf.map %qs : !wf.list<!wf.text> -> !wf.list<!wf.text> {
  ^bb0(%q: !wf.text):
    %a = wf.llm @m [#wf.seg<text "Q: ">, #wf.seg<operand 0>] (%q) {max_tokens = 16 : i64, temperature = 0.5 : f64, seed = 9 : i64} : (!wf.text) -> !wf.text
    %safe = wf.catch %a : !wf.text fallback {
    ^bb0(%err: !wf.text):
      wf.yield %err : !wf.text
    }
    wf.yield %safe : !wf.text
  }
  wf.return %as : !wf.list<!wf.text>
}
)mlir";

TEST(WfHttp, RunsAGraphAgainstAnOpenAiStyleServer) {
  Program p = compile(kGraph);
  std::atomic<int> badRequests{0};
  LoopbackServer server([&](const std::string &body) {
    Json request;
    std::string error;
    const Json *messages = nullptr;
    if (!parseJson(body, request, error) || !request.get("model") ||
        request.get("model")->string != "served-model" ||
        request.get("max_tokens")->number != 16 ||
        request.get("temperature")->number != 0.5 ||
        !(messages = request.get("messages")) || messages->array.size() != 1) {
      ++badRequests;
      return std::make_pair(400, std::string("{}"));
    }
    std::string prompt = messages->array[0].get("content")->string;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    if (prompt.find("FAIL") != std::string::npos)
      return std::make_pair(503, std::string("{\"error\": \"overloaded\"}"));
    return std::make_pair(
        200, "{\"choices\": [{\"message\": {\"role\": \"assistant\", "
             "\"content\": " +
                 quoteJson("A(" + prompt + ") \u00e9\n") + "}}]}");
  });
  EventLoop loop(EventLoop::Clock::Real);
  HttpBackend http(loop, {server.url(), "", "served-model", 10000});
  Bindings bindings;
  bindings.models = {&http};
  RunOptions options;
  options.networkRttMs = options.localRttMs = 0;
  std::vector<Value> qs;
  for (const char *q : {"one", "two", "FAIL", "four", "five", "six \"q\""})
    qs.push_back(Value::makeText(q));
  RunResult r =
      runGraph(p, "ask", {Value::makeList(qs)}, bindings, loop, options);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(badRequests, 0);
  EXPECT_EQ(server.served, 6);
  // At most the model's three in flight, and some really in parallel.
  EXPECT_LE(server.maxInFlight, 3);
  EXPECT_GE(server.maxInFlight, 2);
  ASSERT_EQ(r.outputs.size(), 1u);
  const auto &answers = r.outputs[0].list;
  ASSERT_EQ(answers.size(), 6u);
  EXPECT_EQ(answers[0].text, "A(Q: one) \u00e9\n");
  EXPECT_EQ(answers[5].text, "A(Q: six \"q\") \u00e9\n");
  EXPECT_EQ(answers[2].text.rfind("(TransportError) HTTP 503", 0), 0u)
      << answers[2].text;
}

TEST(WfHttp, UnreachableServerIsATransportError) {
  Program p = compile(kGraph);
  EventLoop loop(EventLoop::Clock::Real);
  // Port 1 on loopback: nothing listens, the connection is refused.
  HttpBackend http(loop, {"http://127.0.0.1:1/v1", "", "", 2000});
  Bindings bindings;
  bindings.models = {&http};
  RunOptions options;
  options.networkRttMs = options.localRttMs = 0;
  RunResult r = runGraph(p, "ask", {Value::makeList({Value::makeText("x")})},
                         bindings, loop, options);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.outputs[0].list[0].text.rfind("(TransportError) ", 0), 0u);
}

// wf.md §8.2 over a real connection: a request that outlives the
// binding's timeout is abandoned and tried again, a 503 likewise; a
// request that always stalls ends as a timeout after the last attempt.
TEST(WfHttp, TimeoutsAndOverloadAreRetried) {
  Program p = compile(kGraph);
  std::mutex mutex;
  std::map<std::string, int> attempts;
  LoopbackServer server([&](const std::string &body) {
    Json request;
    std::string error;
    parseJson(body, request, error);
    std::string prompt =
        request.get("messages")->array[0].get("content")->string;
    int attempt;
    {
      std::lock_guard<std::mutex> lock(mutex);
      attempt = ++attempts[prompt];
    }
    bool stall = prompt.find("stall") != std::string::npos ||
                 (prompt.find("slow") != std::string::npos && attempt == 1);
    if (stall)
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    if (prompt.find("busy") != std::string::npos && attempt == 1)
      return std::make_pair(503, std::string("{}"));
    return std::make_pair(200, "{\"choices\": [{\"message\": {\"content\": " +
                                   quoteJson("A(" + prompt + ")") + "}}]}");
  });
  EventLoop loop(EventLoop::Clock::Real);
  // Generous against a loaded machine: a normal answer takes milliseconds.
  HttpBackend http(loop, {server.url(), "", "", /*timeoutMs=*/500});
  Bindings bindings;
  bindings.models = {&http};
  bindings.modelRetries = {{3, 10}};
  RunOptions options;
  options.networkRttMs = options.localRttMs = 0;
  std::vector<Value> qs;
  for (const char *q : {"slow", "busy", "stall", "fine"})
    qs.push_back(Value::makeText(q));
  RunResult r =
      runGraph(p, "ask", {Value::makeList(qs)}, bindings, loop, options);
  ASSERT_EQ(r.error, "");
  const auto &answers = r.outputs[0].list;
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0].text, "A(Q: slow)");
  EXPECT_EQ(answers[1].text, "A(Q: busy)");
  EXPECT_EQ(answers[2].text.rfind("(TimeoutError) ", 0), 0u) << answers[2].text;
  EXPECT_EQ(answers[3].text, "A(Q: fine)");
  EXPECT_EQ(attempts["Q: slow"], 2);
  EXPECT_EQ(attempts["Q: busy"], 2);
  EXPECT_EQ(attempts["Q: stall"], 3);
  EXPECT_EQ(attempts["Q: fine"], 1);
  EXPECT_EQ(r.retries, 1 + 1 + 2);
}

TEST(WfHttp, ResponsesAreChecked) {
  EXPECT_TRUE(HttpBackend::parseResponse(
                  200, R"({"choices":[{"message":{"content":"hi"}}]})")
                  .ok);
  LlmResult notJson = HttpBackend::parseResponse(200, "<html>");
  EXPECT_FALSE(notJson.ok);
  EXPECT_EQ(notJson.errorKind, "error");
  EXPECT_FALSE(HttpBackend::parseResponse(200, R"({"choices":[]})").ok);
  EXPECT_EQ(HttpBackend::parseResponse(429, "slow down").errorKind,
            "transport");
  EXPECT_EQ(HttpBackend::parseResponse(404, "no").errorKind, "error");
}

TEST(WfJson, ParsesAndQuotes) {
  Json v;
  std::string error;
  ASSERT_TRUE(parseJson(
      R"( {"a": [1, -2.5e3, true, null], "s": "x\u00e9\ud83d\ude00\n\"\\"} )",
      v, error))
      << error;
  EXPECT_EQ(v.get("a")->array[1].number, -2500);
  EXPECT_EQ(v.get("s")->string, "x\u00e9\U0001F600\n\"\\");
  Json back;
  ASSERT_TRUE(parseJson(quoteJson(v.get("s")->string), back, error));
  EXPECT_EQ(back.string, v.get("s")->string);
  for (const char *bad : {"", "{", "[1,]", "{\"a\" 1}", "\"\\ud800\"", "tru",
                          "\"a\x01\"", "1 2", "{\"a\":1,}"})
    EXPECT_FALSE(parseJson(bad, v, error)) << bad;
}

} // namespace

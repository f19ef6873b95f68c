//===- EventLoop.h - The executor's event loop, virtual or real -*- C++ -*-===//
//
// Virtual time makes every simulated run bit-reproducible (wf.md §8.3):
// events at equal times run in the order they were scheduled, and the clock
// jumps from one to the next. Real time serves real backends: their threads
// post completions, and the loop waits for them while any is outstanding.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_EVENTLOOP_H
#define LOOM_RUNTIME_WORKFLOW_EVENTLOOP_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <vector>

namespace mlir::loom::wfrt {

class EventLoop {
public:
  enum class Clock { Virtual, Real };
  explicit EventLoop(Clock clock = Clock::Virtual)
      : clock(clock), start(std::chrono::steady_clock::now()) {}

  bool isVirtual() const { return clock == Clock::Virtual; }
  /// Milliseconds since the loop was made (virtual or real).
  double now() const {
    if (clock == Clock::Virtual)
      return virtualNow;
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now() - start)
        .count();
  }
  void at(double time, std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mutex);
    double t = now();
    events.push({time < t ? t : time, nextSeq++, std::move(fn)});
    wake.notify_one();
  }
  void after(double delayMs, std::function<void()> fn) {
    at(now() + delayMs, std::move(fn));
  }

  /// Real time: a backend holds the loop open while its request is out and
  /// posts the completion from its own thread (thread-safe).
  void hold() {
    std::lock_guard<std::mutex> lock(mutex);
    ++outstanding;
  }
  void postAndRelease(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mutex);
    events.push({now(), nextSeq++, std::move(fn)});
    --outstanding;
    wake.notify_one();
  }

  /// Runs events until none is left and nothing is outstanding.
  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      if (events.empty()) {
        if (outstanding == 0)
          return;
        wake.wait(lock);
        continue;
      }
      double due = events.top().time;
      if (clock == Clock::Real && due > now()) {
        wake.wait_for(lock,
                      std::chrono::duration<double, std::milli>(due - now()));
        continue;
      }
      Event e = events.top();
      events.pop();
      if (clock == Clock::Virtual)
        virtualNow = e.time;
      lock.unlock();
      e.fn();
      lock.lock();
    }
  }

private:
  struct Event {
    double time;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Event &o) const {
      return time != o.time ? time > o.time : seq > o.seq;
    }
  };
  Clock clock;
  std::chrono::steady_clock::time_point start;
  std::mutex mutex;
  std::condition_variable wake;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  double virtualNow = 0;
  uint64_t nextSeq = 0;
  int64_t outstanding = 0;
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_EVENTLOOP_H

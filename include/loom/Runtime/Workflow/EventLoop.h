//===- EventLoop.h - A discrete-event loop on a virtual clock ---*- C++ -*-===//
//
// Virtual time makes every simulated run bit-reproducible (wf.md §8.3):
// events at equal times run in the order they were scheduled.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_RUNTIME_WORKFLOW_EVENTLOOP_H
#define LOOM_RUNTIME_WORKFLOW_EVENTLOOP_H

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace mlir::loom::wfrt {

class EventLoop {
public:
  /// Milliseconds of virtual time.
  double now() const { return clock; }
  void at(double time, std::function<void()> fn) {
    events.push({time < clock ? clock : time, nextSeq++, std::move(fn)});
  }
  void after(double delayMs, std::function<void()> fn) {
    at(clock + delayMs, std::move(fn));
  }
  /// Runs events until none is left.
  void run() {
    while (!events.empty()) {
      Event e = events.top();
      events.pop();
      clock = e.time;
      e.fn();
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
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events;
  double clock = 0;
  uint64_t nextSeq = 0;
};

} // namespace mlir::loom::wfrt

#endif // LOOM_RUNTIME_WORKFLOW_EVENTLOOP_H

// Times one call (a container exec, an MCP request) for a MetricsSink. finish() reports
// it; a timer destroyed unfinished (the call threw) reports a failure.
#pragma once

#include <chrono>

#include "hivemind/metrics_sink.hpp"

namespace hivemind::detail {

class CallTimer {
 public:
  using Hook = void (MetricsSink::*)(std::chrono::nanoseconds, bool);

  CallTimer(MetricsSink* sink, Hook hook)
      : sink_(sink), hook_(hook), began_(std::chrono::steady_clock::now()) {}
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;
  ~CallTimer() { finish(true); }

  void finish(bool failed) {
    if (sink_ == nullptr) return;
    (sink_->*hook_)(std::chrono::steady_clock::now() - began_, failed);
    sink_ = nullptr;
  }

 private:
  MetricsSink* sink_;
  Hook hook_;
  std::chrono::steady_clock::time_point began_;
};

}  // namespace hivemind::detail

// Times one call (a container exec, an MCP request) for a MetricsSink. finish() reports
// it; a timer destroyed unfinished (the call threw: timeout, cancellation, ...) reports a
// failure. It shares ownership of the sink, so a coroutine frame destroyed late still
// reports into a live one.
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "hivemind/metrics/metrics_sink.hpp"

namespace hivemind::detail {

class CallTimer {
 public:
  using Hook = void (MetricsSink::*)(std::chrono::nanoseconds, bool);

  CallTimer(std::shared_ptr<MetricsSink> sink, Hook hook)
      : sink_(std::move(sink)), hook_(hook), began_(std::chrono::steady_clock::now()) {}
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;
  ~CallTimer() { finish(true); }

  void finish(bool failed) {
    if (!sink_) return;
    ((*sink_).*hook_)(std::chrono::steady_clock::now() - began_, failed);
    sink_.reset();
  }

 private:
  std::shared_ptr<MetricsSink> sink_;
  Hook hook_;
  std::chrono::steady_clock::time_point began_;
};

}  // namespace hivemind::detail

// LifecycleMetrics: the counters, gauges and histograms of the SDK's work, fed through
// the MetricsSink hooks (pass one instance as ClientOptions::metrics and
// McpOptions::metrics), with a failure-rate alert, a snapshot and Prometheus export.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hivemind/metrics/metrics_sink.hpp"

namespace hivemind {

struct HistogramSnapshot {
  std::vector<double> upper_bounds;   // seconds, ascending; an implicit +Inf bucket follows
  std::vector<std::uint64_t> counts;  // per bucket (not cumulative); upper_bounds.size()+1
  double sum = 0;                     // seconds
  std::uint64_t count = 0;
};

struct MetricsSnapshot {
  std::uint64_t sessions_created = 0;
  double sessions_created_per_minute = 0;  // created within the last minute
  std::uint64_t sessions_active = 0;       // created or resumed, not ended
  std::uint64_t sessions_completed = 0;
  std::uint64_t sessions_failed = 0;
  std::uint64_t sessions_dead = 0;
  std::uint64_t sessions_lost = 0;
  // Share of sessions that ended failed/dead/lost among those that ended within the
  // alert window; 0 when none ended.
  double failure_rate = 0;
  std::uint64_t failure_window_ended = 0;  // sessions that ended within the window
  HistogramSnapshot session_duration;

  std::uint64_t docker_exec_calls = 0;
  std::uint64_t docker_exec_failures = 0;
  HistogramSnapshot docker_exec_latency;

  std::uint64_t mcp_requests = 0;
  std::uint64_t mcp_errors = 0;
  std::uint64_t mcp_reconnects = 0;
  HistogramSnapshot mcp_latency;
};

struct FailureAlert {
  double failure_rate = 0;   // at the moment the threshold was crossed
  std::uint64_t failed = 0;  // failed, dead or lost within the window
  std::uint64_t ended = 0;   // all sessions that ended within the window
  std::chrono::seconds window{0};
};

struct LifecycleMetricsOptions {
  // The failure rate is computed over sessions that ended within this sliding window.
  std::chrono::seconds failure_window{300};
  // The alert fires when the rate reaches this share (0..1) ...
  double failure_threshold = 0.5;
  // ... with at least this many sessions ended in the window (one failure out of one is
  // rarely worth waking someone for).
  std::uint64_t failure_min_sessions = 5;
  // Called (from the thread that reported the ending) when the rate crosses the
  // threshold upwards; it fires again only after the rate went back below it.
  std::function<void(const FailureAlert&)> on_failure_alert;
  // The time source of the windows; tests replace it. Defaults to steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

class LifecycleMetrics final : public MetricsSink {
 public:
  explicit LifecycleMetrics(LifecycleMetricsOptions options = {});
  ~LifecycleMetrics() override;

  MetricsSnapshot snapshot() const;

  void on_docker_exec(std::chrono::nanoseconds latency, bool failed) override;
  void on_mcp_request(std::chrono::nanoseconds latency, bool failed) override;
  void on_mcp_reconnect() override;
  void on_session_created(std::string_view session_id) override;
  void on_session_resumed(std::string_view session_id) override;
  void on_session_ended(std::string_view session_id, SessionEnd end,
                        std::optional<std::chrono::milliseconds> duration) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The snapshot in the Prometheus text exposition format (version 0.0.4), metric names
// prefixed `hivemind_`.
std::string to_prometheus(const MetricsSnapshot& snapshot);

}  // namespace hivemind

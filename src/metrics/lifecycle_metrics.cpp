#include "hivemind/metrics/lifecycle_metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <mutex>
#include <sstream>
#include <unordered_map>

namespace hivemind {
namespace {

using Clock = std::chrono::steady_clock;

// Bucket bounds in seconds: calls to a CLI or a relay take milliseconds to seconds,
// sessions minutes to hours.
const std::vector<double> kLatencyBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                         0.5,   1,    2.5,   5,    10,  30};
const std::vector<double> kDurationBounds{1, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds) {
    snapshot_.upper_bounds = bounds;
    snapshot_.counts.assign(bounds.size() + 1, 0);
  }
  void observe(double seconds) {
    const auto& bounds = snapshot_.upper_bounds;
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    ++snapshot_.counts[static_cast<std::size_t>(bucket)];
    snapshot_.sum += seconds;
    ++snapshot_.count;
  }
  const HistogramSnapshot& snapshot() const { return snapshot_; }

 private:
  HistogramSnapshot snapshot_;
};

double seconds_of(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

bool is_failure(SessionEnd end) {
  return end != SessionEnd::completed;
}

}  // namespace

std::string_view to_string(SessionEnd end) noexcept {
  switch (end) {
    case SessionEnd::completed:
      return "completed";
    case SessionEnd::failed:
      return "failed";
    case SessionEnd::dead:
      return "dead";
    case SessionEnd::lost:
      return "lost";
  }
  return "unknown";
}

struct LifecycleMetrics::State {
  explicit State(LifecycleMetricsOptions opts) : options(std::move(opts)) {
    if (!options.clock) options.clock = [] { return Clock::now(); };
  }

  LifecycleMetricsOptions options;
  mutable std::mutex mutex;
  MetricsSnapshot counters;  // histograms and rates are filled in by snapshot()
  Histogram session_duration{kDurationBounds};
  Histogram exec_latency{kLatencyBounds};
  Histogram mcp_latency{kLatencyBounds};
  std::deque<Clock::time_point> creations;  // within the last minute
  struct Ending {
    Clock::time_point at;
    bool failed;
  };
  std::deque<Ending> endings;  // within the failure window
  // Per session whether it ended: counts each session once, whoever reports it.
  std::unordered_map<std::string, bool> sessions;
  bool alerting = false;

  void prune(Clock::time_point now) {
    while (!creations.empty() && now - creations.front() > std::chrono::minutes(1)) {
      creations.pop_front();
    }
    while (!endings.empty() && now - endings.front().at > options.failure_window) {
      endings.pop_front();
    }
  }

  std::uint64_t failures_in_window() const {
    return static_cast<std::uint64_t>(
        std::count_if(endings.begin(), endings.end(), [](const Ending& e) { return e.failed; }));
  }

  double failure_rate() const {
    return endings.empty()
               ? 0.0
               : static_cast<double>(failures_in_window()) / static_cast<double>(endings.size());
  }
};

LifecycleMetrics::LifecycleMetrics(LifecycleMetricsOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

LifecycleMetrics::~LifecycleMetrics() = default;

MetricsSnapshot LifecycleMetrics::snapshot() const {
  std::lock_guard lock(state_->mutex);
  auto& state = *state_;
  state.prune(state.options.clock());
  MetricsSnapshot out = state.counters;
  out.sessions_created_per_minute = static_cast<double>(state.creations.size());
  out.failure_rate = state.failure_rate();
  out.failure_window_ended = state.endings.size();
  out.session_duration = state.session_duration.snapshot();
  out.docker_exec_latency = state.exec_latency.snapshot();
  out.mcp_latency = state.mcp_latency.snapshot();
  return out;
}

void LifecycleMetrics::on_docker_exec(std::chrono::nanoseconds latency, bool failed) {
  std::lock_guard lock(state_->mutex);
  ++state_->counters.docker_exec_calls;
  if (failed) ++state_->counters.docker_exec_failures;
  state_->exec_latency.observe(seconds_of(latency));
}

void LifecycleMetrics::on_mcp_request(std::chrono::nanoseconds latency, bool failed) {
  std::lock_guard lock(state_->mutex);
  ++state_->counters.mcp_requests;
  if (failed) ++state_->counters.mcp_errors;
  state_->mcp_latency.observe(seconds_of(latency));
}

void LifecycleMetrics::on_mcp_reconnect() {
  std::lock_guard lock(state_->mutex);
  ++state_->counters.mcp_reconnects;
}

void LifecycleMetrics::on_session_created(std::string_view session_id) {
  std::lock_guard lock(state_->mutex);
  auto& state = *state_;
  if (!state.sessions.emplace(std::string(session_id), false).second) return;
  ++state.counters.sessions_created;
  ++state.counters.sessions_active;
  state.creations.push_back(state.options.clock());
}

void LifecycleMetrics::on_session_resumed(std::string_view session_id) {
  std::lock_guard lock(state_->mutex);
  if (state_->sessions.emplace(std::string(session_id), false).second) {
    ++state_->counters.sessions_active;
  }
}

void LifecycleMetrics::on_session_ended(std::string_view session_id, SessionEnd end,
                                        std::optional<std::chrono::milliseconds> duration) {
  std::optional<FailureAlert> alert;
  std::function<void(const FailureAlert&)> callback;
  {
    std::lock_guard lock(state_->mutex);
    auto& state = *state_;
    auto [it, unseen] = state.sessions.emplace(std::string(session_id), true);
    if (!unseen) {
      if (it->second) return;  // already counted
      it->second = true;
      --state.counters.sessions_active;
    }
    switch (end) {
      case SessionEnd::completed:
        ++state.counters.sessions_completed;
        break;
      case SessionEnd::failed:
        ++state.counters.sessions_failed;
        break;
      case SessionEnd::dead:
        ++state.counters.sessions_dead;
        break;
      case SessionEnd::lost:
        ++state.counters.sessions_lost;
        break;
    }
    if (duration) state.session_duration.observe(std::chrono::duration<double>(*duration).count());

    const auto now = state.options.clock();
    state.endings.push_back({now, is_failure(end)});
    state.prune(now);
    const double rate = state.failure_rate();
    const bool over = state.endings.size() >= state.options.failure_min_sessions &&
                      rate >= state.options.failure_threshold;
    if (over && !state.alerting && state.options.on_failure_alert) {
      alert = FailureAlert{rate, state.failures_in_window(), state.endings.size(),
                           state.options.failure_window};
      callback = state.options.on_failure_alert;
    }
    state.alerting = over;
  }
  if (alert) callback(*alert);  // outside the lock: it may take a snapshot
}

namespace {

// The shortest text that reads back as the same double ("0.005", not "0.0050000000000000001").
std::string number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

void write_metric(std::ostringstream& out, std::string_view name, std::string_view type,
                  std::string_view help, double value) {
  out << "# HELP hivemind_" << name << ' ' << help << "\n# TYPE hivemind_" << name << ' ' << type
      << "\nhivemind_" << name << ' ' << number(value) << '\n';
}

void write_histogram(std::ostringstream& out, std::string_view name, std::string_view help,
                     const HistogramSnapshot& histogram) {
  out << "# HELP hivemind_" << name << ' ' << help << "\n# TYPE hivemind_" << name
      << " histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < histogram.counts.size(); ++i) {
    cumulative += histogram.counts[i];
    out << "hivemind_" << name << "_bucket{le=\"";
    if (i < histogram.upper_bounds.size()) {
      out << number(histogram.upper_bounds[i]);
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << '\n';
  }
  out << "hivemind_" << name << "_sum " << number(histogram.sum) << "\nhivemind_" << name
      << "_count " << histogram.count << '\n';
}

}  // namespace

std::string to_prometheus(const MetricsSnapshot& s) {
  std::ostringstream out;
  const auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    write_metric(out, name, "counter", help, static_cast<double>(value));
  };
  const auto gauge = [&](std::string_view name, std::string_view help, double value) {
    write_metric(out, name, "gauge", help, value);
  };
  counter("sessions_created_total", "Sessions created by this application.", s.sessions_created);
  gauge("sessions_created_per_minute", "Sessions created within the last minute.",
        s.sessions_created_per_minute);
  gauge("sessions_active", "Sessions created or resumed that have not ended.",
        static_cast<double>(s.sessions_active));
  counter("sessions_completed_total", "Sessions that completed.", s.sessions_completed);
  counter("sessions_failed_total", "Sessions whose status became failed.", s.sessions_failed);
  counter("sessions_dead_total", "Sessions found running without a process.", s.sessions_dead);
  counter("sessions_lost_total", "Sessions the container no longer knows.", s.sessions_lost);
  gauge("session_failure_rate", "Failed, dead or lost share of sessions ended in the window.",
        s.failure_rate);
  write_histogram(out, "session_duration_seconds", "Session duration from creation to end.",
                  s.session_duration);
  counter("docker_exec_total", "Container CLI invocations.", s.docker_exec_calls);
  counter("docker_exec_failures_total",
          "Container CLI invocations that could not run, found the container unavailable or "
          "timed out.",
          s.docker_exec_failures);
  write_histogram(out, "docker_exec_duration_seconds", "Container CLI invocation latency.",
                  s.docker_exec_latency);
  counter("mcp_requests_total", "MCP JSON-RPC requests.", s.mcp_requests);
  counter("mcp_errors_total", "MCP JSON-RPC requests that failed.", s.mcp_errors);
  counter("mcp_reconnects_total", "MCP connections that replaced an earlier one.",
          s.mcp_reconnects);
  write_histogram(out, "mcp_request_duration_seconds", "MCP JSON-RPC request latency.",
                  s.mcp_latency);
  return out.str();
}

}  // namespace hivemind

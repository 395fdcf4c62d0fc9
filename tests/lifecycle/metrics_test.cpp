// LifecycleMetrics (counters, windows, the failure-rate alert), the Prometheus text, the
// /metrics endpoint scraped by curl, and the dashboard renderer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include "hivemind/common/error.hpp"
#include "hivemind/metrics/dashboard.hpp"
#include "hivemind/metrics/lifecycle_metrics.hpp"
#include "hivemind/metrics/metrics_server.hpp"

using namespace hivemind;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

namespace {

// A clock the test moves by hand.
struct ManualClock {
  std::shared_ptr<Clock::time_point> now = std::make_shared<Clock::time_point>(Clock::now());
  void advance(Clock::duration by) const { *now += by; }
  std::function<Clock::time_point()> source() const {
    return [now = now] { return *now; };
  }
};

// stdout of a command run by the shell (curl here), and its exit status.
std::pair<std::string, int> run_command(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {out, -1};
  char buffer[4096];
  while (const auto got = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, got);
  return {out, ::pclose(pipe)};
}

}  // namespace

TEST(LifecycleMetrics, CountsSessionsOnceWhoeverReportsThem) {
  LifecycleMetrics metrics;
  metrics.on_session_created("a");
  metrics.on_session_created("a");  // the same session reported twice
  metrics.on_session_created("b");
  metrics.on_session_created("c");
  metrics.on_session_resumed("d");  // from before a restart: active, not created
  metrics.on_session_ended("a", SessionEnd::completed, 90s);
  metrics.on_session_ended("a", SessionEnd::completed, 90s);
  metrics.on_session_ended("b", SessionEnd::dead, std::nullopt);
  metrics.on_session_ended("d", SessionEnd::lost, 2h);

  const auto s = metrics.snapshot();
  EXPECT_EQ(s.sessions_created, 3u);
  EXPECT_EQ(s.sessions_active, 1u);  // c
  EXPECT_EQ(s.sessions_completed, 1u);
  EXPECT_EQ(s.sessions_dead, 1u);
  EXPECT_EQ(s.sessions_lost, 1u);
  EXPECT_EQ(s.sessions_failed, 0u);
  EXPECT_EQ(s.session_duration.count, 2u);
  EXPECT_DOUBLE_EQ(s.session_duration.sum, 90.0 + 7200.0);
  EXPECT_NEAR(s.failure_rate, 2.0 / 3.0, 1e-9);
}

TEST(LifecycleMetrics, CreationRateCoversTheLastMinute) {
  ManualClock clock;
  LifecycleMetricsOptions options;
  options.clock = clock.source();
  LifecycleMetrics metrics(options);
  metrics.on_session_created("a");
  clock.advance(30s);
  metrics.on_session_created("b");
  metrics.on_session_created("c");
  EXPECT_EQ(metrics.snapshot().sessions_created_per_minute, 3.0);
  clock.advance(31s);  // "a" is now older than a minute
  EXPECT_EQ(metrics.snapshot().sessions_created_per_minute, 2.0);
  clock.advance(60s);
  EXPECT_EQ(metrics.snapshot().sessions_created_per_minute, 0.0);
  EXPECT_EQ(metrics.snapshot().sessions_created, 3u);
}

TEST(LifecycleMetrics, CallsAreCountedWithTheirLatencyDistribution) {
  LifecycleMetrics metrics;
  metrics.on_docker_exec(3ms, false);
  metrics.on_docker_exec(40ms, false);
  metrics.on_docker_exec(45s, true);
  metrics.on_mcp_request(7ms, false);
  metrics.on_mcp_request(200ms, true);
  metrics.on_mcp_reconnect();
  const auto s = metrics.snapshot();
  EXPECT_EQ(s.docker_exec_calls, 3u);
  EXPECT_EQ(s.docker_exec_failures, 1u);
  EXPECT_EQ(s.docker_exec_latency.count, 3u);
  ASSERT_EQ(s.docker_exec_latency.counts.size(), s.docker_exec_latency.upper_bounds.size() + 1);
  EXPECT_EQ(s.docker_exec_latency.counts.front(), 1u);  // 3 ms <= 5 ms
  EXPECT_EQ(s.docker_exec_latency.counts.back(), 1u);   // 45 s beyond the last bound
  EXPECT_EQ(s.mcp_requests, 2u);
  EXPECT_EQ(s.mcp_errors, 1u);
  EXPECT_EQ(s.mcp_reconnects, 1u);
  EXPECT_NEAR(s.mcp_latency.sum, 0.207, 1e-9);
}

TEST(FailureAlert, FiresOnceWhenTheRateReachesTheThresholdAndRearmsBelowIt) {
  ManualClock clock;
  std::vector<FailureAlert> alerts;
  LifecycleMetricsOptions options;
  options.failure_window = 60s;
  options.failure_threshold = 0.5;
  options.failure_min_sessions = 4;
  options.on_failure_alert = [&](const FailureAlert& alert) { alerts.push_back(alert); };
  options.clock = clock.source();
  LifecycleMetrics metrics(options);
  int next = 0;
  const auto end = [&](SessionEnd how) {
    const auto id = "s" + std::to_string(next++);
    metrics.on_session_created(id);
    metrics.on_session_ended(id, how, std::nullopt);
  };
  end(SessionEnd::failed);
  end(SessionEnd::dead);
  end(SessionEnd::completed);  // 2 of 3: over the rate, under the minimum count
  EXPECT_TRUE(alerts.empty());
  end(SessionEnd::completed);  // 2 of 4 = 0.5: at the threshold
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_DOUBLE_EQ(alerts[0].failure_rate, 0.5);
  EXPECT_EQ(alerts[0].failed, 2u);
  EXPECT_EQ(alerts[0].ended, 4u);
  EXPECT_EQ(alerts[0].window, 60s);
  end(SessionEnd::lost);  // 3 of 5: still over, no second alert
  EXPECT_EQ(alerts.size(), 1u);
  end(SessionEnd::completed);
  end(SessionEnd::completed);  // 3 of 7: below, re-armed
  EXPECT_EQ(alerts.size(), 1u);
  end(SessionEnd::failed);  // 4 of 8: at the threshold again
  EXPECT_EQ(alerts.size(), 2u);

  // The window slides: after it passed, old failures no longer count.
  clock.advance(61s);
  end(SessionEnd::completed);
  const auto s = metrics.snapshot();
  EXPECT_EQ(s.failure_window_ended, 1u);
  EXPECT_EQ(s.failure_rate, 0.0);
  EXPECT_EQ(alerts.size(), 2u);
}

TEST(Prometheus, ExpositionHasTypesCountersAndCumulativeBuckets) {
  LifecycleMetrics metrics;
  metrics.on_session_created("a");
  metrics.on_session_created("b");
  metrics.on_session_ended("a", SessionEnd::failed, 5s);
  metrics.on_docker_exec(3ms, false);
  metrics.on_docker_exec(20ms, true);
  const auto text = to_prometheus(metrics.snapshot());
  EXPECT_THAT(text, HasSubstr("# TYPE hivemind_sessions_created_total counter\n"
                              "hivemind_sessions_created_total 2\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE hivemind_sessions_active gauge\nhivemind_sessions_active 1\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_sessions_failed_total 1\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_session_failure_rate 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE hivemind_docker_exec_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_docker_exec_duration_seconds_bucket{le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_docker_exec_duration_seconds_bucket{le=\"0.025\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_docker_exec_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_docker_exec_duration_seconds_count 2\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_docker_exec_failures_total 1\n"));
  EXPECT_THAT(text, HasSubstr("hivemind_session_duration_seconds_sum 5\n"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(MetricsServer, ServesTheExpositionToCurl) {
  auto metrics = std::make_shared<LifecycleMetrics>();
  MetricsServer server([metrics] { return to_prometheus(metrics->snapshot()); });
  ASSERT_NE(server.port(), 0);
  const auto url = "http://127.0.0.1:" + std::to_string(server.port());

  metrics->on_session_created("a");
  metrics->on_mcp_reconnect();
  auto [body, status] = run_command("curl -sS --max-time 20 " + url + "/metrics");
  ASSERT_EQ(status, 0) << body;
  EXPECT_THAT(body, HasSubstr("hivemind_sessions_created_total 1\n"));
  EXPECT_THAT(body, HasSubstr("hivemind_mcp_reconnects_total 1\n"));

  // Each scrape renders afresh.
  metrics->on_session_created("b");
  std::tie(body, status) = run_command("curl -sS --max-time 20 " + url + "/metrics");
  EXPECT_THAT(body, HasSubstr("hivemind_sessions_created_total 2\n"));

  const auto [headers, head_status] =
      run_command("curl -sS --max-time 20 -o /dev/null -D - " + url + "/metrics");
  EXPECT_EQ(head_status, 0);
  EXPECT_THAT(headers, HasSubstr("200 OK"));
  EXPECT_THAT(headers, HasSubstr("text/plain; version=0.0.4"));

  const auto [code, code_status] =
      run_command("curl -sS --max-time 20 -o /dev/null -w '%{http_code}' " + url + "/elsewhere");
  EXPECT_EQ(code_status, 0);
  EXPECT_EQ(code, "404");
  const auto [post, post_status] = run_command(
      "curl -sS --max-time 20 -o /dev/null -w '%{http_code}' -X POST " + url + "/metrics");
  EXPECT_EQ(post, "405");
}

TEST(MetricsServer, AddressInUseIsAClearError) {
  MetricsServer first([] { return std::string(); });
  try {
    MetricsServerOptions options;
    options.port = first.port();
    MetricsServer second([] { return std::string(); }, options);
    // SO_REUSEADDR does not allow two listeners; reaching here is a failure.
    ADD_FAILURE() << "second server bound the same port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::connection_failed);
    EXPECT_THAT(e.what(), HasSubstr(std::to_string(first.port())));
  }
}

TEST(Dashboard, ShowsRatesAndTheSessionTableUnfinishedFirst) {
  LifecycleMetrics metrics;
  metrics.on_session_created("a");
  metrics.on_session_created("b");
  metrics.on_session_ended("a", SessionEnd::failed, 30s);
  metrics.on_docker_exec(20ms, false);
  const auto now = std::chrono::system_clock::now();
  JournalEntry done;
  done.session_id = "11111111-1111-4111-8111-111111111111";
  done.task = "finished task";
  done.status = "failed";
  done.created = now - 2h - 5min;
  JournalEntry running;
  running.session_id = "22222222-2222-4222-8222-222222222222";
  running.task = "line one\nline two \x1b[31m" + std::string(200, 'y');
  running.priority = Priority::high;
  running.status = "running";
  running.created = now - 95s;

  const auto text =
      render_dashboard(metrics.snapshot(), {done, running}, DashboardOptions{100, 20, true, now});
  EXPECT_EQ(text.rfind("\x1b[H\x1b[2J", 0), 0u);
  EXPECT_THAT(text, HasSubstr("active 1  created 2 (2.0/min)  failure rate 100.0% of 1"));
  EXPECT_THAT(text, HasSubstr("completed 0  failed 1  dead 0  lost 0  median duration <=30s"));
  EXPECT_THAT(text, HasSubstr("exec      calls 1  failures 0  median <=25ms"));
  const auto header = text.find("UUID");
  const auto first_row = text.find("22222222", header);
  const auto second_row = text.find("11111111", header);
  ASSERT_NE(first_row, std::string::npos);
  ASSERT_NE(second_row, std::string::npos);
  EXPECT_LT(first_row, second_row);  // running before finished
  const auto row = text.substr(first_row, text.find('\n', first_row) - first_row);
  EXPECT_THAT(row, HasSubstr("line one line two  [31my"));  // control characters blanked
  EXPECT_THAT(row, HasSubstr("~ running    1m35s   high"));
  EXPECT_LE(row.size(), 100u);
  EXPECT_THAT(text, HasSubstr("failed     2h05m   medium"));
  EXPECT_THAT(text.substr(header), Not(HasSubstr("\x1b")));

  const auto limited =
      render_dashboard(metrics.snapshot(), {done, running}, DashboardOptions{100, 1, false, now});
  EXPECT_NE(limited.rfind("hivemind sessions", 0), std::string::npos);
  EXPECT_THAT(limited, Not(HasSubstr("11111111")));
  EXPECT_THAT(limited, HasSubstr("... 1 more\n"));
}

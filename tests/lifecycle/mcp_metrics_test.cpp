// McpOptions::metrics: requests, errors, latency and reconnects of McpTelemetryClient
// against the in-process mock relay.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "hivemind/common/error.hpp"
#include "hivemind/mcp/mcp_client.hpp"
#include "hivemind/metrics/lifecycle_metrics.hpp"
#include "mock_relay.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using namespace std::chrono_literals;
using hivemind::testing::eventually;
using hivemind::testing::MockRelay;

TEST(McpMetrics, RequestsErrorsAndReconnectsReachTheSink) {
  MockRelay relay;
  auto metrics = std::make_shared<LifecycleMetrics>();
  McpOptions options;
  options.host = "127.0.0.1";
  options.port = relay.port();
  options.reconnect.initial_delay = 10ms;
  options.reconnect.max_delay = 50ms;
  options.metrics = metrics;
  McpTelemetryClient client(options);

  client.call("tools/list", nlohmann::json::object());
  EXPECT_THROW(client.call("ping"), Error);  // -32601 from the backend
  auto snapshot = metrics->snapshot();
  EXPECT_EQ(snapshot.mcp_requests, 2u);
  EXPECT_EQ(snapshot.mcp_errors, 1u);
  EXPECT_EQ(snapshot.mcp_latency.count, 2u);
  EXPECT_EQ(snapshot.mcp_reconnects, 0u);

  relay.close_all_connections();
  // The next successful call needed a new connection; a call racing the close may fail.
  ASSERT_TRUE(eventually([&] {
    try {
      client.call("tools/list", nlohmann::json::object());
      return metrics->snapshot().mcp_reconnects == 1;
    } catch (const Error&) {
      return false;
    }
  }));
  snapshot = metrics->snapshot();
  EXPECT_EQ(snapshot.mcp_reconnects, 1u);
  EXPECT_GE(snapshot.mcp_requests, 3u);
  EXPECT_EQ(snapshot.docker_exec_calls, 0u);
}

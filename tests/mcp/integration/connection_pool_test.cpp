#include "hivemind/mcp/connection_pool.hpp"

#include <gmock/gmock.h>
#include <boost/asio/use_future.hpp>

#include "client_fixture.hpp"

namespace hivemind::testing {
namespace {

namespace asio = boost::asio;

TEST(McpConnectionPool, SpreadsConcurrentCallsOverItsConnections) {
  MockRelay relay;
  relay.set_response_delay(5ms);
  McpConnectionPool pool(options_for(relay), 3);
  std::vector<std::future<TaskInfo>> answers;
  for (int i = 0; i < 30; ++i) {
    answers.push_back(
        pool.acquire().async_task_orchestrate({std::to_string(i), "", "", {}}, asio::use_future));
  }
  for (int i = 0; i < 30; ++i) EXPECT_EQ(get_within_patience(answers[i]).task, std::to_string(i));
  EXPECT_EQ(relay.connections_accepted(), 3u);
}

TEST(McpConnectionPool, AllConnectionsShareOneRateLimit) {
  MockRelayOptions relay_options;
  relay_options.rate_limit = true;
  relay_options.rate_limit_events = 10;
  relay_options.rate_limit_window = 500ms;
  MockRelay relay(relay_options);
  auto options = options_for(relay);
  options.rate_limit = RateLimitOptions{true, 7, 500ms, 2};
  McpConnectionPool pool(options, 3);
  EXPECT_EQ(pool.at(0).pending_requests(), 0u);
  std::vector<std::future<nlohmann::json>> answers;
  for (int i = 0; i < 15; ++i) {
    answers.push_back(pool.acquire().async_call_tool("agent_list", nlohmann::json::object(), {},
                                                     asio::use_future));
  }
  for (auto& answer : answers) EXPECT_EQ(get_within_patience(answer)["success"], true);
  EXPECT_EQ(relay.rate_limit_rejections(), 0u);
}

TEST(McpConnectionPool, CloseFailsEveryConnectionsCalls) {
  MockRelay relay;
  McpConnectionPool pool(options_for(relay), 2);
  pool.close();
  EXPECT_EQ(error_kind_of([&] { pool.at(0).swarm_init(); }), errc::cancelled);
  EXPECT_EQ(error_kind_of([&] { pool.at(1).swarm_init(); }), errc::cancelled);
}

}  // namespace
}  // namespace hivemind::testing

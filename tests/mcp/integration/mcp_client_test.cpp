// McpTelemetryClient against the mock relay: lifecycle, tools, auth, routing.
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <spdlog/sinks/ostream_sink.h>
#include <boost/asio/use_future.hpp>

#include "client_fixture.hpp"
#include "hivemind/common/logging.hpp"
#include "support/capture_error.hpp"
#include "support/leak_check.hpp"

namespace hivemind::testing {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

TEST(McpClient, InitializesWithoutCapabilitiesAndNeverSendsNotifications) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  const auto info = client.server_info();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->name, "mock-relay");
  EXPECT_EQ(info->protocol_version, "2024-11-05");
  EXPECT_TRUE(info->capabilities.is_null());
  client.list_tools();
  for (const auto& message : relay.received()) {
    // Every message is a request with a non-empty string id: no notifications.
    ASSERT_TRUE(message.contains("id")) << message.dump();
    ASSERT_TRUE(message["id"].is_string()) << message.dump();
    EXPECT_FALSE(message["id"].get<std::string>().empty());
  }
  EXPECT_EQ(relay.received().front()["method"], "initialize");
}

TEST(McpClient, SkipsInitializeWhenAskedTo) {
  MockRelay relay;
  auto options = options_for(relay);
  options.send_initialize = false;
  McpTelemetryClient client(options);
  client.list_tools();
  EXPECT_EQ(count_received(relay, "initialize"), 0u);
  EXPECT_FALSE(client.server_info());
}

TEST(McpClient, ToolCallsAlwaysCarryAnArgumentsObject) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.swarm_init();
  const json payload = client.call_tool("agent_list", nullptr);
  EXPECT_EQ(payload["success"], true);
  for (const auto& message : relay.received()) {
    if (message["method"] == "tools/call") {
      EXPECT_TRUE(message["params"]["arguments"].is_object());
    }
  }
}

TEST(McpClient, TypedHelpersForTheDeployedTools) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  const SwarmInitResult swarm = client.swarm_init({"mesh", 6, "balanced"});
  EXPECT_FALSE(swarm.swarm_id.empty());
  EXPECT_EQ(swarm.topology, "mesh");
  EXPECT_EQ(swarm.max_agents, 6);
  EXPECT_EQ(swarm.status, "initialized");

  const AgentInfo agent = client.agent_spawn({"coder", "alice", {"cpp"}, swarm.swarm_id});
  EXPECT_FALSE(agent.agent_id.empty());
  EXPECT_EQ(agent.name, "alice");
  EXPECT_EQ(agent.capabilities, std::vector<std::string>{"cpp"});

  const AgentList agents = client.agent_list(swarm.swarm_id);
  ASSERT_EQ(agents.agents.size(), 1u);
  EXPECT_EQ(agents.agents[0].agent_id, agent.agent_id);

  const TaskInfo task = client.task_orchestrate({"write tests", "parallel", "high", {}});
  EXPECT_EQ(task.task, "write tests");
  EXPECT_EQ(task.status, "pending");
  EXPECT_EQ(client.task_status(task.task_id).task_id, task.task_id);

  const SwarmStatus status = client.swarm_status();
  EXPECT_EQ(status.swarm_id, swarm.swarm_id);
  EXPECT_EQ(status.agent_count, 1);
  EXPECT_EQ(status.task_count, 1);

  client.memory_usage({{"action", "store"}, {"key", "k"}, {"value", "v"}});
  EXPECT_EQ(client.memory_usage({{"action", "retrieve"}, {"key", "k"}})["value"], "v");
}

TEST(McpClient, SuccessFalseBecomesToolFailed) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  try {
    client.swarm_status();
    FAIL() << "no swarm exists yet";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), errc::tool_failed);
    EXPECT_THAT(error.what(), ::testing::HasSubstr("No active swarm found"));
  }
}

TEST(McpClient, AThrownToolErrorBecomesToolFailedWithItsData) {
  MockRelay relay;
  relay.fail_next_tool_call("agent_spawn", "spawn exploded");
  McpTelemetryClient client(options_for(relay));
  const auto error = capture_error([&] { client.agent_spawn({"coder", "", {}, ""}); });
  EXPECT_EQ(error.kind(), errc::tool_failed);
  EXPECT_EQ(error.context().rpc_code, -32000);
  EXPECT_EQ(error.context().rpc_data, "spawn exploded");
}

TEST(McpClient, TheDeployedFakeSuccessIsToolUnavailable) {
  MockRelay relay;  // deployed behaviour: session tools are not implemented
  McpTelemetryClient client(options_for(relay));
  EXPECT_EQ(error_kind_of([&] { client.query_session_metrics("u1"); }), errc::tool_unavailable);
  EXPECT_EQ(error_kind_of([&] { client.swarm_monitor(); }), errc::tool_unavailable);
  EXPECT_EQ(error_kind_of([&] { client.agent_metrics(); }), errc::tool_unavailable);
}

TEST(McpClient, OnceToolsAreListedAnAbsentToolFailsWithoutAskingTheRelay) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  const auto tools = client.list_tools();
  EXPECT_THAT(tools, ::testing::Contains(::testing::Field(&McpTool::name, "swarm_init")));
  EXPECT_EQ(error_kind_of([&] { client.session_status("u1"); }), errc::tool_unavailable);
  EXPECT_EQ(count_received(relay, "tools/call"), 0u);
  client.list_tools();  // cached
  EXPECT_EQ(count_received(relay, "tools/list"), 1u);
  client.list_tools(/*refresh=*/true);
  EXPECT_EQ(count_received(relay, "tools/list"), 2u);
}

TEST(McpClient, OtherMethodsAreRpcErrorsWithTheirCode) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  const auto error = capture_error([&] { client.call("ping"); });
  EXPECT_EQ(error.kind(), errc::rpc_error);
  EXPECT_EQ(error.context().rpc_code, -32601);
  EXPECT_EQ(client.call("resources/list")["resources"], json::array());
}

TEST(McpClient, RejectsArgumentsThatAreNotAnObject) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EXPECT_EQ(error_kind_of([&] { client.call_tool("swarm_init", json::array()); }),
            errc::invalid_argument);
}

TEST(McpClient, DocumentedSessionToolsInTheDocsShape) {
  MockRelayOptions relay_options;
  relay_options.documented_session_tools = true;
  MockRelay relay(relay_options);
  McpTelemetryClient client(options_for(relay));
  const SessionMetrics metrics = client.query_session_metrics("u1");
  EXPECT_EQ(metrics.session_id, "u1");
  EXPECT_EQ(metrics.swarm_id, "swarm-of-u1");
  ASSERT_EQ(metrics.agents.size(), 1u);
  EXPECT_EQ(metrics.tasks.completed, 3);
  EXPECT_EQ(metrics.raw["unmodelled_extra"], true);

  const SessionStatusReport status = client.session_status("u1");
  EXPECT_EQ(status.status, "running");
  EXPECT_DOUBLE_EQ(status.uptime_seconds, 42);
  const SessionAgents agents = client.session_agents("u1");
  ASSERT_EQ(agents.agents.size(), 1u);
  EXPECT_EQ(agents.agents[0].role, "worker");
  const SwarmList swarms = client.swarm_list();
  EXPECT_EQ(swarms.total_agents, 4);
  ASSERT_EQ(swarms.swarms.size(), 1u);
  EXPECT_EQ(swarms.swarms[0].tasks.active, 1);
}

TEST(McpClient, QueryManyPipelinesAllSessionsOnOneConnection) {
  MockRelayOptions relay_options;
  relay_options.documented_session_tools = true;
  MockRelay relay(relay_options);
  relay.set_response_delay(5ms);
  McpTelemetryClient client(options_for(relay));
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back("session-" + std::to_string(i));
  const auto results = client.query_many(ids);
  ASSERT_EQ(results.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(results[i].session_id, ids[i]);
    ASSERT_TRUE(results[i].metrics) << ids[i];
    EXPECT_EQ(results[i].metrics->session_id, ids[i]);
    EXPECT_FALSE(results[i].error);
  }
  EXPECT_EQ(relay.connections_accepted(), 1u);
}

TEST(McpClient, QueryManyReportsFailuresPerSession) {
  MockRelay relay;  // deployed: session_metrics is a fake success
  McpTelemetryClient client(options_for(relay));
  const auto results = client.query_many({"a", "b"});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    EXPECT_FALSE(result.metrics);
    ASSERT_TRUE(result.error);
    EXPECT_EQ(error_kind_of([&] { std::rethrow_exception(result.error); }), errc::tool_unavailable);
  }
  EXPECT_TRUE(client.query_many({}).empty());
}

TEST(McpClient, TwoClientsOnOneRelayNeverReceiveEachOthersAnswers) {
  MockRelay relay;
  relay.set_response_delay(2ms);  // keeps both clients' requests in flight together
  McpTelemetryClient first(options_for(relay));
  McpTelemetryClient second(options_for(relay));
  auto fire = [](McpTelemetryClient& client, const std::string& who) {
    std::vector<std::future<TaskInfo>> answers;
    for (int i = 0; i < 50; ++i) {
      answers.push_back(client.async_task_orchestrate(
          TaskOrchestrateRequest{who + "-" + std::to_string(i), "", "", {}}, asio::use_future));
    }
    return answers;
  };
  auto first_answers = fire(first, "first");
  auto second_answers = fire(second, "second");
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(get_within_patience(first_answers[i]).task, "first-" + std::to_string(i));
    EXPECT_EQ(get_within_patience(second_answers[i]).task, "second-" + std::to_string(i));
  }
  std::set<std::string> ids;
  for (const auto& message : relay.received()) ids.insert(message["id"].get<std::string>());
  EXPECT_EQ(ids.size(), relay.received().size()) << "ids must be unique across clients";
}

TEST(McpClient, IsSafeToUseFromManyThreads) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string text = std::to_string(t) + "/" + std::to_string(i);
        if (client.task_orchestrate({text, "", "", {}}).task == text) ++correct;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), 100);
}

// --- authentication ---

TEST(McpClient, AuthenticatesWithTheTokenAndNeverLogsIt) {
  MockRelayOptions relay_options;
  relay_options.token = "s3cret-token";
  MockRelay relay(relay_options);

  std::ostringstream log_text;
  auto capture = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text));
  capture->set_level(spdlog::level::trace);
  const auto previous = logger();
  set_logger(capture);
  {
    auto options = options_for(relay);
    options.token = "s3cret-token";
    McpTelemetryClient client(options);
    EventRecorder events(client);
    EXPECT_EQ(client.swarm_init().status, "initialized");
    relay.close_all_connections();  // as the relay's age limit does
    ASSERT_TRUE(events.wait_for(McpEvent::Kind::disconnected));
    EXPECT_EQ(client.swarm_status().agent_count, 0);  // re-authenticated transparently
  }
  set_logger(previous);
  EXPECT_EQ(count_received(relay, "authenticate"), 2u);
  EXPECT_NE(log_text.str().find("connected"), std::string::npos) << "the capture works";
  EXPECT_EQ(log_text.str().find("s3cret-token"), std::string::npos);
}

TEST(McpClient, ATokenForARelayWithoutAuthIsNotAnError) {
  MockRelay relay;  // forwards `authenticate` to the backend, which answers -32601
  auto options = options_for(relay);
  options.token = "unused";
  McpTelemetryClient client(options);
  EXPECT_EQ(client.swarm_init().status, "initialized");
  EXPECT_EQ(count_received(relay, "authenticate"), 1u);
}

TEST(McpClient, AWrongTokenFailsWithAuthFailedAndIsNotRetried) {
  MockRelayOptions relay_options;
  relay_options.token = "right";
  MockRelay relay(relay_options);
  auto options = options_for(relay);
  options.token = "wrong";
  McpTelemetryClient client(options);
  const auto error = capture_error([&] { client.connect(); });
  EXPECT_EQ(error.kind(), errc::auth_failed);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("Authentication failed"));
  EXPECT_EQ(relay.connections_accepted(), 1u);
}

TEST(McpClient, WithoutATokenTheRelayAnswersAuthenticationRequired) {
  MockRelayOptions relay_options;
  relay_options.token = "right";
  MockRelay relay(relay_options);
  McpTelemetryClient client(options_for(relay));
  const auto error = capture_error([&] { client.swarm_init(); });
  EXPECT_EQ(error.kind(), errc::auth_failed);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("Authentication required"));
}

// --- relay refusals and rate limits ---

TEST(McpClient, RelayRefusalsSurfaceTheirReason) {
  const LeakCheck leaks;
  {
    MockRelay relay;
    relay.set_mcp_ready(false);
    McpTelemetryClient client(options_for(relay));
    EventRecorder events(client);
    const auto error = capture_error([&] { client.connect(); });
    EXPECT_EQ(error.kind(), errc::connection_failed);
    EXPECT_THAT(error.what(), ::testing::HasSubstr("MCP not ready"));
    EXPECT_TRUE(events.wait_for(McpEvent::Kind::relay_error, "MCP not ready"));
    // "Not ready" is transient: the client retried with backoff, then recovers.
    EXPECT_EQ(relay.connections_accepted(), 4u);
    relay.set_mcp_ready(true);
    EXPECT_NO_THROW(client.connect());
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(McpClient, TheConnectionLimitIsAConnectionFailure) {
  const LeakCheck leaks;
  {
    MockRelayOptions relay_options;
    relay_options.max_connections = 1;
    MockRelay relay(relay_options);
    McpTelemetryClient first(options_for(relay));
    first.connect();
    auto options = options_for(relay);
    options.reconnect.max_attempts = 1;
    McpTelemetryClient second(options);
    const auto error = capture_error([&] { second.connect(); });
    EXPECT_EQ(error.kind(), errc::connection_failed);
    EXPECT_THAT(error.what(), ::testing::HasSubstr("connection limit"));
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(McpClient, OverTheRateLimitAtConnectIsRateLimitedAndNotRetried) {
  MockRelayOptions relay_options;
  relay_options.rate_limit = true;
  relay_options.rate_limit_events = 2;  // the connection and initialize
  MockRelay relay(relay_options);
  McpTelemetryClient first(options_for(relay));
  first.connect();
  McpTelemetryClient second(options_for(relay));
  EXPECT_EQ(error_kind_of([&] { second.connect(); }), errc::rate_limited);
  EXPECT_EQ(relay.connections_accepted(), 2u) << "retrying would extend the block";
  McpTelemetryClient third(options_for(relay));  // the IP is now blocked: "Forbidden"
  EXPECT_EQ(error_kind_of([&] { third.connect(); }), errc::rate_limited);
}

TEST(McpClient, TheClientSideLimiterKeepsUnderTheRelaysLimit) {
  MockRelayOptions relay_options;
  relay_options.rate_limit = true;
  relay_options.rate_limit_events = 10;
  relay_options.rate_limit_window = 500ms;
  MockRelay relay(relay_options);
  auto options = options_for(relay);
  options.rate_limit = RateLimitOptions{true, 7, 500ms, 2};  // at most 9 per window
  McpTelemetryClient client(options);
  std::vector<std::future<TaskInfo>> answers;
  for (int i = 0; i < 24; ++i) {
    answers.push_back(
        client.async_task_orchestrate({std::to_string(i), "", "", {}}, asio::use_future));
  }
  for (int i = 0; i < 24; ++i) EXPECT_EQ(get_within_patience(answers[i]).task, std::to_string(i));
  EXPECT_EQ(relay.rate_limit_rejections(), 0u);
}

TEST(McpClient, WithoutTheLimiterTheRelayRejectsAndTheRequestsTimeOut) {
  // The control for the test above: the same load, unpaced, goes over.
  MockRelayOptions relay_options;
  relay_options.rate_limit = true;
  relay_options.rate_limit_events = 10;
  relay_options.rate_limit_window = 60'000ms;
  MockRelay relay(relay_options);
  auto options = options_for(relay);
  options.request_deadline = 300ms;
  McpTelemetryClient client(options);
  EventRecorder events(client);
  std::vector<std::future<nlohmann::json>> answers;
  for (int i = 0; i < 24; ++i) {
    answers.push_back(client.async_call_tool("agent_list", json::object(), {}, asio::use_future));
  }
  int timed_out = 0;
  for (auto& answer : answers) {
    try {
      get_within_patience(answer);
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), errc::timeout);
      ++timed_out;
    }
  }
  EXPECT_GT(timed_out, 0);
  EXPECT_GT(relay.rate_limit_rejections(), 0u);
  EXPECT_TRUE(events.wait_for(McpEvent::Kind::rpc_error, "Rate limit exceeded"));
}

TEST(McpClient, ConnectingWhereNothingListensIsAConnectionFailure) {
  std::uint16_t port = 0;
  {
    MockRelay gone;
    port = gone.port();
  }
  McpOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.reconnect.max_attempts = 2;
  options.reconnect.initial_delay = 1ms;
  McpTelemetryClient client(options);
  EXPECT_EQ(error_kind_of([&] { client.connect(); }), errc::connection_failed);
}

}  // namespace
}  // namespace hivemind::testing

// McpTelemetryClient against a misbehaving relay: broadcasts, garbage, split and
// huge lines, closes, backend restarts, the age limit.
#include <gmock/gmock.h>
#include <boost/asio/use_future.hpp>

#include "client_fixture.hpp"
#include "support/leak_check.hpp"

namespace hivemind::testing {
namespace {

using nlohmann::json;
namespace asio = boost::asio;

std::future<json> start_agent_list(McpTelemetryClient& client, CallOptions options = {}) {
  return client.async_call_tool("agent_list", json::object(), options, asio::use_future);
}

TEST(McpClientFaults, ABroadcastBetweenRequestAndResponseIsDeliveredAsAnEvent) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EventRecorder events(client);
  client.connect();
  relay.broadcast_before_next_response(
      json{{"jsonrpc", "2.0"}, {"method", "server.initialized"}, {"params", {{"n", 1}}}});
  EXPECT_EQ(client.swarm_init({"star", 3, ""}).topology, "star");
  EXPECT_TRUE(events.wait_for(McpEvent::Kind::notification, "server.initialized"));
}

TEST(McpClientFaults, AnotherClientsNotificationErrorIsNotTakenForOurAnswer) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EventRecorder events(client);
  client.connect();
  // What a naive client's notifications/initialized makes the backend broadcast.
  relay.broadcast_before_next_response(
      json{{"jsonrpc", "2.0"}, {"error", {{"code", -32601}, {"message", "Method not found"}}}});
  EXPECT_EQ(client.swarm_init().status, "initialized");
  EXPECT_TRUE(events.wait_for(McpEvent::Kind::rpc_error, "Method not found"));
}

TEST(McpClientFaults, AGarbageLineIsReportedAndSkipped) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EventRecorder events(client);
  client.connect();
  relay.inject_garbage_before_next_response();
  EXPECT_EQ(client.swarm_init().status, "initialized");
  EXPECT_TRUE(events.wait_for(McpEvent::Kind::unparseable_line));
  EXPECT_EQ(relay.connections_accepted(), 1u);
}

TEST(McpClientFaults, LinesArrivingOneByteAtATimeStillWork) {
  MockRelay relay;
  relay.set_split_writes(true);
  McpTelemetryClient client(options_for(relay));
  EXPECT_EQ(client.swarm_init({"ring", 2, ""}).topology, "ring");
  EXPECT_EQ(client.list_tools().size(), 9u);
}

TEST(McpClientFaults, ALargeLineWithinTheLimitIsAccepted) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  EventRecorder events(client);
  client.connect();
  relay.send_huge_line(2 * 1024 * 1024);
  EXPECT_TRUE(events.wait_for(McpEvent::Kind::notification, "huge"));
  EXPECT_EQ(client.swarm_init().status, "initialized");
  EXPECT_EQ(relay.connections_accepted(), 1u);
}

TEST(McpClientFaults, AnOversizedLineFailsTheConnectionWithProtocolError) {
  MockRelay relay;
  auto options = options_for(relay);
  options.max_line_size = 64 * 1024;
  McpTelemetryClient client(options);
  client.connect();
  relay.set_never_answer(true);
  auto pending = start_agent_list(client);
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 1; }));
  relay.send_huge_line(1024 * 1024);
  EXPECT_EQ(error_kind_of([&] { get_within_patience(pending); }), errc::protocol_error);
  relay.set_never_answer(false);
  EXPECT_EQ(client.swarm_init().status, "initialized");  // on a new connection
  EXPECT_EQ(relay.connections_accepted(), 2u);
}

TEST(McpClientFaults, RequestsInFlightFailWithConnectionLostWhenTheRelayCloses) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.set_never_answer(true);
  std::vector<std::future<json>> pending;
  for (int i = 0; i < 5; ++i) pending.push_back(start_agent_list(client));
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 5; }));
  EXPECT_EQ(client.pending_requests(), 5u);
  relay.close_all_connections();
  for (auto& call : pending) {
    EXPECT_EQ(error_kind_of([&] { get_within_patience(call); }), errc::connection_lost);
  }
  EXPECT_EQ(client.pending_requests(), 0u);
  relay.set_never_answer(false);
  EXPECT_EQ(client.swarm_init().status, "initialized");
}

TEST(McpClientFaults, AResponseCutInTheMiddleIsConnectionLost) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.drop_next_response_midway();
  EXPECT_EQ(error_kind_of([&] { client.swarm_init(); }), errc::connection_lost);
  EXPECT_EQ(client.swarm_init().status, "initialized");
}

TEST(McpClientFaults, AnIdempotentCallIsRetriedOnTheNextConnection) {
  MockRelay relay;
  McpTelemetryClient client(options_for(relay));
  client.connect();
  relay.set_never_answer(true);
  auto pending = start_agent_list(client, CallOptions{{}, /*idempotent=*/true});
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 1; }));
  relay.set_never_answer(false);
  relay.close_all_connections();
  EXPECT_EQ(get_within_patience(pending)["success"], true);
  EXPECT_EQ(count_received(relay, "tools/call"), 2u);
}

TEST(McpClientFaults, BackendRestartWithRequestsInFlightTimesOutAndRecovers) {
  const LeakCheck leaks;
  {
    MockRelay relay;
    relay.set_response_delay(1000ms);
    auto options = options_for(relay);
    options.request_deadline = 2500ms;
    McpTelemetryClient client(options);
    EventRecorder events(client);
    client.connect();
    std::vector<std::future<json>> pending;
    for (int i = 0; i < 5; ++i) pending.push_back(start_agent_list(client));
    ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 5; }));
    relay.restart_backend();  // the answers being computed are lost
    for (auto& call : pending) {
      EXPECT_EQ(error_kind_of([&] { get_within_patience(call); }), errc::timeout);
    }
    EXPECT_TRUE(events.wait_for(McpEvent::Kind::notification, "server.initialized"));
    relay.set_response_delay(0ms);
    EXPECT_EQ(client.swarm_init().status, "initialized");
    EXPECT_EQ(relay.connections_accepted(), 1u);
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(McpClientFaults, ALateAnswerAfterATimeoutIsDroppedAndNotGivenToTheNextCall) {
  MockRelay relay;
  relay.set_response_delay(300ms);
  McpTelemetryClient client(options_for(relay));
  client.connect();
  EXPECT_EQ(error_kind_of([&] {
              client.call_tool("task_orchestrate", {{"task", "early"}}, CallOptions{50ms, false});
            }),
            errc::timeout);
  // The late answer to "early" arrives while "second" waits; "second" gets its own.
  EXPECT_EQ(client.task_orchestrate({"second", "", "", {}}).task, "second");
}

TEST(McpClientFaults, ReconnectsAfterTheRelaysAgeLimitAndReauthenticates) {
  MockRelayOptions relay_options;
  relay_options.max_age = 1000ms;
  relay_options.token = "tok";
  MockRelay relay(relay_options);
  auto options = options_for(relay);
  options.token = "tok";
  McpTelemetryClient client(options);
  EventRecorder events(client);
  EXPECT_EQ(client.swarm_init().status, "initialized");
  ASSERT_TRUE(events.wait_for(McpEvent::Kind::disconnected));
  EXPECT_EQ(client.swarm_status().agent_count, 0);
  EXPECT_EQ(relay.connections_accepted(), 2u);
  EXPECT_EQ(count_received(relay, "authenticate"), 2u);
  EXPECT_EQ(count_received(relay, "initialize"), 2u);
}

TEST(McpClientFaults, RecyclesOldConnectionsWithoutFailingCallsInFlight) {
  MockRelay relay;
  relay.set_response_delay(100ms);
  auto options = options_for(relay);
  options.recycle_after = 1ms;  // the relay's limit is ~5 min; the default recycles at 4.5
  McpTelemetryClient client(options);
  EventRecorder events(client);
  client.connect();
  auto in_flight = start_agent_list(client);
  ASSERT_TRUE(eventually([&] { return count_received(relay, "tools/call") == 1; }));
  // Calls after the connection's age passed go to a new one.
  ASSERT_TRUE(eventually([&] {
    EXPECT_EQ(client.call_tool("agent_list")["success"], true);
    return relay.connections_accepted() == 2;
  }));
  EXPECT_EQ(get_within_patience(in_flight)["success"], true);
  EXPECT_TRUE(events.wait_for(McpEvent::Kind::disconnected, "recycled"));
}

TEST(McpClientFaults, ARelayThatAcceptsAndNeverAnswersMeetsTheConnectDeadline) {
  const LeakCheck leaks;
  {
    MockRelay relay;
    relay.set_silent(true);
    auto options = options_for(relay);
    options.connect_deadline = 200ms;
    options.reconnect.max_attempts = 2;
    McpTelemetryClient client(options);
    EXPECT_EQ(error_kind_of([&] { client.connect(); }), errc::timeout);
    EXPECT_EQ(relay.connections_accepted(), 2u);
    relay.set_silent(false);
    EXPECT_EQ(client.swarm_init().status, "initialized");
  }
  EXPECT_TRUE(leaks.settled());
}

TEST(McpClientFaults, AStalledRelayMeetsTheRequestDeadline) {
  const LeakCheck leaks;
  {
    MockRelay relay;
    relay.set_never_answer(true);
    auto options = options_for(relay);
    options.request_deadline = 200ms;
    McpTelemetryClient client(options);
    EXPECT_EQ(error_kind_of([&] { client.swarm_init(); }), errc::timeout);
    EXPECT_EQ(client.pending_requests(), 0u);
  }
  EXPECT_TRUE(leaks.settled());
}

}  // namespace
}  // namespace hivemind::testing

#include "hivemind/telemetry/telemetry_stream.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include <gtest/gtest.h>
#include <boost/asio/use_future.hpp>

#include "hivemind/mcp/mcp_client.hpp"
#include "mock_relay.hpp"
#include "mock_telemetry_server.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"

namespace hivemind {
namespace {

using namespace std::chrono_literals;
using testing::capture_error;
using testing::eventually;
using testing::MockTelemetryOptions;
using testing::MockTelemetryServer;
using Protocol = MockTelemetryOptions::Protocol;

TelemetryOptions options_for(const MockTelemetryServer& server) {
  TelemetryOptions options;
  options.host = "127.0.0.1";
  options.port = server.port();
  options.reconnect.initial_delay = 10ms;
  options.reconnect.max_delay = 50ms;
  options.rate_limit_pause = 20ms;
  options.filters.update_frequency_hz = 50;
  return options;
}

MockTelemetryOptions relay_options() {
  MockTelemetryOptions options;
  options.protocol = Protocol::relay;
  return options;
}

// A swarm on the mock relay's backend: `types` agents in this order.
void spawn_swarm(MockTelemetryServer& server, const std::string& topology,
                 const std::vector<std::string>& types) {
  server.call_tool("swarm_init", {{"topology", topology}});
  for (const auto& type : types) server.call_tool("agent_spawn", {{"type", type}});
}

std::set<std::string> agent_ids(const TelemetryUpdate& update) {
  std::set<std::string> ids;
  for (const auto& agent : update.agents) ids.insert(agent.agent_id);
  return ids;
}

// Every edge between two of `ids`.
bool edges_within(const TelemetryUpdate& update, const std::set<std::string>& ids) {
  for (const auto& change : update.topology_changes) {
    if (!ids.contains(change.from) || !ids.contains(change.to)) return false;
  }
  return true;
}

TEST(TelemetryStreamSubscribe, ReceivesTypedUpdatesForTheSubscribedSession) {
  MockTelemetryServer server({.agents = 3, .sessions = {"s1", "s2"}});
  TelemetryOptions options = options_for(server);
  options.session_id = "s1";
  options.filters.agent_types = {};
  TelemetryStream stream(options);
  stream.start();

  const TelemetryUpdate update = stream.next();
  EXPECT_EQ(update.session_id, "s1");
  EXPECT_EQ(update.swarm_id, "swarm-1");
  ASSERT_EQ(update.agents.size(), 3u);
  EXPECT_EQ(update.agents[0].agent_id, "agent-0");
  ASSERT_TRUE(update.agents[1].position.has_value());
  EXPECT_EQ(update.agents[1].position->y, 1);
  ASSERT_TRUE(update.agents[1].performance.has_value());
  EXPECT_EQ(update.agents[1].performance->memory_mb, 65);
  EXPECT_EQ(update.topology_changes.size(), 1u);

  const auto subscribe = server.received().at(0);
  EXPECT_EQ(subscribe.at("action"), "subscribe");
  EXPECT_EQ(subscribe.at("session_id"), "s1");
  EXPECT_FALSE(subscribe.contains("swarm_id"));
  EXPECT_EQ(subscribe.at("filters").at("update_frequency_hz"), 50.0);
  EXPECT_EQ(subscribe.at("filters").at("include_topology"), true);
  EXPECT_TRUE(eventually([&] { return stream.stats().active_mode == TelemetryMode::subscribe; }));
}

TEST(TelemetryStreamSubscribe, StopUnsubscribesAndEndsNext) {
  MockTelemetryServer server;
  TelemetryStream stream(options_for(server));
  stream.start();
  stream.next();
  stream.stop();
  EXPECT_TRUE(eventually([&] { return server.actions_received("unsubscribe") == 1; }));
  EXPECT_TRUE(eventually([&] { return server.active_connections() == 0; }));
  EXPECT_EQ(capture_error([&] { stream.next(); }).kind(), errc::cancelled);
}

TEST(TelemetryStreamSubscribe, DeliversThroughCallbackAndAsyncNext) {
  MockTelemetryServer server;
  TelemetryStream stream(options_for(server));
  std::atomic<int> delivered{0};
  stream.on_update([&](TelemetryUpdate update) {
    if (!update.agents.empty()) ++delivered;
  });
  stream.start();
  EXPECT_TRUE(eventually([&] { return delivered >= 3; }));

  MockTelemetryServer second;
  TelemetryStream pulled(options_for(second));
  pulled.async_start(boost::asio::use_future).get();
  auto update = pulled.async_next(boost::asio::use_future).get();
  EXPECT_EQ(update.session_id, "session-1");
}

TEST(TelemetryStreamTransport, SendsTheBearerToken) {
  MockTelemetryServer server({.token = "s3cret"});
  TelemetryOptions options = options_for(server);
  options.token = "s3cret";
  TelemetryStream stream(options);
  stream.start();
  EXPECT_FALSE(stream.next().agents.empty());
  EXPECT_EQ(server.authorization_headers().at(0), "Bearer s3cret");
}

TEST(TelemetryStreamTransport, AMissingOrWrongTokenIsAuthFailedWithTheHttpStatus) {
  MockTelemetryServer server({.token = "s3cret"});
  for (const std::string token : {"", "wrong"}) {
    TelemetryOptions options = options_for(server);
    options.token = token;
    TelemetryStream stream(options);
    const Error error = capture_error([&] { stream.start(); });
    EXPECT_EQ(error.kind(), errc::auth_failed) << error.what();
    EXPECT_NE(std::string(error.what()).find("HTTP 401"), std::string::npos) << error.what();
    EXPECT_EQ(error.context().http_status, 401);
    EXPECT_EQ(stream.stats().last_http_status, 401);
    // Not retried: retrying a refused token cannot help.
    const Error again = capture_error([&] { stream.next(); });
    EXPECT_EQ(again.kind(), errc::auth_failed);
    EXPECT_EQ(again.context().http_status, 401);
  }
  EXPECT_EQ(server.upgrades_accepted(), 0u);
  EXPECT_EQ(server.authorization_headers(), (std::vector<std::string>{"", "Bearer wrong"}));
}

TEST(TelemetryStreamTransport, ServiceUnavailableIsConnectionFailedAfterTheRetries) {
  MockTelemetryServer server({.reject_status = 503});
  TelemetryOptions options = options_for(server);
  options.reconnect.max_attempts = 3;
  TelemetryStream stream(options);
  const Error error = capture_error([&] { stream.start(); });
  EXPECT_EQ(error.kind(), errc::connection_failed) << error.what();
  EXPECT_NE(std::string(error.what()).find("HTTP 503"), std::string::npos) << error.what();
  EXPECT_EQ(error.context().http_status, 503);
  EXPECT_EQ(stream.stats().last_http_status, 503);
  EXPECT_EQ(server.authorization_headers().size(), 3u);
}

TEST(TelemetryStreamTransport, NothingListeningIsConnectionFailed) {
  std::uint16_t port = 0;
  {
    MockTelemetryServer closed_again;
    port = closed_again.port();
  }
  TelemetryOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.reconnect.max_attempts = 2;
  options.reconnect.initial_delay = 1ms;
  TelemetryStream stream(options);
  const Error error = capture_error([&] { stream.start(); });
  EXPECT_EQ(error.kind(), errc::connection_failed);
  EXPECT_FALSE(error.context().http_status.has_value());  // no HTTP answer at all
}

TEST(TelemetryStreamTransport, DecodesNonAlignedFramesWithLogNoise) {
  MockTelemetryServer server({.agents = 4, .chunk_size = 7, .log_noise = true});
  TelemetryStream stream(options_for(server));
  stream.start();
  for (int i = 0; i < 3; ++i) {
    const TelemetryUpdate update = stream.next();
    EXPECT_EQ(agent_ids(update),
              (std::set<std::string>{"agent-0", "agent-1", "agent-2", "agent-3"}));
  }
  const TelemetryStats stats = stream.stats();
  EXPECT_GE(stats.noise_lines, 3u);
  EXPECT_GT(stats.messages_received, stats.lines);  // frames really were split
}

TEST(TelemetryStreamTransport, SplitLinesAndPlainTextAcrossHandMadeFrames) {
  MockTelemetryServer server({.rate_hz = 0.001});  // one update, then silence
  TelemetryStream stream(options_for(server));
  stream.start();
  stream.next();
  const std::string line =
      R"({"type":"telemetry_update","session_id":"session-1","agents":[{"agent_id":"x","status":"busy"}]})";
  server.send_frame("log: a" + line.substr(0, 10));  // no newline: "log: a..." is one line
  server.send_frame("\n" + line.substr(0, 20));
  server.send_frame(line.substr(20) + "\nplain text\n" + line + "\n");
  EXPECT_EQ(agent_ids(stream.next()), (std::set<std::string>{"x"}));
  EXPECT_EQ(agent_ids(stream.next()), (std::set<std::string>{"x"}));
  EXPECT_EQ(stream.stats().noise_lines, 2u);
}

TEST(TelemetryStreamReconnect, AgeLimitClose1001ReconnectsAndResubscribes) {
  MockTelemetryServer server({.max_age = 300ms});
  TelemetryStream stream(options_for(server));
  stream.start();
  EXPECT_TRUE(eventually([&] { return server.actions_received("subscribe") >= 2; }));
  EXPECT_TRUE(eventually([&] { return stream.stats().reconnects >= 1; }));
  EXPECT_EQ(stream.stats().last_close_code, 1001);
  stream.drain();
  EXPECT_FALSE(stream.next().agents.empty());
}

TEST(TelemetryStreamReconnect, RateLimitClose1008IsSurfacedAndPausedBeforeReconnecting) {
  MockTelemetryServer server;
  TelemetryStream stream(options_for(server));
  stream.start();
  stream.next();
  server.close_all(1008);
  EXPECT_TRUE(eventually([&] { return server.actions_received("subscribe") == 2; }));
  const TelemetryStats stats = stream.stats();
  EXPECT_EQ(stats.last_close_code, 1008);
  EXPECT_NE(stats.last_error.find("rate limit"), std::string::npos) << stats.last_error;
}

TEST(TelemetryStreamReconnect, ServerRateLimitOnClientMessagesCloses1008) {
  // Each connection may send two messages.
  MockTelemetryServer server({.protocol = Protocol::relay, .max_messages = 2});
  spawn_swarm(server, "mesh", {"coder"});
  TelemetryStream stream(options_for(server));
  stream.start();
  // subscribe, initialize, then the first agent_list exceeds the limit.
  EXPECT_TRUE(eventually([&] { return stream.stats().last_close_code == 1008; }));
}

TEST(TelemetryStreamReconnect, TooBigClose1009IsSurfaced) {
  MockTelemetryServer server;
  TelemetryStream stream(options_for(server));
  stream.start();
  stream.next();
  server.close_all(1009);
  EXPECT_TRUE(eventually([&] { return stream.stats().last_close_code == 1009; }));
  EXPECT_NE(stream.stats().last_error.find("too big"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return server.actions_received("subscribe") == 2; }));
}

TEST(TelemetryStreamReconnect, ADeadPeerIsDetectedByTheReadDeadline) {
  MockTelemetryServer server({.rate_hz = 0.001});  // one update, then silence
  TelemetryOptions options = options_for(server);
  options.read_deadline = 200ms;
  options.keep_alive_pings = false;
  TelemetryStream stream(options);
  stream.start();
  EXPECT_TRUE(eventually([&] { return server.actions_received("subscribe") >= 2; }));
  EXPECT_NE(stream.stats().last_error.find("read deadline"), std::string::npos)
      << stream.stats().last_error;
}

TEST(TelemetryStreamReconnect, KeepAlivePingsKeepAQuietConnectionOpen) {
  MockTelemetryServer server({.rate_hz = 0.001});
  TelemetryOptions options = options_for(server);
  options.read_deadline = 600ms;
  options.keep_alive_pings = true;
  TelemetryStream stream(options);
  stream.start();
  stream.next();
  // Watching for several deadlines: the pongs count as traffic, so nothing reconnects.
  EXPECT_FALSE(eventually([&] { return server.actions_received("subscribe") >= 2; }, 3s));
  EXPECT_EQ(stream.stats().reconnects, 0u);
}

TEST(TelemetryStreamPoll, AutoSwitchesToPollWhenTheRelayAnswersMinus32601) {
  MockTelemetryOptions server_options = relay_options();
  server_options.chunk_size = 5;
  server_options.log_noise = true;
  MockTelemetryServer server(server_options);
  spawn_swarm(server, "star", {"coordinator", "coder"});
  TelemetryStream stream(options_for(server));
  stream.start();

  const TelemetryUpdate first = stream.next();
  EXPECT_EQ(first.agents.size(), 2u);
  ASSERT_EQ(first.topology_changes.size(), 1u);
  EXPECT_EQ(first.topology_changes[0].type, "edge_added");
  EXPECT_FALSE(first.swarm_id.empty());
  EXPECT_EQ(stream.stats().active_mode, TelemetryMode::poll);

  const auto received = server.received();
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received[0].at("action"), "subscribe");
  EXPECT_EQ(received[1].at("method"), "initialize");
  EXPECT_GT(stream.stats().noise_lines, 0u);

  // A new agent: the next update carries it (and the edge to it) only.
  server.call_tool("agent_spawn", {{"type", "tester"}});
  const TelemetryUpdate grown = stream.next();
  ASSERT_EQ(grown.agents.size(), 1u);
  EXPECT_EQ(grown.agents[0].type, "tester");
  EXPECT_EQ(grown.topology_changes.size(), 1u);
}

TEST(TelemetryStreamPoll, PollModeNeverSubscribes) {
  MockTelemetryServer server(relay_options());
  spawn_swarm(server, "mesh", {"coder", "tester"});
  TelemetryOptions options = options_for(server);
  options.mode = TelemetryMode::poll;
  TelemetryStream stream(options);
  stream.start();
  EXPECT_EQ(stream.next().agents.size(), 2u);
  EXPECT_EQ(server.actions_received("subscribe"), 0u);
  EXPECT_EQ(server.received().at(0).at("method"), "initialize");
}

TEST(TelemetryStreamPoll, PollModeReinitializesAfterReconnect) {
  MockTelemetryServer server(relay_options());
  spawn_swarm(server, "mesh", {"coder"});
  TelemetryStream stream(options_for(server));
  stream.start();
  stream.next();
  server.close_all(1001);
  const auto initializes = [&] {
    std::size_t count = 0;
    for (const auto& message : server.received())
      count += message.value("method", "") == "initialize";
    return count;
  };
  EXPECT_TRUE(eventually([&] { return initializes() == 2; }));
  // The mode is remembered: the new connection polls at once, no second subscribe.
  EXPECT_EQ(server.actions_received("subscribe"), 1u);
}

TEST(TelemetryStreamPoll, SubscribeOnlyModeRefusesARelay) {
  MockTelemetryServer server(relay_options());
  TelemetryOptions options = options_for(server);
  options.mode = TelemetryMode::subscribe;
  TelemetryStream stream(options);
  stream.start();
  const Error error = capture_error([&] { stream.next(); });
  EXPECT_EQ(error.kind(), errc::protocol_error);
  EXPECT_NE(std::string(error.what()).find("-32601"), std::string::npos) << error.what();
}

TEST(TelemetryStreamPoll, PollsTheTcpRelayThroughTheMcpClient) {
  testing::MockRelay relay;
  McpOptions mcp_options;
  mcp_options.host = "127.0.0.1";
  mcp_options.port = relay.port();
  McpTelemetryClient client(mcp_options);
  SwarmInitRequest ring;
  ring.topology = "ring";
  client.swarm_init(ring);
  for (const std::string type : {"coder", "tester", "coder"}) {
    AgentSpawnRequest spawn;
    spawn.type = type;
    client.agent_spawn(spawn);
  }

  TelemetryOptions options;
  options.filters.update_frequency_hz = 50;
  options.filters.agent_types = {"coder"};
  TelemetryStream stream(client, options);
  stream.start();
  const TelemetryUpdate update = stream.next();
  ASSERT_EQ(update.agents.size(), 2u);
  for (const auto& agent : update.agents) EXPECT_EQ(agent.type, "coder");
  // Of the ring's three edges, the two touching the tester are filtered out with it.
  ASSERT_EQ(update.topology_changes.size(), 1u);
  EXPECT_TRUE(edges_within(update, agent_ids(update)));
  EXPECT_EQ(stream.stats().active_mode, TelemetryMode::poll);
  stream.stop();
}

TEST(TelemetryStreamFilters, AppliedClientSideInSubscribeMode) {
  // A server that ignores the subscription's filters: the client still applies them.
  MockTelemetryServer server({.agents = 4, .sessions = {"s1", "s2"}, .ignore_filters = true});
  TelemetryOptions options = options_for(server);
  options.session_id = "s2";
  options.filters.agent_types = {"coder"};
  options.filters.include_performance = false;
  options.filters.include_topology = false;
  TelemetryStream stream(options);
  stream.start();
  for (int i = 0; i < 4; ++i) {
    const TelemetryUpdate update = stream.next();
    EXPECT_EQ(update.session_id, "s2");
    EXPECT_EQ(agent_ids(update), (std::set<std::string>{"agent-0", "agent-2"}));
    for (const auto& agent : update.agents) EXPECT_FALSE(agent.performance.has_value());
    EXPECT_TRUE(update.topology_changes.empty());
  }
  EXPECT_EQ(server.received().at(0).at("filters").at("agent_types"),
            nlohmann::json::array({"coder"}));
}

TEST(TelemetryStreamFilters, AppliedClientSideInPollMode) {
  MockTelemetryServer server(relay_options());
  spawn_swarm(server, "mesh", {"coder", "tester", "coder"});
  TelemetryOptions options = options_for(server);
  options.filters.agent_types = {"coder"};
  options.filters.include_topology = false;
  TelemetryStream stream(options);
  stream.start();
  const TelemetryUpdate update = stream.next();
  ASSERT_EQ(update.agents.size(), 2u);
  for (const auto& agent : update.agents) EXPECT_EQ(agent.type, "coder");
  EXPECT_TRUE(update.topology_changes.empty());
}

TEST(TelemetryStreamFilters, TopologyChangesOfFilteredOutAgentsAreDroppedInSubscribeMode) {
  // The mock's edges go from agent-0 (coder) to agent-1, -2, -3 in turn; only
  // agent-2 is a coder too.
  MockTelemetryServer server({.agents = 4, .ignore_filters = true});
  TelemetryOptions options = options_for(server);
  options.filters.agent_types = {"coder"};
  TelemetryStream stream(options);
  stream.start();
  std::size_t edges = 0;
  for (int i = 0; i < 6; ++i) {  // two rounds of the three edges
    const TelemetryUpdate update = stream.next();
    EXPECT_EQ(agent_ids(update), (std::set<std::string>{"agent-0", "agent-2"}));
    EXPECT_TRUE(edges_within(update, {"agent-0", "agent-2"}));
    edges += update.topology_changes.size();
  }
  EXPECT_GE(edges, 1u);
}

TEST(TelemetryStreamFilters, TopologyChangesOfFilteredOutAgentsAreDroppedInPollMode) {
  MockTelemetryServer server(relay_options());
  spawn_swarm(server, "mesh", {"coder", "tester", "coder"});
  TelemetryOptions options = options_for(server);
  options.filters.agent_types = {"coder"};
  TelemetryStream stream(options);
  stream.start();
  const TelemetryUpdate first = stream.next();
  std::set<std::string> coders = agent_ids(first);
  ASSERT_EQ(coders.size(), 2u);
  ASSERT_EQ(first.topology_changes.size(), 1u);  // of the mesh's three edges
  EXPECT_TRUE(edges_within(first, coders));

  // A tester's edges alone are no update at all; a coder's come without the tester's.
  server.call_tool("agent_spawn", {{"type", "tester"}});
  server.call_tool("agent_spawn", {{"type", "coder"}});
  const TelemetryUpdate grown = stream.next();
  ASSERT_EQ(grown.agents.size(), 1u);
  EXPECT_EQ(grown.agents[0].type, "coder");
  coders.insert(grown.agents[0].agent_id);
  EXPECT_EQ(grown.topology_changes.size(), 2u);  // to the two other coders
  EXPECT_TRUE(edges_within(grown, coders));
}

TEST(TelemetryStreamBackpressure, MemoryStaysBoundedUnderAStalledConsumer) {
  // Few agents per update: a Debug build under a sanitizer on a loaded machine decodes only
  // a few dozen 20-agent updates per second, and the point here is the queue, not the decoder.
  MockTelemetryServer server({.agents = 4, .rate_hz = 200, .sessions = {"a", "b", "c"}});
  TelemetryOptions options = options_for(server);
  options.queue.max_updates = 6;
  TelemetryStream stream(options);
  stream.start();
  // Nobody consumes while hundreds of updates arrive.
  ASSERT_TRUE(eventually([&] { return stream.stats().updates_received >= 150; }));
  const TelemetryStats stats = stream.stats();
  EXPECT_LE(stats.queue.max_queued, 6u);
  EXPECT_GT(stats.queue.coalesced_agent_updates, 0u);
  EXPECT_EQ(stats.queue.dropped_updates, 0u);
  EXPECT_EQ(stats.queue.dropped_topology_changes, 0u);

  const auto updates = stream.drain();
  ASSERT_LE(updates.size(), 6u);
  std::set<std::string> sessions;
  for (const auto& update : updates) {
    sessions.insert(update.session_id);
    EXPECT_LE(update.agents.size(), 4u);
  }
  EXPECT_EQ(sessions, (std::set<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace hivemind

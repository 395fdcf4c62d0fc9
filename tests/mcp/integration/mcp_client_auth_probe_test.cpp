// McpOptions::verify_auth: connect() probes with `tools/list` after the handshake.
#include <gmock/gmock.h>

#include "client_fixture.hpp"
#include "support/capture_error.hpp"

namespace hivemind::testing {
namespace {

MockRelayOptions relay_with_token(const std::string& token) {
  MockRelayOptions relay_options;
  relay_options.token = token;
  return relay_options;
}

TEST(McpAuthProbe, WithoutATokenConnectFailsWithAuthFailedNamingTheVariable) {
  MockRelay relay(relay_with_token("right"));
  auto options = options_for(relay);
  options.verify_auth = true;
  McpTelemetryClient client(options);
  const auto error = capture_error([&] { client.connect(); });
  EXPECT_EQ(error.kind(), errc::auth_failed);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("HIVEMIND_MCP_TOKEN"));
  EXPECT_THAT(error.what(), ::testing::HasSubstr("Authentication required"));
  EXPECT_EQ(count_received(relay, "tools/list"), 1u);
  EXPECT_EQ(count_received(relay, "ping"), 0u);
  EXPECT_EQ(relay.connections_accepted(), 1u) << "auth_failed is not retried";
}

TEST(McpAuthProbe, WithTheRightTokenConnectSucceedsAndCallsWork) {
  MockRelay relay(relay_with_token("right"));
  auto options = options_for(relay);
  options.token = "right";
  options.verify_auth = true;
  McpTelemetryClient client(options);
  client.connect();
  EXPECT_EQ(count_received(relay, "tools/list"), 1u);
  EXPECT_EQ(client.swarm_init().status, "initialized");
}

TEST(McpAuthProbe, WithoutVerifyAuthConnectSucceedsAsBefore) {
  MockRelay relay(relay_with_token("right"));
  McpTelemetryClient client(options_for(relay));  // no token, verify_auth false
  client.connect();
  EXPECT_EQ(count_received(relay, "tools/list"), 0u);
  // The missing token shows only on the first call, as before.
  const auto error = capture_error([&] { client.swarm_init(); });
  EXPECT_EQ(error.kind(), errc::auth_failed);
}

TEST(McpAuthProbe, ARelayWithoutAuthPassesTheProbe) {
  MockRelay relay;
  auto options = options_for(relay);
  options.verify_auth = true;
  McpTelemetryClient client(options);
  client.connect();
  EXPECT_EQ(count_received(relay, "tools/list"), 1u);
}

}  // namespace
}  // namespace hivemind::testing

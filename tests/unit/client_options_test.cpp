#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "hivemind/common/error.hpp"
#include "hivemind/control/client_options.hpp"
#include "hivemind/mcp/mcp_options.hpp"
#include "hivemind/telemetry/telemetry_options.hpp"

using namespace hivemind;
using namespace std::chrono_literals;

namespace {

// Sets environment variables for one test and restores them afterwards.
class ScopedEnvironment {
 public:
  void set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    ::setenv(name, value, 1);
  }
  ~ScopedEnvironment() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        ::unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace

TEST(ClientOptions, DefaultsMatchTheDeployedContainer) {
  const ClientOptions options;
  EXPECT_EQ(options.cli, "docker");
  EXPECT_EQ(options.container, "multi-agent-container");
  EXPECT_EQ(options.script, "/app/scripts/hive-session-manager.sh");
  EXPECT_EQ(options.call_timeout, 30s);
  EXPECT_EQ(options.retry.max_attempts, 3);
  EXPECT_EQ(options.retry.initial_delay, 500ms);
  EXPECT_EQ(options.max_output_bytes, 8u << 20);
  EXPECT_EQ(options.single_quotes, SingleQuotePolicy::reject);
  EXPECT_EQ(options.transport, ContainerTransport::automatic);
  EXPECT_TRUE(options.engine_host.empty());
}

TEST(ClientOptions, TransportIsReadFromTheEnvironmentByName) {
  for (const auto transport : {ContainerTransport::automatic, ContainerTransport::cli,
                               ContainerTransport::engine_api, ContainerTransport::kubectl}) {
    ScopedEnvironment env;
    env.set("HIVEMIND_TRANSPORT", std::string(to_string(transport)).c_str());
    EXPECT_EQ(ClientOptions::from_environment().transport, transport) << to_string(transport);
  }
  ScopedEnvironment env;
  env.set("HIVEMIND_TRANSPORT", "http");
  try {
    (void)ClientOptions::from_environment();
    FAIL() << "accepted 'http'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::invalid_argument);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("HIVEMIND_TRANSPORT='http'"));
  }
}

TEST(ClientOptions, EnvironmentOverridesDefaults) {
  ScopedEnvironment env;
  env.set("HIVEMIND_DOCKER", "/usr/bin/podman");
  env.set("HIVEMIND_CONTAINER", "hive-2");
  env.set("HIVEMIND_SCRIPT", "/opt/hsm.sh");
  env.set("HIVEMIND_HOST_EXT_DIR", "/srv/ext");
  env.set("HIVEMIND_TIMEOUT", "2.5");
  const auto options = ClientOptions::from_environment();
  EXPECT_EQ(options.cli, "/usr/bin/podman");
  EXPECT_EQ(options.container, "hive-2");
  EXPECT_EQ(options.script, "/opt/hsm.sh");
  EXPECT_EQ(options.host_ext_dir, "/srv/ext");
  EXPECT_EQ(options.call_timeout, 2500ms);
}

TEST(ClientOptions, MalformedTimeoutIsNamed) {
  for (const char* bad : {"soon", "-1", "0", "1e9", "5s"}) {
    ScopedEnvironment env;
    env.set("HIVEMIND_TIMEOUT", bad);
    try {
      (void)ClientOptions::from_environment();
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), errc::invalid_argument);
      EXPECT_THAT(e.what(), ::testing::HasSubstr(std::string("HIVEMIND_TIMEOUT='") + bad));
    }
  }
}

TEST(McpOptions, EnvironmentOverridesDefaults) {
  ScopedEnvironment env;
  env.set("HIVEMIND_MCP_HOST", "relay.internal");
  env.set("HIVEMIND_MCP_PORT", "19500");
  env.set("HIVEMIND_MCP_TOKEN", "s3cret");
  env.set("HIVEMIND_TIMEOUT", "0.5");
  const auto options = McpOptions::from_environment();
  EXPECT_EQ(options.host, "relay.internal");
  EXPECT_EQ(options.port, 19500);
  EXPECT_EQ(options.token, "s3cret");
  EXPECT_EQ(options.request_deadline, 500ms);
}

TEST(McpOptions, EmptyEnvironmentKeepsDefaults) {
  ScopedEnvironment env;
  env.set("HIVEMIND_MCP_HOST", "");
  env.set("HIVEMIND_MCP_PORT", "");
  const auto options = McpOptions::from_environment();
  EXPECT_EQ(options.host, "localhost");
  EXPECT_EQ(options.port, 9500);
}

TEST(McpOptions, MalformedPortIsNamed) {
  for (const char* bad : {"0", "65536", "95OO", "-1", "123456", " 80"}) {
    ScopedEnvironment env;
    env.set("HIVEMIND_MCP_PORT", bad);
    try {
      (void)McpOptions::from_environment();
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), errc::invalid_argument);
      EXPECT_THAT(e.what(), ::testing::HasSubstr(std::string("HIVEMIND_MCP_PORT='") + bad));
    }
  }
}

TEST(TelemetryOptions, SetUrlTakesHostPortAndPath) {
  TelemetryOptions options;
  options.set_url("ws://telemetry.internal:13002/stream");
  EXPECT_EQ(options.host, "telemetry.internal");
  EXPECT_EQ(options.port, 13002);
  EXPECT_EQ(options.path, "/stream");
  options.set_url("ws://other");  // no port: the port stays, the path is the root
  EXPECT_EQ(options.host, "other");
  EXPECT_EQ(options.port, 13002);
  EXPECT_EQ(options.path, "/");
}

TEST(TelemetryOptions, AMalformedUrlIsNamedAndChangesNothing) {
  for (const char* bad : {"http://h:3002", "wss://h:3002", "ws://:3002", "ws:///", "ws://h:0",
                          "ws://h:65536", "ws://h:30O2", "ws://h:"}) {
    TelemetryOptions options;
    try {
      options.set_url(bad);
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), errc::invalid_argument);
      EXPECT_THAT(e.what(), ::testing::HasSubstr(std::string("WebSocket URL '") + bad + "'"));
    }
    EXPECT_EQ(options.host, "localhost") << bad;
    EXPECT_EQ(options.port, 3002) << bad;
    EXPECT_EQ(options.path, "/") << bad;
  }
}

TEST(TelemetryOptions, EnvironmentOverridesDefaults) {
  ScopedEnvironment env;
  env.set("HIVEMIND_WS_URL", "ws://127.0.0.1:43002");
  env.set("HIVEMIND_MCP_TOKEN", "s3cret");
  const auto options = TelemetryOptions::from_environment();
  EXPECT_EQ(options.host, "127.0.0.1");
  EXPECT_EQ(options.port, 43002);
  EXPECT_EQ(options.token, "s3cret");
}

TEST(TelemetryOptions, AMalformedEnvironmentUrlNamesTheVariable) {
  ScopedEnvironment env;
  env.set("HIVEMIND_WS_URL", "localhost:3002");
  try {
    (void)TelemetryOptions::from_environment();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::invalid_argument);
    EXPECT_THAT(e.what(), ::testing::StartsWith("HIVEMIND_WS_URL: WebSocket URL 'localhost:3002'"));
  }
}

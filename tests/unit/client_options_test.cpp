#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

TEST(McpOptions, EnvironmentSetsConnectionTuning) {
  ScopedEnvironment env;
  env.set("HIVEMIND_MCP_CONNECT_TIMEOUT", "1.5");
  env.set("HIVEMIND_MCP_RECYCLE_AFTER", "120.25");
  env.set("HIVEMIND_MCP_RATE_LIMIT", "50/30");
  env.set("HIVEMIND_MCP_MAX_IN_FLIGHT", "8");
  env.set("HIVEMIND_MCP_VERIFY_AUTH", "1");
  const auto options = McpOptions::from_environment();
  EXPECT_EQ(options.connect_deadline, 1500ms);
  EXPECT_EQ(options.recycle_after, 120250ms);
  EXPECT_TRUE(options.rate_limit.enabled);
  EXPECT_EQ(options.rate_limit.events, 50);
  EXPECT_EQ(options.rate_limit.window, 30s);
  EXPECT_EQ(options.rate_limit.burst, 5);
  EXPECT_EQ(options.max_in_flight, 8u);
  EXPECT_TRUE(options.verify_auth);
}

TEST(McpOptions, TuningDefaultsWithoutTheEnvironment) {
  ScopedEnvironment env;
  for (const char* name :
       {"HIVEMIND_MCP_CONNECT_TIMEOUT", "HIVEMIND_MCP_RECYCLE_AFTER", "HIVEMIND_MCP_RATE_LIMIT",
        "HIVEMIND_MCP_MAX_IN_FLIGHT", "HIVEMIND_MCP_VERIFY_AUTH"}) {
    env.set(name, "");
  }
  const auto options = McpOptions::from_environment();
  const McpOptions defaults;
  EXPECT_EQ(options.connect_deadline, defaults.connect_deadline);
  EXPECT_EQ(options.recycle_after, defaults.recycle_after);
  EXPECT_FALSE(options.rate_limit.enabled);
  EXPECT_EQ(options.max_in_flight, defaults.max_in_flight);
  EXPECT_FALSE(options.verify_auth);
}

TEST(McpOptions, RecycleAfterZeroDisables) {
  for (const char* zero : {"0", "0.0"}) {
    ScopedEnvironment env;
    env.set("HIVEMIND_MCP_RECYCLE_AFTER", zero);
    EXPECT_EQ(McpOptions::from_environment().recycle_after, 0ms) << zero;
  }
}

TEST(McpOptions, ASmallRateLimitKeepsTheBurstWithinIt) {
  ScopedEnvironment env;
  env.set("HIVEMIND_MCP_RATE_LIMIT", "2/1.5");
  const auto options = McpOptions::from_environment();
  EXPECT_EQ(options.rate_limit.events, 2);
  EXPECT_EQ(options.rate_limit.window, 1500ms);
  EXPECT_EQ(options.rate_limit.burst, 2);
}

TEST(McpOptions, VerifyAuthAcceptsWordsAndDigits) {
  const std::pair<const char*, bool> cases[] = {{"1", true},      {"0", false},   {"true", true},
                                                {"false", false}, {"TRUE", true}, {"False", false}};
  for (const auto& [text, expected] : cases) {
    ScopedEnvironment env;
    env.set("HIVEMIND_MCP_VERIFY_AUTH", text);
    EXPECT_EQ(McpOptions::from_environment().verify_auth, expected) << text;
  }
}

TEST(McpOptions, MalformedTuningValuesAreNamed) {
  const std::pair<const char*, std::vector<const char*>> cases[] = {
      {"HIVEMIND_MCP_CONNECT_TIMEOUT", {"soon", "0", "-1", "5s", "1e9"}},
      {"HIVEMIND_MCP_RECYCLE_AFTER", {"never", "-1", "270s", "1e9"}},
      {"HIVEMIND_MCP_RATE_LIMIT",
       {"90", "90/", "/60", "0/60", "90/0", "-1/60", "90/60s", "a/b", "90:60", "9.5/60"}},
      {"HIVEMIND_MCP_MAX_IN_FLIGHT", {"0", "-3", "8.5", "many", "99999999999"}},
      {"HIVEMIND_MCP_VERIFY_AUTH", {"yes", "2", "on", "truee"}},
  };
  for (const auto& [variable, values] : cases) {
    for (const char* bad : values) {
      ScopedEnvironment env;
      env.set(variable, bad);
      try {
        (void)McpOptions::from_environment();
        ADD_FAILURE() << variable << " accepted '" << bad << "'";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), errc::invalid_argument);
        EXPECT_THAT(e.what(), ::testing::HasSubstr(std::string(variable) + "='" + bad + "'"));
      }
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

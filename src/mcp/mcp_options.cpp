#include "hivemind/mcp/mcp_options.hpp"

#include <algorithm>

#include "common/environment.hpp"

namespace hivemind {

McpOptions McpOptions::from_environment() {
  using namespace detail;
  McpOptions options;
  override_from("HIVEMIND_MCP_HOST", options.host);
  override_from("HIVEMIND_MCP_TOKEN", options.token);
  if (const char* port = non_empty_env("HIVEMIND_MCP_PORT")) {
    options.port = parse_port("HIVEMIND_MCP_PORT", port);
  }
  if (const char* timeout = non_empty_env("HIVEMIND_TIMEOUT")) {
    options.request_deadline = parse_seconds("HIVEMIND_TIMEOUT", timeout);
  }
  if (const char* timeout = non_empty_env("HIVEMIND_MCP_CONNECT_TIMEOUT")) {
    options.connect_deadline = parse_seconds("HIVEMIND_MCP_CONNECT_TIMEOUT", timeout);
  }
  if (const char* age = non_empty_env("HIVEMIND_MCP_RECYCLE_AFTER")) {
    options.recycle_after = parse_seconds_or_zero("HIVEMIND_MCP_RECYCLE_AFTER", age);
  }
  if (const char* rate = non_empty_env("HIVEMIND_MCP_RATE_LIMIT")) {
    const EventRate parsed = parse_rate("HIVEMIND_MCP_RATE_LIMIT", rate);
    options.rate_limit.enabled = true;
    options.rate_limit.events = parsed.events;
    options.rate_limit.window = parsed.window;
    options.rate_limit.burst = std::min(options.rate_limit.burst, parsed.events);
  }
  if (const char* limit = non_empty_env("HIVEMIND_MCP_MAX_IN_FLIGHT")) {
    options.max_in_flight = parse_positive_count("HIVEMIND_MCP_MAX_IN_FLIGHT", limit);
  }
  if (const char* verify = non_empty_env("HIVEMIND_MCP_VERIFY_AUTH")) {
    options.verify_auth = parse_flag("HIVEMIND_MCP_VERIFY_AUTH", verify);
  }
  return options;
}

}  // namespace hivemind

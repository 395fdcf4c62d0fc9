#include "hivemind/mcp/mcp_options.hpp"

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
  return options;
}

}  // namespace hivemind

#include "hivemind/mcp/mcp_event.hpp"

namespace hivemind {

const char* to_string(McpEvent::Kind kind) noexcept {
  switch (kind) {
    case McpEvent::Kind::notification:
      return "notification";
    case McpEvent::Kind::rpc_error:
      return "rpc_error";
    case McpEvent::Kind::relay_error:
      return "relay_error";
    case McpEvent::Kind::unparseable_line:
      return "unparseable_line";
    case McpEvent::Kind::disconnected:
      return "disconnected";
  }
  return "unknown";
}

}  // namespace hivemind

// JSON-RPC 2.0 messages as the MCP relay writes them, one per line. Pure functions:
// no sockets, so the TCP and WebSocket transports share them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hivemind/mcp/mcp_event.hpp"

namespace hivemind::mcp_detail {

struct RpcErrorBody {
  int code = 0;
  std::string message;
  nlohmann::json data;  // null when absent
};

// One line from the relay, classified.
struct IncomingMessage {
  enum class Kind { response, event };
  Kind kind = Kind::event;
  // response: the id (strings as is, numbers as their decimal text) and either
  // `result` or `error`.
  std::string id;
  nlohmann::json result;
  std::optional<RpcErrorBody> error;
  // event: everything that is not a response.
  McpEvent event;
};

// "{...}\n" for a request. `params` null leaves the member out.
std::string encode_request(std::string_view id, std::string_view method,
                           const nlohmann::json& params);

// Never throws: a line that is not JSON becomes an `unparseable_line` event. A
// response needs a truthy id (the relay treats 0, "" and null as broadcast).
IncomingMessage decode_message(std::string_view line);

}  // namespace hivemind::mcp_detail

// Traffic from the MCP relay that is not the answer to one of our requests. The
// relay broadcasts id-less lines to every client at any time; they are surfaced
// here and never mistaken for a response.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace hivemind {

struct McpEvent {
  enum class Kind {
    notification,      // a JSON-RPC message with a method and no id (e.g. server.initialized)
    rpc_error,         // an id-less JSON-RPC error (another client's notification, rate limit)
    relay_error,       // the relay's non-JSON-RPC {"error": "..."} line; it closes right after
    unparseable_line,  // a line that is not JSON, or JSON of no known shape
    disconnected,      // the connection closed; `message` says why
  };

  Kind kind = Kind::notification;
  std::string method;       // notification: its method
  nlohmann::json params;    // notification: its params (null when absent)
  std::optional<int> code;  // rpc_error: the JSON-RPC error code
  std::string message;      // rpc_error / relay_error / disconnected: the text
  nlohmann::json data;      // rpc_error: error.data (null when absent)
  std::string raw;          // the line as received (empty for `disconnected`)
};

const char* to_string(McpEvent::Kind kind) noexcept;

}  // namespace hivemind

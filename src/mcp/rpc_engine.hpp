// The sans-IO JSON-RPC engine of one connection: turns requests into lines, bytes
// into completed requests and events. The transport owns the socket and the
// clock; the engine owns framing, id matching and the pending-request table.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/line_framer.hpp"
#include "hivemind/mcp/mcp_event.hpp"
#include "mcp/jsonrpc_codec.hpp"
#include "mcp/request_id_generator.hpp"

namespace hivemind::mcp_detail {

// How one request ended: a result, a JSON-RPC error, or no answer at all (`failure`).
struct RpcOutcome {
  nlohmann::json result;
  std::optional<RpcErrorBody> error;
  std::error_code failure;  // connection_lost / protocol_error when no response came
  std::string failure_reason;
};

using RpcCompletion = std::function<void(RpcOutcome)>;
using EventHandler = std::function<void(McpEvent)>;

class RpcEngine {
 public:
  RpcEngine(std::size_t max_line_size, RequestIdGenerator& ids, EventHandler on_event);

  struct StartedRequest {
    std::string id;
    std::string line;  // to be written as is ("\n"-terminated)
  };
  // Registers a request; `on_done` runs exactly once, unless forget() comes first.
  StartedRequest start_request(std::string_view method, const nlohmann::json& params,
                               RpcCompletion on_done);

  // Drops a pending request (deadline passed, caller cancelled). A response that
  // arrives later finds no entry and is discarded.
  void forget(const std::string& id);

  // Feeds bytes read from the transport. Returns false when the stream is broken
  // (a line exceeded the maximum): the transport must close, then call fail_all().
  bool receive(std::string_view bytes);
  // Handles one complete line (no terminator) that the transport framed itself: the
  // WebSocket telemetry stream frames once and hands over what is not telemetry.
  void receive_line(std::string_view line);

  // Completes every pending request with `failure` (the connection is gone).
  void fail_all(std::error_code failure, const std::string& reason);

  std::size_t pending_count() const noexcept { return pending_.size(); }
  // The relay's last {"error": "..."} line: it closes the connection right after,
  // so this is the reason the connection ended.
  const std::optional<std::string>& relay_error() const noexcept { return relay_error_; }

 private:
  detail::LineFramer framer_;
  RequestIdGenerator& ids_;
  EventHandler on_event_;
  std::unordered_map<std::string, RpcCompletion> pending_;
  std::optional<std::string> relay_error_;
};

}  // namespace hivemind::mcp_detail

#include "mcp/rpc_engine.hpp"

#include "hivemind/common/logging.hpp"

namespace hivemind::mcp_detail {

RpcEngine::RpcEngine(std::size_t max_line_size, RequestIdGenerator& ids, EventHandler on_event)
    : framer_(detail::LineFramer::protocol(max_line_size)), ids_(ids), on_event_(std::move(on_event)) {}

RpcEngine::StartedRequest RpcEngine::start_request(std::string_view method,
                                                   const nlohmann::json& params,
                                                   RpcCompletion on_done) {
  StartedRequest started{ids_.next(), {}};
  started.line = encode_request(started.id, method, params);
  pending_.emplace(started.id, std::move(on_done));
  return started;
}

void RpcEngine::forget(const std::string& id) {
  pending_.erase(id);
}

bool RpcEngine::receive(std::string_view bytes) {
  return framer_.feed(bytes, [this](std::string_view line) { receive_line(line); });
}

void RpcEngine::receive_line(std::string_view line) {
  IncomingMessage message = decode_message(line);
  if (message.kind == IncomingMessage::Kind::event) {
    if (message.event.kind == McpEvent::Kind::relay_error) relay_error_ = message.event.message;
    if (on_event_) on_event_(std::move(message.event));
    return;
  }
  const auto entry = pending_.find(message.id);
  if (entry == pending_.end()) {
    // Late (after a timeout or cancel) or meant for nobody we know: never guess.
    logger()->debug("mcp: dropping response for unknown id {}", message.id);
    return;
  }
  RpcCompletion on_done = std::move(entry->second);
  pending_.erase(entry);
  on_done(RpcOutcome{std::move(message.result), std::move(message.error), {}, {}});
}

void RpcEngine::fail_all(std::error_code failure, const std::string& reason) {
  auto failed = std::move(pending_);
  pending_.clear();
  for (auto& [id, on_done] : failed) on_done(RpcOutcome{{}, std::nullopt, failure, reason});
}

}  // namespace hivemind::mcp_detail

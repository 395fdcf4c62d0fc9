#include "mcp/jsonrpc_codec.hpp"

#include "common/json_reader.hpp"

namespace hivemind::mcp_detail {
namespace {

using nlohmann::json;

// The relay routes by id and treats a falsy id as "no id" (broadcast).
std::optional<std::string> truthy_id(const json& message) {
  const auto it = message.find("id");
  if (it == message.end()) return std::nullopt;
  if (it->is_string() && !it->get_ref<const std::string&>().empty()) return it->get<std::string>();
  if (it->is_number_integer() && it->get<long long>() != 0) return it->dump();
  return std::nullopt;
}

RpcErrorBody decode_error(const json& error) {
  RpcErrorBody body;
  if (!error.is_object()) {
    body.message = error.is_string() ? error.get<std::string>() : error.dump();
    return body;
  }
  if (const auto code = error.find("code"); code != error.end() && code->is_number_integer()) {
    body.code = code->get<int>();
  }
  if (const auto text = error.find("message"); text != error.end() && text->is_string()) {
    body.message = text->get<std::string>();
  }
  if (const auto data = error.find("data"); data != error.end()) body.data = *data;
  return body;
}

IncomingMessage event_message(McpEvent::Kind kind, std::string_view line) {
  IncomingMessage message;
  message.event.kind = kind;
  message.event.raw = std::string(line);
  return message;
}

}  // namespace

std::string encode_request(std::string_view id, std::string_view method, const json& params) {
  json request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) request["params"] = params;
  std::string line = request.dump(-1, ' ', false, json::error_handler_t::replace);
  line.push_back('\n');
  return line;
}

IncomingMessage decode_message(std::string_view line) {
  json parsed = detail::read_json(line);
  if (!parsed.is_object()) return event_message(McpEvent::Kind::unparseable_line, line);

  const bool is_jsonrpc = parsed.contains("jsonrpc");
  const auto error = parsed.find("error");
  // The relay's own rejections ({"error": "Rate limit exceeded"}) are not JSON-RPC.
  if (!is_jsonrpc && error != parsed.end() && error->is_string()) {
    IncomingMessage message = event_message(McpEvent::Kind::relay_error, line);
    message.event.message = error->get<std::string>();
    return message;
  }

  if (const auto method = parsed.find("method"); method != parsed.end() && method->is_string()) {
    IncomingMessage message = event_message(McpEvent::Kind::notification, line);
    message.event.method = method->get<std::string>();
    if (const auto params = parsed.find("params"); params != parsed.end()) {
      message.event.params = std::move(*params);
    }
    return message;
  }

  const bool has_result = parsed.contains("result");
  if (auto id = truthy_id(parsed); id && (has_result || error != parsed.end())) {
    IncomingMessage message;
    message.kind = IncomingMessage::Kind::response;
    message.id = std::move(*id);
    if (error != parsed.end() && !error->is_null()) {
      message.error = decode_error(*error);
    } else {
      message.result = std::move(parsed["result"]);
    }
    return message;
  }

  if (error != parsed.end()) {
    IncomingMessage message = event_message(McpEvent::Kind::rpc_error, line);
    RpcErrorBody body = decode_error(*error);
    message.event.code = body.code;
    message.event.message = std::move(body.message);
    message.event.data = std::move(body.data);
    return message;
  }
  return event_message(McpEvent::Kind::unparseable_line, line);
}

}  // namespace hivemind::mcp_detail

#include "mcp/rpc_result.hpp"

#include <string>

#include "common/json_reader.hpp"
#include "hivemind/common/error.hpp"
#include "mcp/envelope_scanner.hpp"

namespace hivemind::mcp_detail {
namespace {

using nlohmann::json;

errc classify_rpc_error(const RpcErrorBody& error) {
  if (error.message.starts_with("Authentication")) return errc::auth_failed;
  if (error.message == "Rate limit exceeded") return errc::rate_limited;
  if (error.message == "Tool execution failed") return errc::tool_failed;
  return errc::rpc_error;
}

std::string string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// {"success":true,"tool":NAME,"message":"Tool NAME executed successfully"} is what the
// deployed backend returns for every tool it does not implement.
bool is_fake_success(std::string_view tool, const json& payload) {
  if (!payload.is_object() || string_field(payload, "tool") != tool) return false;
  const std::string expected = "Tool " + std::string(tool) + " executed successfully";
  return string_field(payload, "message") == expected;
}

// The content[0].text string of the deployed shape, or null when `result` is the payload.
const json* content_text(const json& result) {
  const auto content = result.is_object() ? result.find("content") : result.end();
  if (content == result.end() || !content->is_array() || content->empty()) return nullptr;
  const json& first = content->front();
  const auto text = first.is_object() ? first.find("text") : first.end();
  if (text == first.end() || !text->is_string()) return nullptr;
  return &*text;
}

json extract_payload(const json& result) {
  const json* text = content_text(result);
  if (!text) return result;
  json parsed = detail::read_json(text->get_ref<const std::string&>());
  // Plain-text tool output stays a string rather than failing the call.
  return parsed.is_discarded() ? *text : parsed;
}

ErrorContext with_output(const json& payload) {
  ErrorContext context;
  context.output_text = payload.dump();
  return context;
}

// content[0].text found by the scanner, without building the result's tree: the text
// parsed once. Any other shape is parsed whole and handled as extract_payload does.
json extract_payload_from_text(std::string_view result_text) {
  const std::string_view text =
      find_member(first_element(find_member(result_text, "content")), "text");
  if (!text.empty() && text.front() == '"') {
    json literal = detail::read_json(text);
    if (literal.is_string()) {
      json parsed = detail::read_json(literal.get_ref<const std::string&>());
      return parsed.is_discarded() ? std::move(literal) : parsed;
    }
  }
  json result = detail::read_json(result_text);
  if (result.is_discarded()) {
    throw Error(errc::protocol_error, "tools/call: the result is not valid JSON");
  }
  if (!content_text(result)) return result;  // the payload itself: moved, not copied
  return extract_payload(result);
}

json check_tool_payload(std::string_view tool, json payload) {
  if (is_fake_success(tool, payload)) {
    throw Error(errc::tool_unavailable,
                "tool " + std::string(tool) + " is not implemented by the server",
                with_output(payload));
  }
  if (payload.is_object()) {
    const auto success = payload.find("success");
    if (success != payload.end() && success->is_boolean() && !success->get<bool>()) {
      std::string reason = string_field(payload, "error");
      throw Error(errc::tool_failed, "tool " + std::string(tool) + " failed: " + reason,
                  with_output(payload));
    }
  }
  return payload;
}

}  // namespace

json take_result(RpcOutcome outcome, std::string_view method) {
  if (outcome.failure) {
    throw Error(outcome.failure, std::string(method) + ": " + outcome.failure_reason);
  }
  if (outcome.error) {
    ErrorContext context;
    context.rpc_code = outcome.error->code;
    context.rpc_data = outcome.error->data;
    context.output_text = outcome.error->message;
    std::string text = std::string(method) + ": " + outcome.error->message;
    if (outcome.error->data.is_string()) text += ": " + outcome.error->data.get<std::string>();
    throw Error(classify_rpc_error(*outcome.error), text, std::move(context));
  }
  return std::move(outcome.result);
}

json unwrap_tool_payload(std::string_view tool, const json& result) {
  return check_tool_payload(tool, extract_payload(result));
}

json unwrap_tool_result_text(std::string_view tool, std::string_view result_text) {
  return check_tool_payload(tool, extract_payload_from_text(result_text));
}

}  // namespace hivemind::mcp_detail

// decode_message: never throws; classifies every line consistently with its JSON; a
// request the SDK encodes is one line that decodes back to its method and params.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "mcp/jsonrpc_codec.hpp"

namespace {

using hivemind::McpEvent;
using hivemind::mcp_detail::decode_message;
using hivemind::mcp_detail::encode_request;
using hivemind::mcp_detail::IncomingMessage;
using nlohmann::json;

void check_decoded(std::string_view line) {
  const IncomingMessage message = decode_message(line);
  const json parsed = json::parse(line, nullptr, false);
  if (message.kind == IncomingMessage::Kind::response) {
    FUZZ_CHECK(parsed.is_object());
    FUZZ_CHECK(!message.id.empty());  // falsy ids are broadcasts, never responses
    FUZZ_CHECK(parsed.contains("result") || parsed.contains("error"));
    if (message.error) FUZZ_CHECK(!parsed.at("error").is_null());
    return;
  }
  FUZZ_CHECK(message.event.raw == line);  // events keep the line for the application
  if (!parsed.is_object()) FUZZ_CHECK(message.event.kind == McpEvent::Kind::unparseable_line);
  if (message.event.kind == McpEvent::Kind::notification) {
    FUZZ_CHECK(parsed.at("method").get<std::string>() == message.event.method);
  }
}

bool is_valid_utf8(std::string_view text) {
  try {
    (void)json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::strict);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_decoded(input);

  // Split the input into an id, a method and JSON params for the encoder.
  const auto first = input.find('\0');
  const auto second = first == std::string_view::npos ? first : input.find('\0', first + 1);
  if (second == std::string_view::npos) return 0;
  const std::string_view id = input.substr(0, first);
  const std::string_view method = input.substr(first + 1, second - first - 1);
  json params = json::parse(input.substr(second + 1), nullptr, false);  // valid UTF-8 if parsed
  if (params.is_discarded()) params = nullptr;

  const std::string line = encode_request(id, method, params);
  FUZZ_CHECK(line.ends_with('\n'));
  FUZZ_CHECK(line.find('\n') == line.size() - 1);  // one request, one line: framing holds
  const std::string_view body(line.data(), line.size() - 1);
  const IncomingMessage decoded = decode_message(body);
  FUZZ_CHECK(decoded.kind == IncomingMessage::Kind::event);
  FUZZ_CHECK(decoded.event.kind == McpEvent::Kind::notification);
  // Invalid UTF-8 is replaced on the way out, so only valid text must come back as is.
  if (is_valid_utf8(id) && is_valid_utf8(method)) {
    FUZZ_CHECK(decoded.event.method == method);
    const json request = json::parse(body);
    FUZZ_CHECK(request.at("id").get<std::string>() == id);
    if (!params.is_null()) FUZZ_CHECK(decoded.event.params == params);
  }
  return 0;
}

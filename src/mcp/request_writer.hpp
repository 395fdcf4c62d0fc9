// Writes a JSON-RPC request line straight into a connection's output buffer: no request
// object, no copy of the params as JSON (a json value is serialized in place, pre-
// serialized text is copied as bytes).
#pragma once

#include <charconv>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hivemind::mcp_detail {

// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
void append_json_string(std::string& out, std::string_view text);
// `number` in decimal digits.
template <class Unsigned>
void append_decimal(std::string& out, Unsigned number) {
  char digits[std::numeric_limits<Unsigned>::digits10 + 1];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, number).ptr);
}
// `value` serialized (compact; invalid UTF-8 replaced, as encode_request does).
void append_json(std::string& out, const nlohmann::json& value);
// `json_text` as is, except that line breaks become spaces: outside strings they are
// whitespace, and a JSON string cannot hold a raw one, so the line stays one line.
void append_json_text(std::string& out, std::string_view json_text);

// Appends {"jsonrpc":"2.0","id":"<id>","method":<method>[,"params":<params_text>]}\n,
// `params_text` already valid JSON (empty leaves the member out).
void append_request(std::string& out, std::string_view id, std::string_view method,
                    std::string_view params_text);

}  // namespace hivemind::mcp_detail

// A hand scanner for the envelope of one JSON-RPC line: where the top-level "id",
// "result" and "error" members are, whether "method" and "jsonrpc" are there, without
// building a JSON tree. The hot path decides from it whose answer a line is and hands
// the result bytes on untouched (parsed later, and only if a typed API wants them).
// Anything it is not sure about (not one object, bad syntax, escaped id) is `ok ==
// false`, and the caller falls back to the full decoder (decode_message).
#pragma once

#include <string_view>

namespace hivemind::mcp_detail {

struct Envelope {
  bool ok = false;  // one well-formed JSON object, trailing whitespace only
  bool has_jsonrpc = false;
  bool has_method = false;
  // The id: a string's characters (no escapes in them) or a number's text; empty if absent.
  std::string_view id;
  bool id_is_string = false;
  // The raw JSON text of the members, empty if absent (the last one wins if repeated).
  std::string_view result;
  std::string_view error;
};

Envelope scan_envelope(std::string_view line) noexcept;

// The raw JSON text of `key` in the object `object_text` (top level only), empty when
// absent or when `object_text` is not a well-formed object.
std::string_view find_member(std::string_view object_text, std::string_view key) noexcept;

// The raw text of the first element of the array `array_text`, empty when absent.
std::string_view first_element(std::string_view array_text) noexcept;

// True for a JSON string literal without escapes: its characters are then text[1..n-1).
bool is_plain_string(std::string_view text) noexcept;

}  // namespace hivemind::mcp_detail

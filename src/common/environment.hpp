// Reading options from HIVEMIND_* environment variables: the one parser of each format,
// shared by ClientOptions, McpOptions and TelemetryOptions (docs/configuration.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hivemind::detail {

// The variable's value, or null when it is unset or empty (empty variables are ignored).
const char* non_empty_env(const char* variable);
// Replaces `field` with the variable's value when it has one.
void override_from(const char* variable, std::string& field);
// Seconds, possibly fractional, in (0, 604800]; otherwise invalid_argument naming both.
std::chrono::milliseconds parse_seconds(const char* variable, const std::string& text);
// Seconds as parse_seconds, but 0 is allowed too (a duration where zero disables something).
std::chrono::milliseconds parse_seconds_or_zero(const char* variable, const std::string& text);
// A positive decimal integer (digits only, at most 2^31 - 1); otherwise invalid_argument.
std::size_t parse_positive_count(const char* variable, const std::string& text);
// `1`, `0`, `true` or `false` (case-insensitive); otherwise invalid_argument.
bool parse_flag(const char* variable, const std::string& text);
// "N/S": N events (positive integer) per S seconds (as parse_seconds), e.g. "90/60".
struct EventRate {
  int events;
  std::chrono::milliseconds window;
};
EventRate parse_rate(const char* variable, const std::string& text);
// A TCP port, 1-65535, digits only; nullopt for anything else. The one port check, for the
// variables here and for the port inside a URL (TelemetryOptions::set_url).
std::optional<std::uint16_t> port_number(std::string_view text);
// port_number, or invalid_argument naming the variable and the text.
std::uint16_t parse_port(const char* variable, const std::string& text);

}  // namespace hivemind::detail

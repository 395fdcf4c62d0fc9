#include "common/environment.hpp"

#include <cmath>
#include <cstdlib>
#include <exception>

#include "hivemind/common/error.hpp"

namespace hivemind::detail {

const char* non_empty_env(const char* variable) {
  const char* value = std::getenv(variable);
  return value && *value ? value : nullptr;
}

void override_from(const char* variable, std::string& field) {
  if (const char* value = non_empty_env(variable)) field = value;
}

std::chrono::milliseconds parse_seconds(const char* variable, const std::string& text) {
  std::size_t consumed = 0;
  double seconds = 0;
  try {
    seconds = std::stod(text, &consumed);
  } catch (const std::exception&) {
    consumed = 0;
  }
  if (consumed != text.size() || !std::isfinite(seconds) || seconds <= 0 || seconds > 86400 * 7) {
    throw Error(errc::invalid_argument, std::string(variable) + "='" + text +
                                            "' is not a number of seconds between 0 and 604800");
  }
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::ceil(seconds * 1000))};
}

std::optional<std::uint16_t> port_number(std::string_view text) {
  const bool digits_only = !text.empty() && text.size() <= 5 &&
                           text.find_first_not_of("0123456789") == std::string_view::npos;
  const int port = digits_only ? std::stoi(std::string(text)) : 0;
  if (port < 1 || port > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(port);
}

std::uint16_t parse_port(const char* variable, const std::string& text) {
  if (const auto port = port_number(text)) return *port;
  throw Error(errc::invalid_argument,
              std::string(variable) + "='" + text + "' is not a TCP port between 1 and 65535");
}

}  // namespace hivemind::detail

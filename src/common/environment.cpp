#include "common/environment.hpp"

#include <algorithm>
#include <cctype>
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

std::chrono::milliseconds parse_seconds_or_zero(const char* variable, const std::string& text) {
  std::size_t consumed = 0;
  double seconds = -1;
  try {
    seconds = std::stod(text, &consumed);
  } catch (const std::exception&) {
    consumed = 0;
  }
  if (consumed == text.size() && seconds == 0) return std::chrono::milliseconds{0};
  return parse_seconds(variable, text);
}

std::size_t parse_positive_count(const char* variable, const std::string& text) {
  const bool digits_only = !text.empty() && text.size() <= 10 &&
                           text.find_first_not_of("0123456789") == std::string::npos;
  const long long value = digits_only ? std::stoll(text) : 0;
  if (value < 1 || value > 2147483647LL) {
    throw Error(errc::invalid_argument,
                std::string(variable) + "='" + text + "' is not a positive integer");
  }
  return static_cast<std::size_t>(value);
}

bool parse_flag(const char* variable, const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "1" || lower == "true") return true;
  if (lower == "0" || lower == "false") return false;
  throw Error(errc::invalid_argument,
              std::string(variable) + "='" + text + "' is not 1, 0, true or false");
}

EventRate parse_rate(const char* variable, const std::string& text) {
  const auto slash = text.find('/');
  const auto fail = [&] {
    return Error(errc::invalid_argument,
                 std::string(variable) + "='" + text +
                     "' is not a rate N/S (N messages per S seconds, e.g. 90/60)");
  };
  if (slash == std::string::npos) throw fail();
  EventRate rate{};
  try {
    rate.events = static_cast<int>(parse_positive_count(variable, text.substr(0, slash)));
    rate.window = parse_seconds(variable, text.substr(slash + 1));
  } catch (const Error&) {
    throw fail();
  }
  return rate;
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

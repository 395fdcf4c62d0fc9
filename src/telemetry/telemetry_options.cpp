#include "hivemind/telemetry/telemetry_options.hpp"

#include <string_view>

#include "common/environment.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind {

const char* to_string(TelemetryMode mode) noexcept {
  switch (mode) {
    case TelemetryMode::automatic:
      return "auto";
    case TelemetryMode::subscribe:
      return "subscribe";
    case TelemetryMode::poll:
      return "poll";
  }
  return "unknown";
}

void TelemetryOptions::set_url(std::string_view url) {
  const auto refuse = [&](std::string_view why) {
    return Error(errc::invalid_argument, "WebSocket URL '" + std::string(url) + "' " +
                                             std::string(why) +
                                             " (expected ws://HOST[:PORT][/PATH])");
  };
  constexpr std::string_view scheme = "ws://";
  if (!url.starts_with(scheme)) throw refuse("does not start with ws://");
  const std::string_view rest = url.substr(scheme.size());
  const auto path_at = rest.find('/');
  const std::string_view authority = rest.substr(0, path_at);
  const auto colon = authority.rfind(':');
  if (colon == 0 || authority.empty()) throw refuse("has no host");
  std::uint16_t new_port = port;
  if (colon != std::string_view::npos) {
    const auto number = detail::port_number(authority.substr(colon + 1));
    if (!number) throw refuse("has no valid port");
    new_port = *number;
  }
  // Nothing changes unless the whole URL is valid.
  host = std::string(authority.substr(0, colon));
  port = new_port;
  path = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
}

TelemetryOptions TelemetryOptions::from_environment() {
  TelemetryOptions options;
  if (const char* url = detail::non_empty_env("HIVEMIND_WS_URL")) {
    try {
      options.set_url(url);
    } catch (const Error& e) {
      throw Error(errc::invalid_argument, std::string("HIVEMIND_WS_URL: ") + e.what());
    }
  }
  detail::override_from("HIVEMIND_MCP_TOKEN", options.token);
  return options;
}

}  // namespace hivemind

#include "hivemind/telemetry/telemetry_options.hpp"

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

}  // namespace hivemind

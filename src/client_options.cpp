#include "hivemind/client_options.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

#include "hivemind/error.hpp"

namespace hivemind {
namespace {

void override_from(const char* variable, std::string& field) {
  if (const char* value = std::getenv(variable); value && *value) field = value;
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

}  // namespace

ClientOptions ClientOptions::from_environment() {
  ClientOptions options;
  override_from("HIVEMIND_DOCKER", options.cli);
  override_from("HIVEMIND_CONTAINER", options.container);
  override_from("HIVEMIND_SCRIPT", options.script);
  if (const char* dir = std::getenv("HIVEMIND_HOST_EXT_DIR"); dir && *dir)
    options.host_ext_dir = dir;
  if (const char* timeout = std::getenv("HIVEMIND_TIMEOUT"); timeout && *timeout) {
    options.call_timeout = parse_seconds("HIVEMIND_TIMEOUT", timeout);
  }
  return options;
}

}  // namespace hivemind

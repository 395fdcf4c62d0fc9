#include "hivemind/control/client_options.hpp"

#include "common/environment.hpp"

namespace hivemind {

ClientOptions ClientOptions::from_environment() {
  using namespace detail;
  ClientOptions options;
  override_from("HIVEMIND_DOCKER", options.cli);
  override_from("HIVEMIND_CONTAINER", options.container);
  override_from("HIVEMIND_SCRIPT", options.script);
  if (const char* dir = non_empty_env("HIVEMIND_HOST_EXT_DIR")) options.host_ext_dir = dir;
  if (const char* timeout = non_empty_env("HIVEMIND_TIMEOUT")) {
    options.call_timeout = parse_seconds("HIVEMIND_TIMEOUT", timeout);
  }
  return options;
}

}  // namespace hivemind

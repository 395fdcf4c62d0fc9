#include "hivemind/control/client_options.hpp"

#include "common/environment.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind {
std::string_view to_string(ContainerTransport transport) noexcept {
  switch (transport) {
    case ContainerTransport::cli:
      return "cli";
    case ContainerTransport::engine_api:
      return "engine-api";
    case ContainerTransport::kubectl:
      return "kubectl";
    case ContainerTransport::automatic:
      break;
  }
  return "auto";
}

std::optional<ContainerTransport> container_transport_from_string(std::string_view text) noexcept {
  for (const auto transport : {ContainerTransport::automatic, ContainerTransport::cli,
                               ContainerTransport::engine_api, ContainerTransport::kubectl}) {
    if (text == to_string(transport)) return transport;
  }
  return std::nullopt;
}

ClientOptions ClientOptions::from_environment() {
  using namespace detail;
  ClientOptions options;
  if (const char* text = non_empty_env("HIVEMIND_TRANSPORT")) {
    const auto transport = container_transport_from_string(text);
    if (!transport) {
      throw Error(errc::invalid_argument, std::string("HIVEMIND_TRANSPORT='") + text +
                                              "' is not one of auto, cli, engine-api, kubectl");
    }
    options.transport = *transport;
  }
  override_from("HIVEMIND_DOCKER", options.cli);
  override_from("HIVEMIND_KUBECTL", options.kubernetes.kubectl);
  override_from("HIVEMIND_KUBE_CONTEXT", options.kubernetes.context);
  override_from("HIVEMIND_KUBE_NAMESPACE", options.kubernetes.namespace_name);
  override_from("HIVEMIND_KUBE_CONTAINER", options.kubernetes.container);
  override_from("HIVEMIND_CONTAINER", options.container);
  override_from("HIVEMIND_SCRIPT", options.script);
  if (const char* dir = non_empty_env("HIVEMIND_HOST_EXT_DIR")) options.host_ext_dir = dir;
  if (const char* timeout = non_empty_env("HIVEMIND_TIMEOUT")) {
    options.call_timeout = parse_seconds("HIVEMIND_TIMEOUT", timeout);
  }
  return options;
}

}  // namespace hivemind

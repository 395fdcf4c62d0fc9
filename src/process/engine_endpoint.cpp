#include "process/engine_endpoint.hpp"

#include <unistd.h>

#include <cstdlib>

#include "common/environment.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

constexpr std::string_view kDefaultHost = "unix:///var/run/docker.sock";

std::string_view engine_host_of(const ClientOptions& options) {
  if (!options.engine_host.empty()) return options.engine_host;
  if (const char* from_environment = non_empty_env("DOCKER_HOST")) return from_environment;
  return kDefaultHost;
}

// What the CLI would do differently from the API transport: another CLI, a context, TLS.
bool cli_is_configured_beyond_the_api(const ClientOptions& options) {
  return options.cli != "docker" || !options.cli_global_args.empty() ||
         non_empty_env("DOCKER_CONTEXT") || non_empty_env("DOCKER_TLS_VERIFY");
}

}  // namespace

EngineEndpoint parse_engine_host(std::string_view text) {
  EngineEndpoint endpoint;
  endpoint.text = std::string(text);
  if (text.starts_with("unix://")) {
    endpoint.kind = EngineEndpoint::Kind::unix_socket;
    endpoint.path = std::string(text.substr(7));
    if (!endpoint.path.starts_with('/')) {
      throw Error(errc::invalid_argument,
                  "engine host '" + endpoint.text + "' needs an absolute socket path");
    }
    return endpoint;
  }
  if (text.starts_with("tcp://")) {
    std::string_view authority = text.substr(6);
    if (const auto slash = authority.find('/'); slash != std::string_view::npos) {
      if (authority.substr(slash) != "/") {
        throw Error(errc::invalid_argument,
                    "engine host '" + endpoint.text + "' has a path; only tcp://host:port works");
      }
      authority = authority.substr(0, slash);
    }
    const auto colon = authority.rfind(':');
    const bool has_port =
        colon != std::string_view::npos && authority.find(']', colon) == authority.npos;
    endpoint.kind = EngineEndpoint::Kind::tcp;
    endpoint.host = std::string(has_port ? authority.substr(0, colon) : authority);
    endpoint.port = has_port ? std::string(authority.substr(colon + 1)) : "2375";
    if (endpoint.host.starts_with('[') && endpoint.host.ends_with(']')) {
      endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
    }
    if (endpoint.host.empty() || !port_number(endpoint.port)) {
      throw Error(errc::invalid_argument,
                  "engine host '" + endpoint.text + "' is not tcp://host:port");
    }
    return endpoint;
  }
  throw Error(errc::invalid_argument, "engine host '" + endpoint.text +
                                          "' is neither unix:///path nor tcp://host:port (use "
                                          "ContainerTransport::cli for ssh:// and contexts)");
}

std::optional<EngineEndpoint> engine_endpoint_for(const ClientOptions& options) {
  switch (options.transport) {
    case ContainerTransport::cli:
    case ContainerTransport::kubectl:
      return std::nullopt;
    case ContainerTransport::engine_api:
      return parse_engine_host(engine_host_of(options));
    case ContainerTransport::automatic:
      break;
  }
  if (cli_is_configured_beyond_the_api(options)) return std::nullopt;
  const auto host = engine_host_of(options);
  if (!host.starts_with("unix://") && !host.starts_with("tcp://")) return std::nullopt;
  EngineEndpoint endpoint = parse_engine_host(host);
  if (endpoint.kind == EngineEndpoint::Kind::unix_socket &&
      ::access(endpoint.path.c_str(), R_OK | W_OK) != 0) {
    return std::nullopt;  // no daemon here (or not ours to use): the CLI says why
  }
  return endpoint;
}

}  // namespace hivemind::detail

// Where the Docker Engine API listens, and whether a call goes there or through the CLI.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hivemind/control/client_options.hpp"

namespace hivemind::detail {

struct EngineEndpoint {
  enum class Kind { unix_socket, tcp };
  Kind kind = Kind::unix_socket;
  std::string path;  // unix_socket
  std::string host;  // tcp
  std::string port;  // tcp
  std::string text;  // as given, e.g. "unix:///var/run/docker.sock", for messages
};

// Parses DOCKER_HOST syntax: unix:///path or tcp://host:port (port 2375 when omitted).
// Anything else (ssh://, npipe://, a bare path) is invalid_argument naming the text.
EngineEndpoint parse_engine_host(std::string_view text);

// The endpoint a call uses, or nullopt for the CLI: ContainerTransport::automatic decides as
// documented in client_options.hpp; engine_api always gives an endpoint (an unusable one fails
// the call with container_unavailable, as an unreachable daemon does).
std::optional<EngineEndpoint> engine_endpoint_for(const ClientOptions& options);

}  // namespace hivemind::detail

// What one exec through the Docker Engine API asks for, built from the client's options, and
// the daemon's answers read as the SDK's errors. Sans-IO: engine_api.cpp sends it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/control/client_options.hpp"

namespace hivemind::detail {

struct EngineExecRequest {
  std::string container;
  std::vector<std::string> command;
  std::vector<std::string> environment;  // NAME=value
  std::string user;
  std::string working_dir;
  bool privileged = false;
  bool detach = false;
  std::size_t max_output_bytes = 8u << 20;  // per stream
};

// `options.exec_args` are translated: -u/--user, -w/--workdir, -e/--env (NAME=value, or NAME
// alone for the caller's own value, as the CLI does) and --privileged. Anything else (e.g. -t)
// is invalid_argument naming it: ContainerTransport::cli passes any CLI flag through.
// `token` (may be empty) goes into the environment (exec_token.hpp).
EngineExecRequest engine_exec_request(const ClientOptions& options, bool detach,
                                      std::vector<std::string> command, std::string_view token);

// The JSON body of POST /containers/{id}/exec.
std::string exec_create_body(const EngineExecRequest& request);

// A refusal of the daemon (an HTTP status other than the expected one) as the SDK's error:
// 404 (no such container) and 409 (not running, paused, restarting) are container_unavailable,
// anything else docker_exec_failed; the message holds the daemon's own `message`.
Error engine_refusal(int http_status, std::string_view body, const std::string& what,
                     ErrorContext context);

}  // namespace hivemind::detail

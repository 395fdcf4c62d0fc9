// Exec through the Docker Engine API: HTTP/1.1 over a unix socket or TCP, no process per
// call. POST /containers/{id}/exec, POST /exec/{id}/start (attached: the daemon hijacks the
// connection and sends the multiplexed output until the command's streams close; detached:
// Detach=true), then GET /exec/{id}/json for the exit code. The API version is negotiated
// once per endpoint (GET /version). Idle keep-alive connections are pooled per endpoint as
// plain file descriptors, so that calls on different io_contexts (every synchronous call runs
// on one of its own) reuse them.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "process/engine_endpoint.hpp"
#include "process/engine_exec_request.hpp"

namespace hivemind::detail {

struct EngineExecResult {
  int exit_code = 0;  // 0 for a detached exec that started
  std::string out;
  std::string err;
};

// What an Engine API exec is called in errors and logs: {"engine-api", endpoint, "exec",
// container, command...}, shaped like a CLI argv.
std::vector<std::string> engine_argv(const EngineEndpoint& endpoint,
                                     const EngineExecRequest& request);

// Throws hivemind::Error:
//  - container_unavailable before the command ran: the daemon cannot be reached, or refused
//    the exec (404 no such container, 409 not running or paused) — safe to retry;
//  - docker_exec_failed for any other refusal, or a connection lost while the command ran;
//  - output_too_large when a stream passes request.max_output_bytes (the command may still
//    run in the container: the caller ends it).
// No deadline of its own: the caller races it against one (cancellation closes the socket).
boost::asio::awaitable<EngineExecResult> engine_exec(const EngineEndpoint& endpoint,
                                                     const EngineExecRequest& request);

}  // namespace hivemind::detail

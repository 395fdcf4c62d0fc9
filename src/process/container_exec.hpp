// Runs commands inside the container, through the Docker Engine API (engine_api.hpp) or the
// configured CLI (`docker [global args] exec [-d] [exec args] CONTAINER COMMAND...`), with
// the per-call deadline and the retry policy. The one seam of the control plane to the
// engine: it builds CLI argv and tells a container failure from a failure of the command
// that ran inside it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/client_options.hpp"
#include "process/process_runner.hpp"

namespace hivemind::detail {

enum class ExecMode {
  attached,  // wait for the command; capture its output
  detached,  // `exec -d`: the CLI returns as soon as the command started
  // `exec -i`: attached, with the command's stdin connected to the CLI's, so that it sees
  // EOF when the CLI goes away (killing the CLI does not end the command in the container,
  // moby/moby#9098). Use with ChildCommand::stdin_lifeline.
  interactive,
};

// The full argv (CLI first) for running `command` in the container; with a token (see
// exec_token.hpp) the command gets it in its environment.
std::vector<std::string> container_argv(const ClientOptions& options, ExecMode mode,
                                        const std::vector<std::string>& command,
                                        std::string_view token = {});

// A command that ran in the container: its argv (CLI first) and what it printed.
struct ContainerResult {
  std::vector<std::string> argv;
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Whether a finished invocation failed because of the container (not the command),
// judged loosely from the CLI's stderr.
bool is_container_unavailable(const ContainerResult& result);

// Runs `command` in the container, through the Engine API or the CLI (engine_endpoint.hpp).
// On a deadline, a cancel or an overflow the command is also ended inside the container
// (exec_token.hpp) before the error propagates. Failures that happened before the command ran
// (CLI could not start, container unavailable) are retried per options.retry and then
// thrown as docker_exec_failed / container_unavailable; anything else, including a
// non-zero exit of the command itself, is returned for the caller to interpret.
// timeout / output_too_large / cancelled propagate from run_process, never retried.
// `token`: the command's HIVEMIND_EXEC_ID; empty gives an attached command a random one (a
// detached command then gets none).
boost::asio::awaitable<ContainerResult> exec_in_container(const ClientOptions& options,
                                                          ExecMode mode,
                                                          std::vector<std::string> command,
                                                          std::string token = {});

// What a command printed, for an error message: without its trailing line breaks and
// spaces, at most 500 bytes (the whole text stays in the ErrorContext).
std::string output_excerpt(std::string_view text);

// The ErrorContext for a finished command (argv, exit code, stderr, stdout excerpt).
ErrorContext context_of(const ContainerResult& result);

}  // namespace hivemind::detail

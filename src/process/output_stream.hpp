// Runs a long-lived child (e.g. `docker exec … tail -F`) and delivers its stdout as it
// arrives, in chunks of whatever size the pipe gave (callers split lines themselves, so
// that they also know exactly how many bytes were consumed). Stderr is kept, bounded, for
// the error message.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "process/child_process.hpp"

namespace hivemind::detail {

struct OutputStreamRequest {
  ChildCommand command;
  // Only the most recent stderr is kept: it explains how the stream ended.
  std::size_t max_stderr_bytes = 64u << 10;
};

struct OutputStreamResult {
  // Set when the program could not be started at all; nothing ran.
  std::error_code launch_error;
  int exit_code = -1;
  std::string err;  // the last max_stderr_bytes of stderr
};

// Completes when the process has exited, after everything it wrote was delivered. There is
// no deadline: it runs until then or until cancelled.
//  - Cancellation (Asio per-operation, terminal): the process group is killed and reaped,
//    the pipes are closed, and hivemind::Error(cancelled) is thrown.
//  - An exception thrown by `on_output` ends the stream the same way and propagates as is.
// `on_output` runs on the awaiting coroutine's executor; the view is valid during the call.
boost::asio::awaitable<OutputStreamResult> run_output_stream(
    OutputStreamRequest request, std::function<void(std::string_view chunk)> on_output);

}  // namespace hivemind::detail

// Runs a long-lived child (e.g. `docker exec … tail -F`) and delivers its stdout line by
// line as it arrives (see LineSplitter for what a line is). Stderr is kept, bounded, for
// the error message.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/awaitable.hpp>

#include "detail/child_process.hpp"

namespace hivemind::detail {

struct LineStreamRequest {
  ChildCommand command;
  // A longer line is delivered in pieces of at most this many bytes.
  std::size_t max_line_bytes = 1u << 20;
  // Only the most recent stderr is kept: it explains how the stream ended.
  std::size_t max_stderr_bytes = 64u << 10;
};

struct LineStreamResult {
  // Set when the program could not be started at all; nothing ran.
  std::error_code launch_error;
  int exit_code = -1;
  std::string err;  // the last max_stderr_bytes of stderr
};

// Completes when the process has exited, after every line it wrote was delivered (a partial
// last line too). There is no deadline: it runs until then or until cancelled.
//  - Cancellation (Asio per-operation, terminal): the process group is killed and reaped,
//    the pipes are closed, and hivemind::Error(cancelled) is thrown.
//  - An exception thrown by `on_line` ends the stream the same way and propagates as is.
// `on_line` runs on the awaiting coroutine's executor; the view is valid during the call.
boost::asio::awaitable<LineStreamResult> run_line_stream(
    LineStreamRequest request, std::function<void(std::string_view line)> on_line);

}  // namespace hivemind::detail

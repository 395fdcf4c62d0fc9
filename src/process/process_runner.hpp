// Runs one command (argv, never a shell) with a deadline and bounded capture of
// stdout and stderr. The only place the SDK starts processes for the control plane.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

namespace hivemind::detail {

struct ProcessRequest {
  std::string program;  // a name looked up on PATH, or a path
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> extra_environment;
  std::chrono::milliseconds timeout{30'000};
  std::size_t max_output_bytes = 8u << 20;  // per stream
};

struct ProcessResult {
  // Set when the program could not be started at all; nothing ran.
  std::error_code launch_error;
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Completes when the process has exited. Throws hivemind::Error with
//  - timeout: the deadline expired; the process (and its process group) was killed and reaped;
//  - output_too_large: a stream went past max_output_bytes; the process was killed and reaped;
//  - cancelled: the operation was cancelled; the process was killed and reaped.
// The error's context holds the argv and whatever stderr was captured.
boost::asio::awaitable<ProcessResult> run_process(ProcessRequest request);

}  // namespace hivemind::detail

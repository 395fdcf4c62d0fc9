// hivectl's exit codes (documented in docs/hivectl.md); scripts rely on them.
#pragma once

#include <hivemind/common/error.hpp>
#include <hivemind/control/wait_options.hpp>

namespace hivectl {

enum class ExitCode : int {
  ok = 0,                // the command succeeded; a waited-for session completed
  error = 1,             // any other failure (CLI could not run, unparseable answer, ...)
  usage = 2,             // bad command line, option or environment value
  session_failed = 3,    // the session ended with status `failed`
  session_dead = 4,      // its process is gone while the status still says running
  session_stale = 5,     // its log did not grow for --stale-after
  timeout = 6,           // a deadline passed (--timeout, HIVEMIND_TIMEOUT)
  connection = 7,        // container unavailable, MCP relay unreachable, auth refused
  not_found = 8,         // the container does not know the session
  tool_unavailable = 9,  // the MCP server does not provide the tool, or it failed
  interrupted = 130,     // Ctrl-C / SIGTERM: the running operation was cancelled
};

ExitCode exit_code_for(const hivemind::Error& error) noexcept;
ExitCode exit_code_for(hivemind::WaitOutcome outcome) noexcept;

}  // namespace hivectl

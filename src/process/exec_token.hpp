// Ending a command inside the container. Killing the `docker exec` client, or closing the
// Engine API connection, leaves the command running in the container (moby/moby#9098). So
// every attached command carries a random token in its environment (inherited by whatever it
// starts), and on a deadline or a cancel a second exec kills every process holding it. The
// token works without PID translation: the PID the engine reports for an exec is the host's,
// not the container's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hivemind::detail {

inline constexpr std::string_view kExecTokenVariable = "HIVEMIND_EXEC_ID";

// 128 random bits as 32 hex digits.
std::string new_exec_token();

// The token of a session's detached `start`: known to anyone who knows the session, so a
// cancel from another process ends every process of the session, orphans included.
std::string session_exec_token(std::string_view session_id);

// "HIVEMIND_EXEC_ID=<token>".
std::string exec_token_assignment(std::string_view token);

// A command for the container (/bin/sh, grep, kill) that sends SIGKILL to every process
// whose environment holds the token, prints how many it killed, and exits 0.
std::vector<std::string> kill_by_token_command(std::string_view token);

}  // namespace hivemind::detail

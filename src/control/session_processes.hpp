// The processes of sessions inside the container. While a session runs, a process
// whose command line holds `hive-session-manager.sh start UUID` exists (contract §1);
// when it is gone and the status still says starting/running, the session is dead.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hivemind/control/client_options.hpp"

namespace hivemind::detail {

// The pgrep/pkill pattern for one session's start process. The `[h]` keeps the pattern
// from matching the command line of a concurrently running pgrep that carries it.
std::string start_process_pattern(std::string_view session_id);

// UUIDs found after `start ` in `pgrep -af` output lines ("PID command line").
std::set<std::string> parse_started_sessions(std::string_view pgrep_output);

// Whether the session's start process exists; nullopt when the container cannot tell
// (no pgrep in it).
boost::asio::awaitable<std::optional<bool>> session_process_alive(const ClientOptions& options,
                                                                  std::string session_id);

// The UUIDs of every session whose start process exists, with one exec; nullopt when
// the container cannot tell.
boost::asio::awaitable<std::optional<std::set<std::string>>> live_sessions(
    const ClientOptions& options);

// `roots` and all their descendants, from `ps -e -o pid=,ppid=` output.
std::vector<int> process_tree(const std::vector<int>& roots, std::string_view ps_output);

// Kills the session's start process and everything it started (the agent's command line
// carries the task, not the UUID, so it is found through the process tree). Returns
// whether any process was found.
boost::asio::awaitable<bool> kill_session_processes(const ClientOptions& options,
                                                    std::string session_id);

// Size in bytes of a file in the container; nullopt when it does not exist.
boost::asio::awaitable<std::optional<std::uint64_t>> container_file_size(
    const ClientOptions& options, std::string container_path);

}  // namespace hivemind::detail

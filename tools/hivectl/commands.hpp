// The subcommand groups of hivectl; each adds its subcommands to the app.
#pragma once

#include <CLI/App.hpp>

#include "context.hpp"

namespace hivectl {

// spawn, create, start, status, get, list, cancel, cleanup
void add_session_commands(CLI::App& app, Context& context);
// wait
void add_wait_commands(CLI::App& app, Context& context);
// logs, outputs
void add_file_commands(CLI::App& app, Context& context);
// metrics, tools
void add_mcp_commands(CLI::App& app, Context& context);
// top, watch
void add_monitor_commands(CLI::App& app, Context& context);

// Shared by spawn --wait/--follow, wait and logs -f: waits for each session (in
// parallel), showing progress; with `follow_logs`, prints each session's log lines as
// they are written. Errors go to stderr; the context's exit code is set from the first
// session (in argument order) that did not complete. Returns one JSON object per
// session: session_id with outcome/status/evidence, or error {kind, message}.
struct FollowSettings {
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> stale_after;
  bool follow_logs = false;
  std::optional<std::size_t> last_n_lines;  // with follow_logs: start from the last N lines
};
std::vector<nlohmann::json> wait_for_sessions(Context& context,
                                              const std::vector<std::string>& session_ids,
                                              const FollowSettings& settings);
// The human table of wait_for_sessions' results (nothing with --json).
void print_wait_results(const Output& output, const std::vector<nlohmann::json>& results);

}  // namespace hivectl

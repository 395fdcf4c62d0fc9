// The terminal dashboard of sessions and rates (what `hivectl top` shows): a pure
// function from a metrics snapshot and the journal's sessions to text, so that any
// front end can refresh it and tests can check it without a terminal.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "hivemind/journal/session_journal.hpp"
#include "hivemind/metrics/lifecycle_metrics.hpp"

namespace hivemind {

struct DashboardOptions {
  std::size_t width = 100;    // columns; the task column takes what the others leave
  std::size_t max_rows = 20;  // session rows; unfinished sessions first, then newest
  bool clear_screen = true;   // start with ANSI "cursor home, clear screen"
  // The moment ages are computed against; the epoch (default) means now.
  std::chrono::system_clock::time_point now{};
};

// A header with the rates (created per minute, active, completed, failed, dead, lost,
// failure rate; docker exec and MCP calls, failures and median latency), then a table
// UUID | TASK | STATUS | AGE | PRIORITY. Control characters in tasks are shown as spaces.
std::string render_dashboard(const MetricsSnapshot& metrics,
                             const std::vector<JournalEntry>& sessions,
                             const DashboardOptions& options = {});

}  // namespace hivemind

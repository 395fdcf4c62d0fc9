// SessionLifecycle::cleanup_finished(): what to keep of finished sessions before the
// container's cleanup removes them (docs/lifecycle.md).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hivemind/models/cleanup_report.hpp"

namespace hivemind {

struct CleanupPolicy {
  // Where finished sessions are archived, one directory per UUID; empty: no archive.
  std::filesystem::path archive_dir;
  bool archive_outputs = true;        // UUID/outputs/: the session's output files
  bool preserve_failed_logs = true;   // UUID/session.log for failed and dead sessions
  std::size_t log_lines = 1'000'000;  // at most this many of the log's last lines
  // Record `failed` in the container for dead sessions, so that its cleanup (which only
  // removes completed and failed sessions) can remove them too.
  bool mark_dead_as_failed = true;
  // Then run the container's `cleanup MAX_AGE_HOURS`.
  bool container_cleanup = true;
  int max_age_hours = 24;
};

struct ArchivedSession {
  std::string session_id;
  std::string status;               // completed, failed or dead
  std::filesystem::path directory;  // archive_dir/UUID; empty when not archived
  std::size_t output_files = 0;     // files copied into directory/outputs
  bool log_saved = false;           // directory/session.log written
  std::string error;                // why archiving it failed (it is retried next time)
};

struct CleanupFinishedReport {
  std::vector<ArchivedSession> sessions;   // finished sessions handled by this run
  std::optional<CleanupReport> container;  // the container's cleanup, when it ran
};

}  // namespace hivemind

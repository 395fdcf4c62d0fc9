// How SessionHandle::follow_log streams a session's log.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace hivemind {

struct FollowLogOptions {
  // What the log already holds is delivered first: all of it when empty, else its last
  // N lines (0: only lines written from now on).
  std::optional<std::size_t> last_n_lines;
  // A longer line is delivered in pieces of at most this many bytes (never unbounded).
  std::size_t max_line_bytes = 1u << 20;
  // End the follow when the session has ended (its start process is gone, whatever the
  // status says), after delivering every line of the log. false: follow until stopped.
  bool until_session_ends = true;
  // How often the session is checked while following: one `status` exec, and one `pgrep`
  // once it has started. Lines are delivered as written whatever this is.
  std::chrono::milliseconds end_check_interval{1'000};
};

}  // namespace hivemind

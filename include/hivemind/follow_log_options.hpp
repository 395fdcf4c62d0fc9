// How SessionHandle::follow_log streams a session's log.
#pragma once

#include <cstddef>
#include <optional>

namespace hivemind {

struct FollowLogOptions {
  // What the log already holds is delivered first: all of it when empty, else its last
  // N lines (0: only lines written from now on).
  std::optional<std::size_t> last_n_lines;
  // A longer line is delivered in pieces of at most this many bytes (never unbounded).
  std::size_t max_line_bytes = 1u << 20;
};

}  // namespace hivemind

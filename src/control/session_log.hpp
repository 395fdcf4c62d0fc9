// A session's log inside the container (/var/log/multi-agent/hive-UUID.log): reading its
// last lines and following it as it grows, through `docker exec … tail` (argv, no shell).
//
// The path is the container path printed by the session manager's `log UUID` verb.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/line_framer.hpp"
#include "hivemind/control/client_options.hpp"

namespace hivemind::detail {

// The last `last_n_lines` lines of the log (`tail -n N -- PATH`), oldest first, without
// their terminators; a last line without a newline is included. A log file that does not
// exist yet (the session manager creates it on `start`) has no lines: the result is empty.
// Throws invalid_argument (path not absolute), docker_exec_failed (tail failed otherwise,
// e.g. permission denied), output_too_large (more than options.max_output_bytes), and
// what any exec throws (container_unavailable, timeout, cancelled).
boost::asio::awaitable<std::vector<std::string>> read_log_tail(const ClientOptions& options,
                                                               std::string container_log_path,
                                                               std::size_t last_n_lines);

struct FollowOptions {
  // What the log already holds is delivered first: all of it when empty (`-n +1`),
  // else its last N lines (`-n N`; 0: only lines written from now on).
  std::optional<std::size_t> last_n_lines;
  // A longer line is delivered in pieces of at most this many bytes (LineFramer::text).
  std::size_t max_line_bytes = 1u << 20;
};

// Follows one log file, delivering whole lines in order as they are written. Counts the
// bytes it consumed, so that a follow that was stopped can be completed exactly: catch_up()
// delivers what the file holds beyond them (how a follow ends with its session without
// losing the last lines).
class LogFollower {
 public:
  using LineHandler = LineFramer::LineHandler;

  // Throws invalid_argument when the path is not an absolute container path.
  LogFollower(std::string container_log_path, FollowOptions follow, LineHandler on_line);

  // Notes how much the log already holds, when only its last lines are wanted (one `stat`
  // in the container). Call once, before run() or catch_up().
  boost::asio::awaitable<void> begin(const ClientOptions& options);

  // `tail -F -c +1 -- PATH` (reads the file from its first byte; follows the name, waiting
  // for a file that does not exist yet and across replacement). Never returns normally:
  //  - Cancelled (Asio per-operation cancellation): the CLI process group is killed and
  //    reaped, and errc::cancelled is thrown. The lines read so far were delivered; a
  //    partial last line is held for catch_up().
  //  - The exec ended on its own (container stopped or restarted, CLI killed):
  //    container_unavailable when the CLI said so (e.g. the container was not running),
  //    docker_exec_failed when tail could not run (exit 126/127) or the CLI could not
  //    start, connection_lost otherwise. The error's context holds the argv, exit code and
  //    the CLI's most recent stderr. Not retried: the caller decides whether to follow again.
  //  - An exception thrown by `on_line` ends the follow the same way and propagates.
  boost::asio::awaitable<void> run(const ClientOptions& options);

  // After run() was stopped, for a log nobody writes any more: delivers the rest of the file
  // (`tail -c +OFFSET`, bounded by ClientOptions::max_output_bytes) and then the held
  // partial line. A log that does not exist has nothing more.
  boost::asio::awaitable<void> catch_up(const ClientOptions& options);

 private:
  void consume(std::string_view chunk);
  void end_history();

  std::string path_;
  FollowOptions follow_;
  LineHandler on_line_;
  LineFramer framer_;
  std::uint64_t consumed_ = 0;
  // With last_n_lines: the bytes the log held when the follow began, and the last lines of
  // them, delivered once the follow reads past them.
  std::uint64_t history_bytes_ = 0;
  bool in_history_ = false;
  std::deque<std::string> history_;
};

// LogFollower::begin and run: follows the log until cancelled or failed.
boost::asio::awaitable<void> follow_log(const ClientOptions& options,
                                        std::string container_log_path, FollowOptions follow,
                                        std::function<void(std::string_view line)> on_line);

}  // namespace hivemind::detail

// A session's log inside the container (/var/log/multi-agent/hive-UUID.log): reading its
// last lines and following it as it grows, through `docker exec … tail` (argv, no shell).
//
// The path is the container path printed by the session manager's `log UUID` verb. The
// `options` reference must stay valid until the operation completes.
//
// Wiring into SessionHandle (session_handle.hpp/.cpp; a sketch, not compiled here):
//
//   std::vector<std::string> read_log(std::size_t last_n_lines) const;
//     // run_sync(read_log_op(config_, uuid_, n)) where read_log_op does
//     //   auto path = co_await HiveMindClient::log_file_op(config, uuid);  // unknown ->
//     session_not_found
//     //   co_return co_await detail::read_log_tail(*config, std::move(path), n);
//
//   void follow_log(std::function<void(std::string_view)> on_line, std::stop_token stop,
//                   FollowOptions follow = {}) const;
//     // io_context io; asio::cancellation_signal signal;
//     // co_spawn(io, follow_op(config_, uuid_, follow, on_line),
//     //          asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) { failure =
//     e; }));
//     // std::stop_callback on_stop(stop, [&] {
//     //   asio::post(io, [&] { signal.emit(asio::cancellation_type::terminal); }); });
//     // io.run();
//     // A requested stop ends the follow normally: swallow errc::cancelled when
//     // stop.stop_requested(), rethrow anything else.
//
//   template <class Token> auto async_follow_log(std::function<void(std::string_view)> on_line,
//                                                FollowOptions follow, Token&& token) const;
//     // spawn(follow_op(config_, uuid_, follow, std::move(on_line)), token): completes with
//     // void(std::exception_ptr); cancelled through the token's cancellation slot.
//     // follow_op keeps `config` (the shared_ptr) alive while it runs.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hivemind/client_options.hpp"

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
  // A longer line is delivered in pieces of at most this many bytes (see LineSplitter).
  std::size_t max_line_bytes = 1u << 20;
};

// Follows the log (`tail -F -n … -- PATH`), calling `on_line` with each line, whole, in
// order, as it is written. A log that does not exist yet is waited for (tail's "cannot
// open" notices go to stderr and never reach `on_line`); a log that is replaced or
// truncated is followed by name.
// Never returns normally: `tail -F` only ends when something ends it.
//  - Cancelled (Asio per-operation cancellation): the CLI process group is killed and
//    reaped, and errc::cancelled is thrown.
//  - The exec ended on its own (container stopped or restarted, CLI killed):
//    container_unavailable when the CLI said so (e.g. the container was not running),
//    docker_exec_failed when tail could not run (exit 126/127) or the CLI could not start,
//    connection_lost otherwise. The error's context holds the argv, exit code and the
//    CLI's most recent stderr. Not retried: the caller decides whether to follow again.
//  - An exception thrown by `on_line` ends the follow the same way and propagates.
boost::asio::awaitable<void> follow_log(const ClientOptions& options,
                                        std::string container_log_path, FollowOptions follow,
                                        std::function<void(std::string_view line)> on_line);

}  // namespace hivemind::detail

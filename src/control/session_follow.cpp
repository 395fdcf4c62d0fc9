#include "control/session_follow.hpp"

#include <memory>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/cancellation.hpp"
#include "control/client_operations.hpp"
#include "control/session_log.hpp"
#include "control/session_processes.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind::detail {
namespace {

namespace asio = boost::asio;
using Config = detail::ClientConfig;

// The tail running beside the end checks. Touched only on one strand.
struct RunningTail {
  explicit RunningTail(const asio::any_io_executor& strand) : wake(strand) {}

  asio::steady_timer wake;  // the end checks sleep on it; an ended tail cancels it
  asio::cancellation_signal stop;
  bool finished = false;
  bool stop_requested = false;
  std::exception_ptr failure;  // how it ended
};

asio::awaitable<void> run_tail(Config config, std::shared_ptr<LogFollower> follower) {
  co_await follower->run(*config);
}

void start_tail(const asio::any_io_executor& strand, const Config& config,
                const std::shared_ptr<LogFollower>& follower,
                const std::shared_ptr<RunningTail>& tail) {
  asio::co_spawn(strand, run_tail(config, follower),
                 asio::bind_cancellation_slot(
                     tail->stop.slot(), asio::bind_executor(strand, [tail](std::exception_ptr e) {
                       tail->finished = true;
                       tail->failure = std::move(e);
                       tail->wake.cancel();
                     })));
}

// Stops the tail and waits until it has ended (its process killed and reaped).
asio::awaitable<void> stop_tail(RunningTail& tail) {
  if (!tail.finished) {
    tail.stop_requested = true;
    tail.stop.emit(asio::cancellation_type::terminal);
  }
  while (!tail.finished) {
    tail.wake.expires_at(asio::steady_timer::time_point::max());
    co_await tail.wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

// Checks the session until it has ended or the tail has failed; throws when cancelled.
asio::awaitable<void> wait_for_end(const Config& config, const std::string& session_id,
                                   std::chrono::milliseconds interval, RunningTail& tail) {
  for (;;) {
    const bool ended = co_await session_has_ended(config, session_id);
    if (ended || tail.finished) co_return;
    tail.wake.expires_after(interval);
    co_await tail.wake.async_wait(asio::as_tuple(asio::use_awaitable));
    if ((co_await asio::this_coro::cancellation_state).cancelled() !=
        asio::cancellation_type::none) {
      throw Error(errc::cancelled, "following the log of session " + session_id + " was cancelled");
    }
  }
}

asio::awaitable<void> follow_on_strand(Config config, std::string session_id,
                                       std::shared_ptr<LogFollower> follower,
                                       std::chrono::milliseconds interval) {
  co_await follower->begin(*config);
  const asio::any_io_executor strand = co_await asio::this_coro::executor;
  const auto tail = std::make_shared<RunningTail>(strand);
  start_tail(strand, config, follower, tail);

  std::exception_ptr interrupted;
  try {
    co_await wait_for_end(config, session_id, interval, *tail);
  } catch (...) {
    interrupted = std::current_exception();
  }
  // Also when this follow was cancelled, the tail must have ended before it completes:
  // nothing may outlive it. A cancelled coroutine throws at its next co_await unless its
  // cancellation state is reset.
  co_await asio::this_coro::reset_cancellation_state();
  co_await stop_tail(*tail);
  if (interrupted) {
    if (is_cancellation(interrupted)) {
      throw Error(errc::cancelled, "following the log of session " + session_id + " was cancelled");
    }
    std::rethrow_exception(interrupted);
  }
  if (tail->failure && !tail->stop_requested) std::rethrow_exception(tail->failure);
  co_await follower->catch_up(*config);
}

}  // namespace

asio::awaitable<bool> session_has_ended(Config config, std::string session_id) {
  const auto status = co_await status_op(config, session_id);
  if (status == SessionStatus::Kind::created) co_return false;  // its writer is yet to come
  const auto alive = co_await session_process_alive(*config, session_id);
  if (!alive) co_return status.is_terminal();
  co_return !*alive;
}

asio::awaitable<void> follow_session_log(Config config, std::string session_id,
                                         std::string container_log_path, FollowLogOptions options,
                                         std::function<void(std::string_view)> on_line) {
  const FollowOptions follow{options.last_n_lines, options.max_line_bytes};
  auto follower =
      std::make_shared<LogFollower>(std::move(container_log_path), follow, std::move(on_line));
  if (!options.until_session_ends) {
    co_await follower->begin(*config);
    co_await follower->run(*config);
    co_return;
  }
  // The tail and the end checks share state: one strand keeps them off each other's toes
  // on a multi-threaded executor.
  const auto strand = asio::make_strand(co_await asio::this_coro::executor);
  co_await asio::co_spawn(strand,
                          follow_on_strand(std::move(config), std::move(session_id),
                                           std::move(follower), options.end_check_interval),
                          asio::use_awaitable);
}

}  // namespace hivemind::detail

#include "common/async_signal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hivemind::detail {

namespace asio = boost::asio;

asio::awaitable<SignalResult> AsyncSignal::wait_until(clock::time_point deadline) {
  for (;;) {
    if (set_) co_return SignalResult::signalled;
    if (interrupted_) co_return SignalResult::cancelled;
    const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return SignalResult::cancelled;
    if (clock::now() >= deadline) co_return SignalResult::deadline;
    timer_.expires_at(deadline);
    const auto [error] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!error && !set_ && !interrupted_) co_return SignalResult::deadline;
    // Aborted: by set(), interrupt() or the caller's cancellation; the loop tells which.
  }
}

}  // namespace hivemind::detail

// A one-waiter event for coroutines on a strand: a steady_timer that is cancelled
// to wake the waiter. Used for responses, free in-flight slots, connection
// readiness, the writer's queue and plain pauses, so every wait shares one
// treatment of deadlines and of per-operation cancellation.
#pragma once

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace hivemind::detail {

enum class SignalResult { signalled, deadline, cancelled };

class AsyncSignal {
 public:
  using clock = std::chrono::steady_clock;

  explicit AsyncSignal(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  void set() {
    set_ = true;
    timer_.cancel();
  }
  // Ends the current and every later wait with `cancelled` (the client is closing).
  void interrupt() {
    interrupted_ = true;
    timer_.cancel();
  }
  void reset() noexcept { set_ = false; }
  bool is_set() const noexcept { return set_; }

  // Suspends until set(), `deadline`, or the cancellation slot of the awaiting
  // operation fires, whichever comes first. A set() that happened before the call
  // counts. Only one coroutine may wait at a time.
  boost::asio::awaitable<SignalResult> wait_until(clock::time_point deadline);

 private:
  boost::asio::steady_timer timer_;
  bool set_ = false;
  bool interrupted_ = false;
};

}  // namespace hivemind::detail

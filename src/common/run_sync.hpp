// The synchronous form of an operation: runs its coroutine to completion on a
// private io_context on the calling thread. Needs no running executor and never
// deadlocks when called from inside another io_context's handler.
#pragma once

#include <stop_token>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "common/typed_cancellation.hpp"

namespace hivemind::detail {

template <class T>
T run_sync(boost::asio::awaitable<T> operation) {
  boost::asio::io_context io;
  auto result = co_spawn_typed(io.get_executor(), std::move(operation), boost::asio::use_future);
  io.run();
  return result.get();
}

// As above; a stop request on `stop` cancels the operation (terminal cancellation), which
// then throws Error(errc::cancelled).
template <class T>
T run_sync(boost::asio::awaitable<T> operation, std::stop_token stop) {
  boost::asio::io_context io;
  boost::asio::cancellation_signal cancel;
  auto result =
      co_spawn_typed(io.get_executor(), std::move(operation),
                     boost::asio::bind_cancellation_slot(cancel.slot(), boost::asio::use_future));
  std::stop_callback on_stop(stop, [&] {
    boost::asio::post(io, [&] { cancel.emit(boost::asio::cancellation_type::terminal); });
  });
  io.run();
  return result.get();
}

}  // namespace hivemind::detail

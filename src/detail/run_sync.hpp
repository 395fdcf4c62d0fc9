// The synchronous form of an operation: runs its coroutine to completion on a
// private io_context on the calling thread. Needs no running executor and never
// deadlocks when called from inside another io_context's handler.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace hivemind::detail {

template <class T>
T run_sync(boost::asio::awaitable<T> operation) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(operation), boost::asio::use_future);
  io.run();
  return result.get();
}

}  // namespace hivemind::detail

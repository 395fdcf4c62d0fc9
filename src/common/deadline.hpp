// Racing an operation against a deadline. A bare `operation || timer.async_wait()` waits
// for the *first success*: an operation that throws leaves it waiting for the timer. Here
// the operation's own exception propagates at once.
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hivemind::detail {

// The operation's value, or nullopt when `limit` passed first (the operation was then
// cancelled and has finished).
template <class T>
boost::asio::awaitable<std::optional<T>> within(std::chrono::steady_clock::duration limit,
                                                boost::asio::awaitable<T> operation) {
  using namespace boost::asio::experimental::awaitable_operators;
  std::exception_ptr failure;
  auto caught = [&]() -> boost::asio::awaitable<std::optional<T>> {
    try {
      co_return co_await std::move(operation);
    } catch (...) {
      failure = std::current_exception();
    }
    co_return std::nullopt;
  };
  boost::asio::steady_timer deadline(co_await boost::asio::this_coro::executor, limit);
  auto first = co_await (caught() || deadline.async_wait(boost::asio::use_awaitable));
  if (first.index() == 1) co_return std::nullopt;
  if (failure) std::rethrow_exception(failure);
  co_return std::move(std::get<0>(first));
}

}  // namespace hivemind::detail

// Implementation detail of the asynchronous operations (not part of the API).
//
// A cancelled Asio coroutine reports the cancellation as boost::system::system_error
// (operation_aborted) from whichever co_await it reaches next, which need not be one that
// translates it. Every SDK operation runs through this wrapper, so that a cancellation
// always reaches the application as hivemind::Error(errc::cancelled).
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>

namespace hivemind::detail {

// Rethrows `failure`, as Error(errc::cancelled) when it is any form of Asio cancellation.
[[noreturn]] void rethrow_with_typed_cancellation(std::exception_ptr failure);

template <class T>
boost::asio::awaitable<T> with_typed_cancellation(boost::asio::awaitable<T> operation) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(operation);
      co_return;
    } else {
      co_return co_await std::move(operation);
    }
  } catch (...) {
    rethrow_with_typed_cancellation(std::current_exception());
  }
}

}  // namespace hivemind::detail

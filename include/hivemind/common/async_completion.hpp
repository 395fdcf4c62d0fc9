// How the SDK's asynchronous operations meet Asio completion tokens without exposing their
// implementation: each `async_X(..., token)` is a thin template over a non-template function
// compiled into the library, which receives the caller's handler type-erased.
//
// Completions have the signature `void(std::exception_ptr, T)` (`void(std::exception_ptr)`
// for operations without a result), so `asio::use_future` yields std::future<T> and
// `asio::use_awaitable` throws on failure. The type-erased handler keeps the caller's
// executor, allocator and cancellation slot (Asio's any_completion_handler forwards them), so
// per-operation cancellation works through it.
#pragma once

#include <exception>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

namespace hivemind {

template <class T>
struct CompletionSignatureOf {
  using type = void(std::exception_ptr, T);
};
template <>
struct CompletionSignatureOf<void> {
  using type = void(std::exception_ptr);
};
template <class T>
using CompletionSignature = typename CompletionSignatureOf<T>::type;

// The type-erased handler an operation completes exactly once.
template <class T>
using Completion = boost::asio::any_completion_handler<CompletionSignature<T>>;

// Starts an operation for any completion token: `start(Completion<T>)` is called with the
// token's handler (at once for handlers and use_future, when awaited for use_awaitable, when
// launched for deferred).
template <class T, class Token, class Start>
auto async_complete(Token&& token, Start start) {
  return boost::asio::async_initiate<Token, CompletionSignature<T>>(
      [](auto handler, Start start_operation) {
        std::move(start_operation)(Completion<T>(std::move(handler)));
      },
      token, std::move(start));
}

}  // namespace hivemind

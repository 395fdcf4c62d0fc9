// How every asynchronous operation of the SDK is spawned (private; the public headers reach
// it through hivemind/common/async_completion.hpp and a function compiled into the library).
//
// Asio reports a cancelled coroutine as boost::system::system_error (operation_aborted)
// from whichever co_await it reaches next, which need not be one that translates it.
// Worse, in Boost 1.81 a cancellation that lands between co_spawn's initiation and the
// operation's first step makes co_spawn's own entry point throw out of
// io_context::run(), and the handler is never called. That window is open whenever
// co_spawn is called from outside the executor (the first step is then posted) and a
// handler already queued on the executor emits the signal. Every public asynchronous
// operation is therefore spawned through co_spawn_typed, which
//  - relays the caller's cancellation with a post, so it is queued behind that first
//    step, and
//  - translates at the completion handler: a cancellation always reaches the application
//    as hivemind::Error(errc::cancelled).
#pragma once

#include <exception>
#include <memory>
#include <utility>

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "hivemind/common/async_completion.hpp"

namespace hivemind::detail {

// `failure` itself, or Error(errc::cancelled) when it is any form of Asio cancellation.
std::exception_ptr with_typed_cancellation(std::exception_ptr failure) noexcept;

// A co_spawn completion handler that hands `Handler` its failure translated. Its
// executor, allocator and cancellation slot are Handler's (see the associator below).
// Keeps the cancellation relay alive as long as the operation can use it.
template <class Handler>
class TypedCancellationHandler {
 public:
  TypedCancellationHandler(Handler handler, std::shared_ptr<boost::asio::cancellation_signal> relay)
      : handler_(std::move(handler)), relay_(std::move(relay)) {}

  template <class... Result>
  void operator()(std::exception_ptr failure, Result&&... result) {
    std::move(handler_)(with_typed_cancellation(std::move(failure)),
                        std::forward<Result>(result)...);
  }

  const Handler& inner() const noexcept { return handler_; }

 private:
  Handler handler_;
  std::shared_ptr<boost::asio::cancellation_signal> relay_;
};

// co_spawn(executor, operation, token), with the cancellation relayed and the failure
// translated as described above.
template <class Executor, class T, class Token>
auto co_spawn_typed(const Executor& executor, boost::asio::awaitable<T> operation, Token&& token) {
  return boost::asio::async_initiate<Token, CompletionSignature<T>>(
      [executor](auto handler, boost::asio::awaitable<T> spawned) {
        namespace asio = boost::asio;
        using Typed = TypedCancellationHandler<decltype(handler)>;
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (!slot.is_connected()) {
          asio::co_spawn(executor, std::move(spawned), Typed(std::move(handler), nullptr));
          return;
        }
        auto relay = std::make_shared<asio::cancellation_signal>();
        slot.assign([executor, relay](asio::cancellation_type type) {
          asio::post(executor, [relay, type] { relay->emit(type); });
        });
        auto relay_slot = relay->slot();
        asio::co_spawn(
            executor, std::move(spawned),
            asio::bind_cancellation_slot(relay_slot, Typed(std::move(handler), std::move(relay))));
      },
      token, std::move(operation));
}

}  // namespace hivemind::detail

// Forwards every association (executor, allocator, cancellation slot) to the wrapped
// handler, as Asio's own binders do.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct boost::asio::associator<Associator, hivemind::detail::TypedCancellationHandler<Handler>,
                               DefaultCandidate> : Associator<Handler, DefaultCandidate> {
  static typename Associator<Handler, DefaultCandidate>::type get(
      const hivemind::detail::TypedCancellationHandler<Handler>& handler) noexcept {
    return Associator<Handler, DefaultCandidate>::get(handler.inner());
  }
  static auto get(const hivemind::detail::TypedCancellationHandler<Handler>& handler,
                  const DefaultCandidate& candidate) noexcept
      -> decltype(Associator<Handler, DefaultCandidate>::get(handler.inner(), candidate)) {
    return Associator<Handler, DefaultCandidate>::get(handler.inner(), candidate);
  }
};

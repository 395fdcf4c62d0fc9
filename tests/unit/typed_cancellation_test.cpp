// with_typed_cancellation: however an operation meets a cancellation, the application
// sees hivemind::Error(errc::cancelled).
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hivemind/detail/typed_cancellation.hpp"
#include "hivemind/error.hpp"

namespace {

namespace asio = boost::asio;

// Takes the cancellation in a wait that does not throw, then awaits once more: Asio
// throws its own operation_aborted from that next co_await, past any translation the
// wait had.
asio::awaitable<int> meets_the_cancellation_at_its_next_co_await() {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, std::chrono::hours(1));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_await asio::post(executor, asio::use_awaitable);
  co_return 1;
}

// Runs `operation`, cancels it once it is waiting, and answers how it failed.
std::exception_ptr cancelled_failure(asio::awaitable<int> operation) {
  asio::io_context io;
  asio::cancellation_signal cancel;
  std::optional<std::exception_ptr> failure;
  asio::co_spawn(
      io, std::move(operation),
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, int) { failure = e; }));
  io.poll();
  EXPECT_FALSE(failure) << "the operation should be waiting on its timer";
  cancel.emit(asio::cancellation_type::terminal);
  io.run();
  EXPECT_TRUE(failure);
  return failure.value_or(nullptr);
}

}  // namespace

TEST(TypedCancellation, WithoutItTheApplicationWouldSeeAsiosOwnException) {
  const auto failure = cancelled_failure(meets_the_cancellation_at_its_next_co_await());
  ASSERT_TRUE(failure);
  EXPECT_THROW(std::rethrow_exception(failure), boost::system::system_error);
}

TEST(TypedCancellation, TurnsAsiosCancellationIntoErrcCancelled) {
  const auto failure = cancelled_failure(
      hivemind::detail::with_typed_cancellation(meets_the_cancellation_at_its_next_co_await()));
  ASSERT_TRUE(failure);
  try {
    std::rethrow_exception(failure);
  } catch (const hivemind::Error& e) {
    EXPECT_EQ(e.kind(), hivemind::errc::cancelled);
  } catch (...) {
    ADD_FAILURE() << "not a hivemind::Error";
  }
}

TEST(TypedCancellation, LeavesOtherFailuresAndResultsAlone) {
  const auto throws_runtime_error = []() -> asio::awaitable<int> {
    throw std::runtime_error("disk full");
    co_return 0;
  };
  asio::io_context io;
  std::exception_ptr failure;
  int result = 0;
  asio::co_spawn(io, hivemind::detail::with_typed_cancellation(throws_runtime_error()),
                 [&](std::exception_ptr e, int) { failure = e; });
  const auto answers_seven = []() -> asio::awaitable<int> { co_return 7; };
  asio::co_spawn(io, hivemind::detail::with_typed_cancellation(answers_seven()),
                 [&](std::exception_ptr, int value) { result = value; });
  io.run();
  EXPECT_THROW(std::rethrow_exception(failure), std::runtime_error);
  EXPECT_EQ(result, 7);
}

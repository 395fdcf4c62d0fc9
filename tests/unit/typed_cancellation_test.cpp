// co_spawn_typed: however an operation meets a cancellation, the application sees
// hivemind::Error(errc::cancelled).
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <future>
#include <optional>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "common/typed_cancellation.hpp"

namespace {

namespace asio = boost::asio;
using hivemind::detail::co_spawn_typed;

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

enum class When { once_waiting, before_the_first_step };
enum class Spawn { plain, typed };

// Spawns the operation, cancels it at `when`, and answers how it failed.
std::exception_ptr cancelled_failure(Spawn spawn, When when) {
  asio::io_context io;
  asio::cancellation_signal cancel;
  const auto emit = [&] { cancel.emit(asio::cancellation_type::terminal); };
  // Queued ahead of the step that starts the operation (co_spawn posts it from outside
  // the io_context), the emit runs first, as it can when another thread runs the context.
  if (when == When::before_the_first_step) asio::post(io, emit);
  std::optional<std::exception_ptr> failure;
  auto handler =
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, int) { failure = e; });
  if (spawn == Spawn::typed) {
    co_spawn_typed(io.get_executor(), meets_the_cancellation_at_its_next_co_await(), handler);
  } else {
    asio::co_spawn(io, meets_the_cancellation_at_its_next_co_await(), handler);
  }
  if (when == When::once_waiting) {
    io.poll();
    EXPECT_FALSE(failure) << "the operation should be waiting on its timer";
    emit();
  }
  io.run();
  EXPECT_TRUE(failure);
  return failure.value_or(nullptr);
}

void expect_errc_cancelled(const std::exception_ptr& failure) {
  ASSERT_TRUE(failure);
  try {
    std::rethrow_exception(failure);
  } catch (const hivemind::Error& e) {
    EXPECT_EQ(e.kind(), hivemind::errc::cancelled);
  } catch (...) {
    ADD_FAILURE() << "not a hivemind::Error";
  }
}

}  // namespace

TEST(TypedCancellation, WithoutItTheApplicationWouldSeeAsiosOwnException) {
  const auto failure = cancelled_failure(Spawn::plain, When::once_waiting);
  ASSERT_TRUE(failure);
  EXPECT_THROW(std::rethrow_exception(failure), boost::system::system_error);
}

// Boost 1.81: co_spawn's entry point rethrows the cancellation out of io_context::run().
TEST(TypedCancellation, WithoutItAnEarlyCancellationEscapesFromRun) {
  EXPECT_THROW(cancelled_failure(Spawn::plain, When::before_the_first_step),
               boost::system::system_error);
}

TEST(TypedCancellation, ACancellationWhileWaitingIsErrcCancelled) {
  expect_errc_cancelled(cancelled_failure(Spawn::typed, When::once_waiting));
}

// The relayed cancellation is queued behind the first step: the operation starts, meets
// the cancellation at its first wait, and the handler is called with it, typed.
TEST(TypedCancellation, ACancellationBeforeTheFirstStepIsErrcCancelledToo) {
  expect_errc_cancelled(cancelled_failure(Spawn::typed, When::before_the_first_step));
}

TEST(TypedCancellation, LeavesOtherFailuresAndResultsAlone) {
  const auto throws_runtime_error = []() -> asio::awaitable<int> {
    throw std::runtime_error("disk full");
    co_return 0;
  };
  const auto answers_seven = []() -> asio::awaitable<int> { co_return 7; };
  asio::io_context io;
  auto failed = co_spawn_typed(io.get_executor(), throws_runtime_error(), asio::use_future);
  auto answered = co_spawn_typed(io.get_executor(), answers_seven(), asio::use_future);
  io.run();
  EXPECT_THROW(failed.get(), std::runtime_error);
  EXPECT_EQ(answered.get(), 7);
}

// The application's own coroutine awaits the operation (use_awaitable): its cancellation
// reaches the operation through the forwarded slot, and comes back typed.
TEST(TypedCancellation, AnAwaitingCoroutinesCancellationReachesTheOperation) {
  asio::io_context io;
  asio::cancellation_signal cancel;
  std::optional<std::exception_ptr> failure;
  const auto awaits_the_operation = [&]() -> asio::awaitable<void> {
    try {
      co_await co_spawn_typed(io.get_executor(), meets_the_cancellation_at_its_next_co_await(),
                              asio::use_awaitable);
      failure = nullptr;
    } catch (...) {
      failure = std::current_exception();
    }
  };
  asio::co_spawn(io, awaits_the_operation(),
                 asio::bind_cancellation_slot(cancel.slot(), asio::detached));
  io.poll();
  ASSERT_FALSE(failure) << "the operation should be waiting on its timer";
  cancel.emit(asio::cancellation_type::terminal);
  io.run();
  ASSERT_TRUE(failure);
  expect_errc_cancelled(*failure);
}

// The asynchronous forms: callbacks, futures, coroutines, deferred, cancellation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <optional>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/leak_check.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::child_processes;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

class ClientAsync : public ::testing::Test {
 protected:
  MockContainer container;
};

errc kind_of(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    return e.kind().value_or(errc::docker_exec_failed);
  }
}

}  // namespace

TEST_F(ClientAsync, UseFutureDeliversValuesAndErrors) {
  const HiveMindClient client(container.options());  // owns its io thread
  auto uuid = client.async_create("from a future", Priority::high, nullptr, asio::use_future);
  const auto session_id = uuid.get();
  EXPECT_EQ(client.async_get(session_id, asio::use_future).get().priority, Priority::high);
  auto missing = client.async_status("00000000-0000-4000-8000-000000000000", asio::use_future);
  try {
    missing.get();
    FAIL() << "expected session_not_found";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::session_not_found);
  }
}

TEST_F(ClientAsync, CallbacksRunOnTheCallersExecutor) {
  asio::io_context io;
  const HiveMindClient client(io.get_executor(), container.options());
  std::string created;
  std::exception_ptr list_failure;
  SessionIndex index;
  client.async_create("callback task", Priority::low, {{"k", 1}},
                      [&](std::exception_ptr failure, std::string uuid) {
                        ASSERT_FALSE(failure);
                        created = uuid;
                        client.async_list([&](std::exception_ptr e, SessionIndex result) {
                          list_failure = e;
                          index = std::move(result);
                        });
                      });
  io.run();
  EXPECT_FALSE(list_failure);
  ASSERT_NE(index.find(created), nullptr);
  EXPECT_EQ(index.find(created)->task, "callback task");
}

TEST_F(ClientAsync, CoroutinesAwaitEveryVerb) {
  asio::io_context io;
  const HiveMindClient client(io.get_executor(), container.options());
  SessionStatus final_status;
  std::string log_path;
  CleanupReport report;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await client.async_init(asio::use_awaitable);
        const auto session = co_await client.async_spawn_task(
            "awaited #sleep=0.1", Priority::medium, nullptr, asio::use_awaitable);
        for (int polls = 0; polls < 400; ++polls) {
          final_status = co_await session.async_status(asio::use_awaitable);
          if (final_status.is_terminal()) break;
          asio::steady_timer pause(io, 25ms);
          co_await pause.async_wait(asio::use_awaitable);
        }
        log_path = co_await client.async_log_file(session.uuid(), asio::use_awaitable);
        co_await client.async_update_status(session.uuid(), "failed", asio::use_awaitable);
        report = co_await client.async_cleanup(24, asio::use_awaitable);
        const auto created =
            co_await client.async_create("second", Priority::low, nullptr, asio::use_awaitable);
        co_await client.async_start(created, {}, asio::use_awaitable);
        (void)co_await client.async_output_dir(created, asio::use_awaitable);
      },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  io.run();
  EXPECT_EQ(final_status, SessionStatus::Kind::completed);
  EXPECT_THAT(log_path, ::testing::StartsWith("/var/log/multi-agent/hive-"));
  EXPECT_TRUE(report.removed_sessions.empty());
}

TEST_F(ClientAsync, DeferredOperationsRunWhenLaunched) {
  asio::io_context io;
  const HiveMindClient client(io.get_executor(), container.options());
  auto operation = client.async_list(asio::deferred);
  EXPECT_TRUE(container.invocations().empty());
  bool done = false;
  std::move(operation)([&](std::exception_ptr failure, SessionIndex) { done = !failure; });
  io.run();
  EXPECT_TRUE(done);
  EXPECT_EQ(container.invocations().size(), 1u);
}

TEST_F(ClientAsync, CancellationKillsTheCliAndCompletesWithCancelled) {
  asio::io_context io;
  const HiveMindClient client(io.get_executor(), container.options());
  container.set_switch("hang", true);
  asio::cancellation_signal cancel;
  std::exception_ptr outcome;
  client.async_list(asio::bind_cancellation_slot(
      cancel.slot(), [&](std::exception_ptr failure, SessionIndex) { outcome = failure; }));
  // Cancel once the hanging exec is known to be running.
  std::thread watcher([&] {
    eventually([&] { return !container.invocations().empty(); });
    asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
  });
  io.run();
  watcher.join();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(kind_of(outcome), errc::cancelled);
  EXPECT_TRUE(child_processes().empty());
}

// The emit is queued ahead of the step that starts the operation (co_spawn posts that step,
// being called from outside the executor), so the cancellation lands before the first step,
// where Asio itself reports it, as it can when several threads run the context.
TEST_F(ClientAsync, ACancellationBeforeTheOperationStartsIsCancelledToo) {
  asio::io_context io;
  const HiveMindClient client(io.get_executor(), container.options());
  asio::cancellation_signal cancel;
  std::exception_ptr outcome;
  asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
  client.async_list(asio::bind_cancellation_slot(
      cancel.slot(), [&](std::exception_ptr failure, SessionIndex) { outcome = failure; }));
  io.run();
  ASSERT_TRUE(outcome);
  EXPECT_EQ(kind_of(outcome), errc::cancelled);
  // The session manager never ran; at most the SDK ended what the killed CLI might have left.
  EXPECT_EQ(container.count_verb("list"), 0u);
  for (const auto& call : container.invocations()) {
    EXPECT_THAT(call, ::testing::Contains("hivemind-end-exec"));
  }
}

TEST_F(ClientAsync, OneClientServesManyThreadsAtOnce) {
  const HiveMindClient client(container.options());
  const auto uuid = client.create("shared");
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        if (client.status(uuid) == SessionStatus::Kind::created) ++correct;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), 18);
}

TEST_F(ClientAsync, TheLastCopyDyingInItsOwnCompletionHandlerFreesTheContext) {
  const hivemind::testing::LeakCheck leaks;
  std::promise<void> outer_copy_gone;
  std::promise<void> handler_done;
  {
    HiveMindClient client(container.options());
    client.async_list([last = std::optional<HiveMindClient>(client),
                       gone = outer_copy_gone.get_future(),
                       &handler_done](std::exception_ptr, SessionIndex) mutable {
      gone.wait();
      last.reset();  // the last copy: destroyed on the client's own thread
      handler_done.set_value();
    });
  }
  outer_copy_gone.set_value();
  handler_done.get_future().wait();
  // The thread finishes on its own; its io_context (epoll, eventfd, timerfd) must go
  // with it, not be abandoned.
  EXPECT_TRUE(leaks.settled());
}

// SessionWatcher: many sessions followed through one `list` per tick.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <exception>
#include <future>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/control/session_watcher.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::capture_error;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

class SessionWatcherTest : public ::testing::Test {
 protected:
  MockContainer container;
  HiveMindClient client{container.options()};

  static WatcherOptions quick() {
    WatcherOptions options;
    options.interval = 100ms;
    options.liveness_interval = 200ms;
    return options;
  }
};

}  // namespace

TEST_F(SessionWatcherTest, ManyWaitsCostOneListPerTickAndNoStatusCalls) {
  std::vector<std::string> sessions;
  for (int i = 0; i < 12; ++i) {
    sessions.push_back(client.spawn_task("job " + std::to_string(i) + " #sleep=0.4").uuid());
  }
  const auto status_calls_before = container.count_verb("status");
  SessionWatcher watcher(client, quick());
  std::vector<std::future<WaitResult>> waits;
  for (const auto& uuid : sessions) waits.push_back(watcher.async_wait(uuid, asio::use_future));
  for (std::size_t i = 0; i < waits.size(); ++i) {
    const auto result = waits[i].get();
    EXPECT_EQ(result.outcome, WaitOutcome::completed) << result.evidence;
    EXPECT_EQ(result.metadata.session_id, sessions[i]);
  }
  const auto stats = watcher.stats();
  EXPECT_EQ(container.count_verb("list"), stats.list_calls);
  EXPECT_EQ(stats.list_calls, stats.ticks);
  EXPECT_EQ(container.count_verb("status"), status_calls_before);  // no per-session polling
  EXPECT_EQ(stats.watched_sessions, 0u);
}

TEST_F(SessionWatcherTest, DeadAndFailedSessionsAreToldApart) {
  const auto dead = client.spawn_task("crashes #sleep=0.1 #exit=2").uuid();
  const auto failed = client.create("will be failed");
  client.update_status(failed, "failed");
  auto options = quick();
  options.mark_dead_as_failed = true;
  SessionWatcher watcher(client, options);
  auto dead_wait = watcher.async_wait(dead, asio::use_future);
  auto failed_wait = watcher.async_wait(failed, asio::use_future);
  const auto dead_result = dead_wait.get();
  EXPECT_EQ(dead_result.outcome, WaitOutcome::dead);
  EXPECT_THAT(dead_result.evidence, ::testing::HasSubstr("recorded as failed"));
  EXPECT_EQ(client.status(dead), SessionStatus::Kind::failed);
  EXPECT_EQ(failed_wait.get().outcome, WaitOutcome::failed);
}

TEST_F(SessionWatcherTest, SessionRemovedFromTheRegistryFailsItsWait) {
  const auto uuid = client.create("doomed");
  SessionWatcher watcher(client, quick());
  auto waiting = watcher.async_wait(uuid, asio::use_future);
  ASSERT_TRUE(eventually([&] { return watcher.stats().ticks >= 1; }));
  client.update_status(uuid, "completed");
  std::filesystem::last_write_time(container.session_dir(uuid),
                                   std::filesystem::file_time_type::clock::now() - 72h);
  // cleanup may run before the watcher saw `completed`: either ending is a correct report.
  client.cleanup(24);
  try {
    EXPECT_EQ(waiting.get().outcome, WaitOutcome::completed);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::session_not_found);
  }
}

TEST_F(SessionWatcherTest, StoppingOneWaitLeavesTheOthers) {
  const auto slow = client.spawn_task("slow #sleep=60").uuid();
  const auto quick_one = client.spawn_task("quick #sleep=0.3").uuid();
  SessionWatcher watcher(client, quick());
  std::stop_source stop;
  auto slow_wait =
      std::async(std::launch::async, [&] { return watcher.wait(slow, stop.get_token()); });
  ASSERT_TRUE(eventually([&] { return watcher.stats().watched_sessions >= 1; }));
  EXPECT_EQ(watcher.wait(quick_one).outcome, WaitOutcome::completed);
  stop.request_stop();
  try {
    slow_wait.get();
    FAIL() << "expected cancellation";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::cancelled);
  }
  SessionHandle::from_uuid(client, slow).cancel();
}

TEST_F(SessionWatcherTest, DestroyingTheWatcherCancelsPendingWaits) {
  const auto slow = client.spawn_task("slow #sleep=60").uuid();
  std::future<WaitResult> waiting;
  {
    SessionWatcher watcher(client, quick());
    waiting = watcher.async_wait(slow, asio::use_future);
    ASSERT_TRUE(eventually([&] { return watcher.stats().ticks >= 1; }));
  }
  try {
    waiting.get();
    FAIL() << "expected cancellation";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::cancelled);
  }
  SessionHandle::from_uuid(client, slow).cancel();
}

// The poller holds a copy of the client. Before, that copy outlived a watcher destroyed in
// the middle of a tick, so the client's journal stayed locked after the application had
// dropped both, and a new client on the same journal directory was refused ("in use").
TEST_F(SessionWatcherTest, DestroyingTheWatcherMidTickReleasesTheClientsJournal) {
  const auto journal_dir = container.root() / "journal";
  auto options = container.options();
  options.journal_dir = journal_dir;
  std::future<WaitResult> waiting;
  {
    HiveMindClient journaled(options);
    const auto slow = journaled.spawn_task("held #sleep=60").uuid();
    SessionWatcher watcher(journaled, quick());
    waiting = watcher.async_wait(slow, asio::use_future);
    ASSERT_TRUE(eventually([&] { return watcher.stats().ticks >= 1; }));
    // The next tick's exec (`list`, or the liveness check's) never returns: the watcher is
    // destroyed with it in flight.
    container.set_switch("hang", true);
    const auto calls = container.invocations().size();
    ASSERT_TRUE(eventually([&] { return container.invocations().size() > calls; }));
  }
  EXPECT_EQ(capture_error([&] { waiting.get(); }).kind(), errc::cancelled);
  container.set_switch("hang", false);
  EXPECT_NO_THROW(HiveMindClient{options});
}

// Sessions that end in the same tick are finalized (final `get`) concurrently: with the
// mock's rendezvous, each `get` waits until four are running at once, so one at a time
// the first would fail after 10 s. The waits are registered before the client's
// io_context runs, so the watcher's first tick sees all four sessions ended.
TEST_F(SessionWatcherTest, SessionsEndingInTheSameTickAreFinalizedConcurrently) {
  std::vector<std::string> sessions;
  for (int i = 0; i < 4; ++i) {
    sessions.push_back(client.create("ends with the others " + std::to_string(i)));
    client.update_status(sessions.back(), "completed");
  }
  container.set_switch("rendezvous-get", true);
  asio::io_context io;
  const HiveMindClient local(io.get_executor(), container.options());
  SessionWatcher watcher(local, quick());
  std::vector<std::exception_ptr> failures(sessions.size());
  std::vector<WaitResult> results(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    watcher.async_wait(sessions[i], [&, i](std::exception_ptr failure, WaitResult result) {
      failures[i] = failure;
      results[i] = std::move(result);
    });
  }
  io.run();  // returns once every wait has ended and the watcher is idle
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    EXPECT_NO_THROW(if (failures[i]) std::rethrow_exception(failures[i])) << "wait " << i;
    EXPECT_EQ(results[i].outcome, WaitOutcome::completed);
    EXPECT_EQ(results[i].metadata.session_id, sessions[i]);
  }
  EXPECT_EQ(watcher.stats().ticks, 1u);
}

TEST_F(SessionWatcherTest, NoConcurrentFinalizationsIsRejected) {
  auto options = quick();
  options.max_concurrent_finalizations = 0;
  const auto error = capture_error([&] { const SessionWatcher watcher(client, options); });
  EXPECT_EQ(error.kind(), errc::invalid_argument);
  EXPECT_THAT(error.what(), ::testing::HasSubstr("max_concurrent_finalizations"));
}

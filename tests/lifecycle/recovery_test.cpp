// The journal and metrics wired into the client, against the mock container: recording
// before the UUID is returned, recovery after an application crash and after the
// container was restarted or recreated, waits across restarts, the archive policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/control/session_watcher.hpp"
#include "hivemind/journal/recovery_report.hpp"
#include "hivemind/journal/session_journal.hpp"
#include "hivemind/journal/session_lifecycle.hpp"
#include "hivemind/metrics/lifecycle_metrics.hpp"
#include "lifecycle/temp_dir.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"
#include "support/quick_wait.hpp"

using namespace hivemind;
using namespace std::chrono_literals;
using hivemind::testing::capture_error;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using hivemind::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

WaitOptions quick_wait() {
  return hivemind::testing::quick_wait_options();
}

// Retries every 20-100 ms while the container is away.
RestartTolerantWaitOptions quick_restart_wait(std::chrono::milliseconds unavailable_deadline) {
  RestartTolerantWaitOptions options;
  options.wait = quick_wait();
  options.backoff.initial_delay = 20ms;
  options.backoff.max_delay = 100ms;
  options.unavailable_deadline = unavailable_deadline;
  return options;
}

std::string status_in(const std::vector<JournalEntry>& entries, const std::string& id) {
  for (const auto& e : entries) {
    if (e.session_id == id) return e.status;
  }
  return "(absent)";
}

class Lifecycle : public ::testing::Test {
 protected:
  MockContainer container;
  TempDir journal_dir;
  TempDir archive;
  std::shared_ptr<LifecycleMetrics> metrics = std::make_shared<LifecycleMetrics>();

  ClientOptions options() const {
    auto options = container.options();
    options.journal_dir = journal_dir.path();
    options.metrics = metrics;
    return options;
  }

  // wait_through_restarts on a stopped container, which is started again once the
  // waiter has certainly met it stopped (its exec failures are counted).
  WaitResult wait_until_container_returns(const HiveMindClient& client,
                                          const std::string& session_id) const {
    const auto wait_options = quick_restart_wait(60s);
    auto waiting = std::async(std::launch::async, [&] {
      return SessionLifecycle(client).wait_through_restarts(session_id, wait_options);
    });
    const bool met = eventually([&] { return metrics->snapshot().docker_exec_failures >= 2; });
    container.set_switch("stopped", false);
    EXPECT_TRUE(met);
    return waiting.get();
  }

  // Wipes the container's sessions as a recreated container would have none.
  void recreate_container() const {
    container.control("restart");
    fs::remove_all(container.root() / "workspace" / ".swarm");
    container.control("init");
  }
};

}  // namespace

TEST_F(Lifecycle, SpawnAndCreateAreJournaledBeforeTheyReturn) {
  HiveMindClient client(options());
  const auto session = client.spawn_task("journaled #sleep=0.2", Priority::high, {{"k", 1}});
  // Read back by an independent reader, right after the call returned.
  auto entries = SessionJournal::read(journal_dir.path());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].session_id, session.uuid());
  EXPECT_EQ(entries[0].task, "journaled #sleep=0.2");
  EXPECT_EQ(entries[0].priority, Priority::high);
  EXPECT_EQ(entries[0].metadata["k"], 1);

  const auto created = client.create("only created");
  entries = SessionJournal::read(journal_dir.path());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].session_id, created);
  EXPECT_EQ(entries[1].status, "created");

  const auto result = session.wait_for_completion(quick_wait());
  EXPECT_EQ(result.outcome, WaitOutcome::completed);
  EXPECT_EQ(status_in(SessionJournal::read(journal_dir.path()), session.uuid()), "completed");
  const auto snapshot = metrics->snapshot();
  EXPECT_EQ(snapshot.sessions_created, 2u);
  EXPECT_EQ(snapshot.sessions_completed, 1u);
  EXPECT_EQ(snapshot.sessions_active, 1u);
  EXPECT_EQ(snapshot.session_duration.count, 1u);
  EXPECT_GE(snapshot.docker_exec_calls, 4u);  // create, status, start, status..., get
  EXPECT_EQ(snapshot.docker_exec_failures, 0u);
}

TEST_F(Lifecycle, SecondClientOnTheSameJournalIsRefused) {
  HiveMindClient client(options());
  const auto error = capture_error([&] { HiveMindClient second(options()); });
  EXPECT_EQ(error.kind(), errc::journal_locked);
}

TEST_F(Lifecycle, RecoveryAfterAnApplicationCrash) {
  std::string finished, running, dead;
  {
    // The "application" spawns three sessions and goes away without waiting.
    HiveMindClient client(options());
    finished = client.spawn_task("finishes while we are away #sleep=0.2").uuid();
    running = client.spawn_task("still runs #sleep=60").uuid();
    dead = client.spawn_task("its process dies #sleep=60").uuid();
    const auto dying = SessionHandle::from_uuid(client, dead);
    ASSERT_TRUE(eventually([&] { return dying.is_process_alive() == true; }));
  }
  // While it is down: one finishes, one loses its process (as after an exec crash).
  HiveMindClient observer(container.options());
  ASSERT_TRUE(
      eventually([&] { return observer.status(finished) == SessionStatus::Kind::completed; }));
  ASSERT_TRUE(eventually(
      [&] { return SessionHandle::from_uuid(observer, running).is_process_alive() == true; }));
  SessionHandle::from_uuid(observer, dead).cancel();  // ends its process...
  observer.update_status(dead, "running");            // ...leaving it "running", as a crash does

  auto restarted_options = options();
  restarted_options.recover_on_start = false;
  HiveMindClient client(restarted_options);
  const auto report = SessionLifecycle(client).recover();
  ASSERT_EQ(report.finished.size(), 1u);
  EXPECT_EQ(report.finished[0].session_id, finished);
  EXPECT_EQ(report.finished[0].status, "completed");
  ASSERT_EQ(report.running.size(), 1u);
  EXPECT_EQ(report.running[0].uuid(), running);
  ASSERT_EQ(report.dead.size(), 1u);
  EXPECT_EQ(report.dead[0].session_id, dead);
  EXPECT_THAT(report.dead[0].evidence, HasSubstr("no process matching"));
  EXPECT_TRUE(report.lost.empty());

  const auto entries = SessionLifecycle(client).journal()->entries();
  EXPECT_EQ(status_in(entries, finished), "completed");
  EXPECT_EQ(status_in(entries, dead), "dead");
  EXPECT_EQ(status_in(entries, running), "running");

  // The handed-back handle is ready to wait on.
  report.running[0].cancel();
  EXPECT_EQ(report.running[0].wait_for_completion(quick_wait()).outcome, WaitOutcome::failed);
  EXPECT_EQ(status_in(SessionLifecycle(client).journal()->entries(), running), "failed");
  // A second recovery finds nothing left to settle.
  const auto again = SessionLifecycle(client).recover();
  EXPECT_TRUE(again.running.empty() && again.finished.empty() && again.dead.empty());
}

TEST_F(Lifecycle, RecoveryAtStartAfterTheContainerWasRecreatedMarksSessionsLost) {
  std::string lost;
  {
    HiveMindClient client(options());
    lost = client.spawn_task("gone with the container #sleep=60").uuid();
  }
  recreate_container();
  HiveMindClient client(options());  // recovers at start
  const auto entry = SessionLifecycle(client).journal()->find(lost);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->status, "lost");
  EXPECT_THAT(entry->evidence, HasSubstr("not in the container's session list (0 sessions"));
  EXPECT_EQ(metrics->snapshot().sessions_lost, 1u);
  EXPECT_EQ(metrics->snapshot().sessions_active, 0u);
}

TEST_F(Lifecycle, RecoveryAtStartWithTheContainerDownIsLoggedNotThrown) {
  std::string id;
  {
    HiveMindClient client(options());
    id = client.spawn_task("waits for us #sleep=60").uuid();
  }
  container.set_switch("stopped", true);
  auto quick_options = options();
  quick_options.retry.max_attempts = 1;
  HiveMindClient client(quick_options);
  EXPECT_EQ(SessionLifecycle(client).journal()->find(id)->status, "created");  // unchanged
  EXPECT_GE(metrics->snapshot().docker_exec_failures, 1u);
  container.set_switch("stopped", false);
  EXPECT_EQ(SessionLifecycle(client).recover().running.size(), 1u);
}

TEST_F(Lifecycle, RecoverWithoutAJournalIsAnInvalidArgument) {
  HiveMindClient client(container.options());
  EXPECT_EQ(capture_error([&] { SessionLifecycle(client).recover(); }).kind(),
            errc::invalid_argument);
}

TEST_F(Lifecycle, AsyncRecoverCompletesThroughAFutureWithTheRunningSessions) {
  std::string id;
  {
    HiveMindClient client(options());
    id = client.spawn_task("still going #sleep=60").uuid();
  }
  auto restarted_options = options();
  restarted_options.recover_on_start = false;
  const SessionLifecycle lifecycle{HiveMindClient(restarted_options)};
  auto report = lifecycle.async_recover(boost::asio::use_future).get();
  ASSERT_EQ(report.running.size(), 1u);
  EXPECT_EQ(report.running.front().uuid(), id);
  EXPECT_FALSE(lifecycle.journal()->find(id)->is_final());  // neither dead nor lost
}

TEST_F(Lifecycle, WaitThroughARestartEndsDeadOnceTheContainerIsBack) {
  HiveMindClient client(options());
  const auto session = client.spawn_task("interrupted #sleep=60");
  ASSERT_TRUE(eventually([&] { return session.is_process_alive() == true; }));
  // The container stops, every process killed as a restart does.
  container.set_switch("stopped", true);
  container.control("restart");
  const auto result = wait_until_container_returns(client, session.uuid());
  EXPECT_EQ(result.outcome, WaitOutcome::dead);
  EXPECT_THAT(result.evidence, HasSubstr("no process matching"));
  EXPECT_EQ(SessionLifecycle(client).journal()->find(session.uuid())->status, "dead");
  EXPECT_EQ(metrics->snapshot().sessions_dead, 1u);
}

TEST_F(Lifecycle, WaitThroughARecreationEndsLost) {
  HiveMindClient client(options());
  const auto session = client.spawn_task("recreated away #sleep=60");
  container.set_switch("stopped", true);
  recreate_container();
  const auto result = wait_until_container_returns(client, session.uuid());
  EXPECT_EQ(result.outcome, WaitOutcome::lost);
  EXPECT_THAT(result.evidence, HasSubstr("not in the container's session list"));
  EXPECT_EQ(result.metadata.task, "recreated away #sleep=60");  // from the journal
  EXPECT_EQ(SessionLifecycle(client).journal()->find(session.uuid())->status, "lost");
}

TEST_F(Lifecycle, WaitThroughRestartsGivesUpAfterItsDeadline) {
  HiveMindClient client(options());
  const auto session = client.spawn_task("never seen again #sleep=60");
  container.set_switch("stopped", true);
  const auto options = quick_restart_wait(200ms);
  const auto error = capture_error(
      [&] { SessionLifecycle(client).wait_through_restarts(session.uuid(), options); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_THAT(error.what(), HasSubstr("still unreachable 200 ms"));
}

TEST_F(Lifecycle, CleanupArchivesOutputsAndTheLogsOfFailedAndDeadSessions) {
  HiveMindClient client(options());
  const auto good = client.spawn_task("good #sleep=0.1 #files=2");
  const auto bad = client.spawn_task("bad #sleep=0.1 #exit=3 #loglines=4");
  const auto cancelled = client.spawn_task("cancelled #sleep=60");
  EXPECT_EQ(good.wait_for_completion(quick_wait()).outcome, WaitOutcome::completed);
  EXPECT_EQ(bad.wait_for_completion(quick_wait()).outcome, WaitOutcome::dead);
  ASSERT_TRUE(eventually([&] { return cancelled.is_process_alive() == true; }));
  cancelled.cancel();
  EXPECT_EQ(cancelled.wait_for_completion(quick_wait()).outcome, WaitOutcome::failed);

  CleanupPolicy policy;
  policy.archive_dir = archive.path();
  policy.max_age_hours = 0;
  const auto report = SessionLifecycle(client).cleanup_finished(policy);
  ASSERT_EQ(report.sessions.size(), 3u);
  for (const auto& s : report.sessions) EXPECT_TRUE(s.error.empty()) << s.error;
  ASSERT_TRUE(report.container);
  EXPECT_EQ(container.count_verb("cleanup"), 1u);

  const auto good_dir = archive.path() / good.uuid();
  EXPECT_TRUE(fs::is_regular_file(good_dir / "outputs" / "result.md"));
  EXPECT_FALSE(fs::exists(good_dir / "session.log"));  // completed: no log kept
  const auto bad_dir = archive.path() / bad.uuid();
  ASSERT_TRUE(fs::is_regular_file(bad_dir / "session.log"));
  std::ifstream log(bad_dir / "session.log");
  const std::string log_text((std::istreambuf_iterator<char>(log)), {});
  EXPECT_THAT(log_text, HasSubstr("[agent] done, exit 3"));
  EXPECT_TRUE(fs::is_regular_file(archive.path() / cancelled.uuid() / "session.log"));
  // The dead session was recorded failed so that the container's cleanup can take it.
  EXPECT_EQ(client.status(bad.uuid()), SessionStatus::Kind::failed);

  const auto journal = SessionLifecycle(client).journal()->entries();
  for (const auto& e : journal) EXPECT_FALSE(e.archive_dir.empty()) << e.session_id;
  // Archived sessions are not archived again.
  EXPECT_TRUE(SessionLifecycle(client).cleanup_finished(policy).sessions.empty());
}

TEST_F(Lifecycle, CleanupWithoutAJournalArchivesTheContainersFinishedSessions) {
  HiveMindClient client(container.options());
  const auto good = client.spawn_task("good #sleep=0.1");
  EXPECT_EQ(good.wait_for_completion(quick_wait()).outcome, WaitOutcome::completed);
  CleanupPolicy policy;
  policy.archive_dir = archive.path();
  policy.container_cleanup = false;
  const auto report = SessionLifecycle(client).cleanup_finished(policy);
  ASSERT_EQ(report.sessions.size(), 1u);
  EXPECT_EQ(report.sessions[0].output_files, 3u);
  EXPECT_FALSE(report.container);
  EXPECT_EQ(container.count_verb("cleanup"), 0u);
  EXPECT_TRUE(SessionLifecycle(client)
                  .cleanup_finished(policy)
                  .sessions.empty());  // the archive marks it done
}

TEST_F(Lifecycle, WatcherArchivesSessionsAsTheyEnd) {
  HiveMindClient client(options());
  WatcherOptions watcher_options;
  watcher_options.interval = 50ms;
  watcher_options.liveness_interval = 50ms;
  CleanupPolicy policy;
  policy.archive_dir = archive.path();
  policy.container_cleanup = false;
  watcher_options.cleanup = policy;
  SessionWatcher watcher(client, watcher_options);

  const auto good = client.spawn_task("watched #sleep=0.1");
  const auto bad = client.spawn_task("watched, failing #sleep=0.1 #exit=2");
  EXPECT_EQ(watcher.wait(good.uuid()).outcome, WaitOutcome::completed);
  EXPECT_EQ(watcher.wait(bad.uuid()).outcome, WaitOutcome::dead);
  // The cleanup runs on the watcher's tick after the waits were answered.
  const auto archived = [&](const std::string& id) {
    const auto entry = SessionLifecycle(client).journal()->find(id);
    return entry && !entry->archive_dir.empty();
  };
  ASSERT_TRUE(eventually([&] { return archived(good.uuid()) && archived(bad.uuid()); }));
  ASSERT_TRUE(eventually([&] { return client.status(bad.uuid()) == SessionStatus::Kind::failed; }));
  EXPECT_TRUE(fs::is_regular_file(archive.path() / good.uuid() / "outputs" / "result.md"));
  EXPECT_TRUE(fs::is_regular_file(archive.path() / bad.uuid() / "session.log"));
  EXPECT_EQ(container.count_verb("cleanup"), 0u);
}

// SessionHandle: waiting for the real end of a session, dead sessions, cancel.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/mock_container.hpp"
#include "support/quick_wait.hpp"

using namespace hivemind;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

class SessionWait : public ::testing::Test {
 protected:
  MockContainer container;
  HiveMindClient client{container.options()};

  static WaitOptions quick() { return hivemind::testing::quick_wait_options(); }
};

}  // namespace

TEST_F(SessionWait, SuccessfulSessionEndsCompletedAndReportsEveryChange) {
  const auto session = client.spawn_task("finishes #sleep=0.5");
  std::vector<std::string> seen;
  auto options = quick();
  options.on_status_change = [&](const SessionStatus& status) { seen.push_back(status.text()); };
  const auto result = session.wait_for_completion(options);
  EXPECT_EQ(result.outcome, WaitOutcome::completed);
  EXPECT_EQ(result.status, SessionStatus::Kind::completed);
  EXPECT_EQ(result.metadata.session_id, session.uuid());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "completed");
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());  // changes only
}

TEST_F(SessionWait, FailingTaskStuckRunningIsDetectedAsDead) {
  const auto session = client.spawn_task("fails #sleep=0.2 #exit=3");
  auto options = quick();
  options.mark_dead_as_failed = true;
  const auto result = session.wait_for_completion(options);
  EXPECT_EQ(result.outcome, WaitOutcome::dead);
  EXPECT_TRUE(result.status.is_running());
  EXPECT_THAT(result.evidence, HasSubstr("no process matching"));
  EXPECT_THAT(result.evidence, HasSubstr("recorded as failed"));
  EXPECT_EQ(session.status(), SessionStatus::Kind::failed);
}

TEST_F(SessionWait, ContainerRestartMidSessionIsDetectedAsDead) {
  const auto session = client.spawn_task("long #sleep=60");
  // The script writes `running` only after its process has started, so wait for the status,
  // not just the process: the restart must leave a session that says it is running.
  ASSERT_TRUE(eventually([&] { return session.status() == SessionStatus::Kind::running; }));
  container.control("restart");
  const auto result = session.wait_for_completion(quick());
  EXPECT_EQ(result.outcome, WaitOutcome::dead);
  EXPECT_EQ(session.status(), SessionStatus::Kind::running);  // not marked unless asked
}

TEST_F(SessionWait, DeadlinePassingIsATimeout) {
  const auto session = client.spawn_task("slow #sleep=60");
  auto options = quick();
  options.timeout = 300ms;
  try {
    session.wait_for_completion(options);
    FAIL() << "expected a timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::timeout);
    EXPECT_THAT(e.what(), HasSubstr(session.uuid()));
  }
  session.cancel();
}

TEST_F(SessionWait, StopTokenCancelsASynchronousWait) {
  const auto session = client.spawn_task("slow #sleep=60");
  std::stop_source stop;
  auto waiting = std::async(std::launch::async,
                            [&] { return session.wait_for_completion(quick(), stop.get_token()); });
  ASSERT_TRUE(eventually([&] { return container.count_verb("status") >= 2; }));
  stop.request_stop();
  try {
    waiting.get();
    FAIL() << "expected cancellation";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::cancelled);
  }
  session.cancel();
}

TEST_F(SessionWait, AsyncWaitSupportsPerOperationCancellation) {
  asio::io_context io;
  const HiveMindClient local(io.get_executor(), container.options());
  const auto session = local.spawn_task("slow #sleep=60");
  asio::cancellation_signal cancel;
  auto waiting = session.async_wait_for_completion(
      quick(), asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
  std::thread runner([&] { io.run(); });
  ASSERT_TRUE(eventually([&] { return container.count_verb("status") >= 2; }));
  asio::post(io, [&] { cancel.emit(asio::cancellation_type::terminal); });
  try {
    waiting.get();
    FAIL() << "expected cancellation";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::cancelled);
  }
  runner.join();
  session.cancel();
}

TEST_F(SessionWait, CancelEndsTheProcessesAndRecordsFailed) {
  const auto session = client.spawn_task("to cancel #sleep=60");
  ASSERT_TRUE(eventually([&] { return session.is_process_alive() == true; }));
  EXPECT_EQ(session.cancel(), CancelOutcome::cancelled);
  EXPECT_EQ(session.is_process_alive(), false);
  EXPECT_EQ(session.status(), SessionStatus::Kind::failed);
  const auto result = session.wait_for_completion(quick());
  EXPECT_EQ(result.outcome, WaitOutcome::failed);
  // The agent (a child of the start process) is gone too: no result file appears later.
  EXPECT_EQ(session.cancel(), CancelOutcome::already_finished);
}

TEST_F(SessionWait, CancellingAFinishedSessionChangesNothing) {
  const auto session = client.spawn_task("quick #sleep=0.1");
  ASSERT_EQ(session.wait_for_completion(quick()).outcome, WaitOutcome::completed);
  EXPECT_EQ(session.cancel(), CancelOutcome::already_finished);
  EXPECT_EQ(session.status(), SessionStatus::Kind::completed);
}

TEST_F(SessionWait, SilentLogIsReportedStale) {
  const auto session = client.spawn_task("quiet #sleep=60 #loglines=1");
  auto options = quick();
  options.liveness_interval.reset();
  options.stale_after = 400ms;
  const auto result = session.wait_for_completion(options);
  EXPECT_EQ(result.outcome, WaitOutcome::stale);
  EXPECT_THAT(result.evidence, HasSubstr("did not grow"));
  session.cancel();
}

TEST_F(SessionWait, HandlesRefuseMalformedIds) {
  EXPECT_THROW(SessionHandle::from_uuid(client, "../x"), Error);
  const SessionHandle empty;
  try {
    empty.status();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::invalid_argument);
  }
}

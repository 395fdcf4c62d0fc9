// SessionHandle's log methods: the last lines, and following the log as it grows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <optional>

#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "support/collected_lines.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::child_processes;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using ::testing::Contains;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

namespace {

class SessionFollow : public ::testing::Test {
 protected:
  MockContainer container;
  HiveMindClient client{container.options()};

  // Frequent end checks so that tests finish quickly; the semantics are the defaults'.
  static FollowLogOptions until_end(std::optional<std::size_t> last_n_lines = std::nullopt) {
    FollowLogOptions options;
    options.last_n_lines = last_n_lines;
    options.end_check_interval = 50ms;
    return options;
  }

  static std::vector<std::string> follow_to_end(const SessionHandle& session,
                                                const FollowLogOptions& options) {
    std::vector<std::string> lines;
    session.follow_log([&](std::string_view line) { lines.emplace_back(line); }, {}, options);
    return lines;
  }

  static void wait_until_finished(const SessionHandle& session) {
    WaitOptions wait;
    wait.initial_interval = 20ms;
    wait.max_interval = 100ms;
    wait.liveness_interval = 50ms;
    ASSERT_NE(session.wait_for_completion(wait).outcome, WaitOutcome::stale);
  }
};

}  // namespace

TEST_F(SessionFollow, FollowDeliversEveryLineInOrderUntilStopped) {
  const auto session = client.spawn_task("narrate #sleep=1 #loglines=6");
  hivemind::testing::CollectedLines collected;
  std::stop_source stop;
  FollowLogOptions forever;
  forever.until_session_ends = false;
  auto following = std::async(std::launch::async, [&] {
    session.follow_log([&](std::string_view line) { collected.add(line); }, stop.get_token(),
                       forever);
  });
  ASSERT_TRUE(eventually([&] { return collected.any_contains("done, exit 0"); }));
  stop.request_stop();
  following.get();  // returns normally: a requested stop is not an error
  const auto lines = collected.get();
  EXPECT_THAT(lines, Contains(HasSubstr("step 6/6")));
  EXPECT_EQ(session.read_log(lines.size()), lines);  // what was followed is what the log holds
  EXPECT_TRUE(child_processes().empty());
}

TEST_F(SessionFollow, ReadLogReturnsTheLastLines) {
  const auto session = client.spawn_task("short #loglines=8");
  WaitOptions wait;
  wait.initial_interval = 50ms;
  ASSERT_EQ(session.wait_for_completion(wait).outcome, WaitOutcome::completed);
  const auto last = session.read_log(3);
  ASSERT_EQ(last.size(), 3u);
  EXPECT_THAT(last.back(), HasSubstr("done"));
  const auto unstarted = SessionHandle::from_uuid(client, client.create("never started"));
  EXPECT_TRUE(unstarted.read_log(5).empty());
}

TEST_F(SessionFollow, FollowOfAnUnknownSessionIsSessionNotFound) {
  const auto unknown = SessionHandle::from_uuid(client, "00000000-0000-4000-8000-000000000000");
  try {
    unknown.follow_log([](std::string_view) {}, {});
    FAIL() << "expected session_not_found";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), errc::session_not_found);
  }
}

TEST_F(SessionFollow, FollowEndsWithTheSessionAfterItsLastLine) {
  const auto session = client.spawn_task("narrate #sleep=0.6 #loglines=6");
  const auto lines = follow_to_end(session, until_end());
  ASSERT_FALSE(lines.empty());
  EXPECT_THAT(lines.back(), HasSubstr("done, exit 0"));
  EXPECT_EQ(session.status(), SessionStatus::Kind::completed);
  EXPECT_EQ(lines, session.read_log(1000)) << "every line of the log, each once, in order";
  EXPECT_TRUE(child_processes().empty());
}

TEST_F(SessionFollow, FollowOfAFinishedSessionDeliversItsLogAndReturns) {
  const auto session = client.spawn_task("short #loglines=5");
  wait_until_finished(session);
  const auto whole = session.read_log(1000);
  EXPECT_EQ(follow_to_end(session, until_end()), whole);
  const auto last_two = follow_to_end(session, until_end(2));
  EXPECT_EQ(last_two, std::vector<std::string>(whole.end() - 2, whole.end()));
  EXPECT_TRUE(follow_to_end(session, until_end(0)).empty());
}

TEST_F(SessionFollow, FollowEndsWhenTheSessionDiesWithItsStatusStuckRunning) {
  const auto session = client.spawn_task("crashes #exit=3 #loglines=3");
  const auto lines = follow_to_end(session, until_end());
  EXPECT_EQ(session.status(), SessionStatus::Kind::running) << "the deployed script's flaw";
  EXPECT_THAT(lines, Contains(HasSubstr("step 3/3")));
  EXPECT_EQ(lines, session.read_log(1000));
}

TEST_F(SessionFollow, FollowOfASessionNotStartedYetWaitsForItsStartAndEnd) {
  const auto session = SessionHandle::from_uuid(client, client.create("later #loglines=4"));
  auto following =
      std::async(std::launch::async, [&] { return follow_to_end(session, until_end()); });
  // The follow is checking a `created` session: only then start it.
  ASSERT_TRUE(eventually([&] { return container.count_verb("status") >= 2; }));
  client.start(session.uuid());
  const auto lines = following.get();
  EXPECT_THAT(lines, Contains(HasSubstr("step 4/4")));
  EXPECT_EQ(lines, session.read_log(1000));
}

TEST_F(SessionFollow, StoppingAFollowThatWaitsForTheEndLeavesNoProcess) {
  const auto session = client.spawn_task("long #sleep=30 #loglines=2");
  hivemind::testing::CollectedLines collected;
  std::stop_source stop;
  auto following = std::async(std::launch::async, [&] {
    session.follow_log([&](std::string_view line) { collected.add(line); }, stop.get_token(),
                       until_end());
  });
  ASSERT_TRUE(eventually([&] { return collected.any_contains("Starting session"); }));
  stop.request_stop();
  following.get();
  EXPECT_TRUE(child_processes().empty());
  EXPECT_EQ(session.cancel(), CancelOutcome::cancelled);
}

TEST_F(SessionFollow, AsyncFollowCompletesWithoutErrorWhenTheSessionEnds) {
  const auto session = client.spawn_task("async #sleep=0.3 #loglines=3");
  hivemind::testing::CollectedLines collected;
  auto done = session.async_follow_log([&](std::string_view line) { collected.add(line); },
                                       until_end(), boost::asio::use_future);
  EXPECT_NO_THROW(done.get());
  EXPECT_TRUE(collected.any_contains("done, exit 0"));
}

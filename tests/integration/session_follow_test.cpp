// SessionHandle's log methods: the last lines, and following the log as it grows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "hivemind/error.hpp"
#include "hivemind/session_handle.hpp"
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
};

}  // namespace

TEST_F(SessionFollow, FollowDeliversEveryLineInOrderUntilStopped) {
  const auto session = client.spawn_task("narrate #sleep=1 #loglines=6");
  hivemind::testing::CollectedLines collected;
  std::stop_source stop;
  auto following = std::async(std::launch::async, [&] {
    session.follow_log([&](std::string_view line) { collected.add(line); }, stop.get_token());
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

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/session_processes.hpp"

using namespace hivemind::detail;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(SessionProcesses, PatternDoesNotMatchItsOwnText) {
  EXPECT_EQ(start_process_pattern("3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8"),
            "[h]ive-session-manager.sh start 3f2a1c9e-8b7d-4e6f-a5b4-c3d2e1f0a9b8");
}

TEST(SessionProcesses, StartedSessionsAreReadFromPgrepLines) {
  const auto sessions = parse_started_sessions(
      "101 /bin/bash /app/scripts/hive-session-manager.sh start "
      "11111111-1111-1111-1111-111111111111\n"
      "202 bash hive-session-manager.sh start 22222222-2222-2222-2222-222222222222 --agents=2\n"
      "303 bash hive-session-manager.sh start not-a-uuid\n"
      "404 vim notes.txt\n");
  EXPECT_THAT(sessions, ElementsAre("11111111-1111-1111-1111-111111111111",
                                    "22222222-2222-2222-2222-222222222222"));
  EXPECT_TRUE(parse_started_sessions("").empty());
}

TEST(SessionProcesses, ProcessTreeFollowsEveryGeneration) {
  const std::string ps =
      "    1     0\n"
      "   10     1\n"
      "   11    10\n"
      "   12    11\n"
      "   13    11\n"
      "   20     1\n"
      "   21    20\n"
      "garbage line\n";
  EXPECT_THAT(process_tree({10}, ps), UnorderedElementsAre(10, 11, 12, 13));
  EXPECT_THAT(process_tree({20, 12}, ps), UnorderedElementsAre(20, 21, 12));
  EXPECT_THAT(process_tree({99}, ps), ElementsAre(99));
}

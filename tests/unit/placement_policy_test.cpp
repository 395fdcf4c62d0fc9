// The fleet's placement policies and its rules for target names (which become journal
// subdirectories): sans-IO.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fleet/target_name.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/fleet/placement_policy.hpp"
#include "support/capture_error.hpp"

using namespace hivemind;
using hivemind::testing::capture_error;
using ::testing::HasSubstr;

TEST(PlacementPolicy, LeastRunningSessionsPicksTheLightestTarget) {
  const std::vector<TargetLoad> loads{{"a", 4, 0}, {"b", 1, 9}, {"c", 2, 0}};
  EXPECT_EQ(least_running_sessions()(loads), 1U);
}

TEST(PlacementPolicy, LeastRunningSessionsBreaksTiesByPlacedThenByNameOrder) {
  const std::vector<TargetLoad> by_placed{{"a", 2, 5}, {"b", 2, 3}, {"c", 2, 4}};
  EXPECT_EQ(least_running_sessions()(by_placed), 1U);
  const std::vector<TargetLoad> all_equal{{"a", 2, 3}, {"b", 2, 3}};
  EXPECT_EQ(least_running_sessions()(all_equal), 0U);
}

TEST(PlacementPolicy, RoundRobinCopiesShareOneTurn) {
  const auto policy = round_robin();
  const auto copy = policy;
  const std::vector<TargetLoad> loads{{"a", 0, 0}, {"b", 9, 9}, {"c", 0, 0}};
  EXPECT_EQ(policy(loads), 0U);
  EXPECT_EQ(copy(loads), 1U);
  EXPECT_EQ(policy(loads), 2U);
  EXPECT_EQ(copy(loads), 0U);
}

TEST(TargetName, AcceptsTheNamesDiscoveryProduces) {
  for (const std::string name :
       {"hive-1", "docker:host-a/hive_2", "kube:staging/hive/pod-7", "user@host.example:1"}) {
    EXPECT_NO_THROW(detail::validate_target_name(name)) << name;
  }
}

TEST(TargetName, RefusesNamesThatAreNoSafeRelativePath) {
  const std::vector<std::pair<std::string, std::string>> refused{
      {"", "is empty"},
      {"a b", "outside"},
      {"a\nb", "outside"},
      {"/abs", "starts or ends"},
      {"trailing/", "starts or ends"},
      {"a//b", "empty, . or .."},
      {"a/../b", "empty, . or .."},
      {"..", "empty, . or .."},
      {std::string(201, 'x'), "longer than 200"},
  };
  // Not a structured binding: clang 14 cannot capture one in the lambda.
  for (const auto& refusal : refused) {
    const auto& name = refusal.first;
    const auto error = capture_error([&] { detail::validate_target_name(name); });
    EXPECT_EQ(error.kind(), errc::invalid_argument) << name;
    EXPECT_THAT(error.what(), HasSubstr(refusal.second)) << name;
  }
}

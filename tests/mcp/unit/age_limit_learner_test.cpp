#include "mcp/age_limit_learner.hpp"

#include <gtest/gtest.h>

namespace hivemind::mcp_detail {
namespace {

using namespace std::chrono_literals;

TEST(AgeLimitLearner, NothingLearnedKeepsTheConfiguredAge) {
  const AgeLimitLearner learner;
  EXPECT_FALSE(learner.learned());
  EXPECT_EQ(learner.recycle_after(270s), 270s);
  EXPECT_FALSE(learner.due(269s, 270s));
  EXPECT_TRUE(learner.due(270s, 270s));
  EXPECT_FALSE(learner.due(1000s, 0s)) << "zero disables when nothing is learned";
}

TEST(AgeLimitLearner, ACloseAtAgeALowersRecyclingToNinetyPercent) {
  AgeLimitLearner learner;
  learner.on_relay_close(100s, 5s);
  ASSERT_TRUE(learner.learned());
  EXPECT_EQ(*learner.learned(), 90s);
  EXPECT_EQ(learner.recycle_after(270s), 90s);
  EXPECT_TRUE(learner.due(90s, 270s));
  EXPECT_FALSE(learner.due(89s, 270s));
  EXPECT_EQ(learner.recycle_after(0s), 90s) << "learned applies without a configured age";
}

TEST(AgeLimitLearner, TheConfiguredAgeWinsWhenShorter) {
  AgeLimitLearner learner;
  learner.on_relay_close(300s, 5s);
  EXPECT_EQ(*learner.learned(), 270s);
  EXPECT_EQ(learner.recycle_after(60s), 60s);
}

TEST(AgeLimitLearner, AYoungerCloseLowersItAgainAnOlderOneDoesNot) {
  AgeLimitLearner learner;
  learner.on_relay_close(100s, 5s);
  learner.on_relay_close(200s, 5s);
  EXPECT_EQ(*learner.learned(), 90s);
  learner.on_relay_close(50s, 5s);
  EXPECT_EQ(*learner.learned(), 45s);
}

TEST(AgeLimitLearner, ClosesYoungerThanTheConnectDeadlineAreIgnored) {
  AgeLimitLearner learner;
  learner.on_relay_close(4999ms, 5s);
  learner.on_relay_close(0s, 0s);
  EXPECT_FALSE(learner.learned());
  learner.on_relay_close(5s, 5s);
  EXPECT_EQ(*learner.learned(), 4500ms);
}

}  // namespace
}  // namespace hivemind::mcp_detail

#include <gtest/gtest.h>

#include "hivemind/common/retry_policy.hpp"

using namespace std::chrono_literals;
using hivemind::backoff_delay;
using hivemind::RetryPolicy;

TEST(Backoff, DoublesFromTheInitialDelayWithoutJitter) {
  RetryPolicy policy{.max_attempts = 5, .initial_delay = 500ms, .multiplier = 2.0, .jitter = 0.0};
  EXPECT_EQ(backoff_delay(policy, 1, 0.7), 500ms);
  EXPECT_EQ(backoff_delay(policy, 2, 0.7), 1000ms);
  EXPECT_EQ(backoff_delay(policy, 3, 0.7), 2000ms);
}

TEST(Backoff, IsCappedAtTheMaximumDelay) {
  RetryPolicy policy{.initial_delay = 1s, .multiplier = 2.0, .max_delay = 30s, .jitter = 0.0};
  EXPECT_EQ(backoff_delay(policy, 5, 0.0), 16s);
  EXPECT_EQ(backoff_delay(policy, 6, 0.0), 30s);
  EXPECT_EQ(backoff_delay(policy, 60, 0.0), 30s);
}

TEST(Backoff, JitterSpansPlusMinusTheConfiguredFraction) {
  RetryPolicy policy{.initial_delay = 1000ms, .jitter = 0.2};
  EXPECT_EQ(backoff_delay(policy, 1, 0.0), 800ms);
  EXPECT_EQ(backoff_delay(policy, 1, 0.5), 1000ms);
  EXPECT_EQ(backoff_delay(policy, 1, 1.0), 1200ms);
}

TEST(Backoff, RandomisedDelaysStayInsideTheJitterBand) {
  RetryPolicy policy{.initial_delay = 1000ms, .jitter = 0.25};
  for (int i = 0; i < 200; ++i) {
    const auto delay = backoff_delay(policy, 1);
    EXPECT_GE(delay, 750ms);
    EXPECT_LE(delay, 1250ms);
  }
}

TEST(Backoff, NoDelayBeforeTheFirstAttempt) {
  EXPECT_EQ(backoff_delay(RetryPolicy{}, 0, 0.5), 0ms);
}

#include "hivemind/mcp/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"

namespace hivemind {
namespace {

using namespace std::chrono_literals;
using clock_type = RateLimiter::clock;

TEST(RateLimiter, DisabledNeverDelays) {
  RateLimiter limiter(RateLimitOptions{});
  const auto now = clock_type::now();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.reserve(now), now);
}

TEST(RateLimiter, AllowsTheBurstThenSpacesEventsByTheInterval) {
  RateLimiter limiter(RateLimitOptions{true, 10, 1000ms, 3});
  const auto start = clock_type::now();
  EXPECT_EQ(limiter.reserve(start), start);
  EXPECT_EQ(limiter.reserve(start), start);
  EXPECT_EQ(limiter.reserve(start), start);
  EXPECT_EQ(limiter.reserve(start), start + 100ms);
  EXPECT_EQ(limiter.reserve(start), start + 200ms);
}

TEST(RateLimiter, NeverExceedsBurstPlusRateInAnyWindow) {
  // The relay's rule: 100 events per 60 s. The defaults pace to at most 95.
  RateLimitOptions options;
  options.enabled = true;
  RateLimiter limiter(options);
  const auto start = clock_type::now();
  std::vector<clock_type::time_point> times;
  for (int i = 0; i < 400; ++i) times.push_back(limiter.reserve(start));
  for (std::size_t first = 0; first < times.size(); ++first) {
    std::size_t in_window = 0;
    for (std::size_t j = first; j < times.size() && times[j] - times[first] < 60s; ++j) ++in_window;
    ASSERT_LE(in_window, 95u) << "window starting at event " << first;
  }
}

TEST(RateLimiter, IdleTimeRefillsTheBurstButNoMore) {
  RateLimiter limiter(RateLimitOptions{true, 10, 1000ms, 2});
  const auto start = clock_type::now();
  limiter.reserve(start);
  limiter.reserve(start);
  const auto later = start + 10s;
  EXPECT_EQ(limiter.reserve(later), later);
  EXPECT_EQ(limiter.reserve(later), later);
  EXPECT_EQ(limiter.reserve(later), later + 100ms);
}

TEST(RateLimiter, RejectsNonsenseSettings) {
  EXPECT_THROW(RateLimiter(RateLimitOptions{true, 0, 1000ms, 1}), Error);
  EXPECT_THROW(RateLimiter(RateLimitOptions{true, 10, 0ms, 1}), Error);
}

}  // namespace
}  // namespace hivemind

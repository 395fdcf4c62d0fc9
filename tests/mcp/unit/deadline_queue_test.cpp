#include "mcp/deadline_queue.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace hivemind::mcp_detail {
namespace {

using namespace std::chrono_literals;
using clock_type = DeadlineQueue::clock;

TEST(DeadlineQueue, ExpiresInDeadlineOrderWhateverTheInsertionOrder) {
  DeadlineQueue queue;
  const auto t0 = clock_type::now();
  EXPECT_TRUE(queue.insert(3, t0 + 30ms));
  EXPECT_FALSE(queue.insert(1, t0 + 40ms));
  EXPECT_TRUE(queue.insert(7, t0 + 10ms));   // earlier: the new head
  EXPECT_FALSE(queue.insert(2, t0 + 30ms));  // equal deadlines keep their order
  EXPECT_EQ(queue.front(), 7u);
  EXPECT_EQ(queue.next_deadline(), t0 + 10ms);
  std::vector<std::uint32_t> expired;
  queue.expire(t0 + 30ms, [&](std::uint32_t index) { expired.push_back(index); });
  EXPECT_EQ(expired, (std::vector<std::uint32_t>{7, 3, 2}));
  EXPECT_EQ(queue.front(), 1u);
  EXPECT_FALSE(queue.contains(3));
}

TEST(DeadlineQueue, EraseAnywhereKeepsTheRestLinked) {
  DeadlineQueue queue;
  const auto t0 = clock_type::now();
  for (std::uint32_t i = 0; i < 5; ++i) queue.insert(i, t0 + i * 1ms);
  queue.erase(0);   // head
  queue.erase(2);   // middle
  queue.erase(4);   // tail
  queue.erase(4);   // twice: nothing
  queue.erase(99);  // never queued: nothing
  std::vector<std::uint32_t> expired;
  queue.expire(t0 + 1h, [&](std::uint32_t index) { expired.push_back(index); });
  EXPECT_EQ(expired, (std::vector<std::uint32_t>{1, 3}));
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(queue.insert(4, t0));  // reusable after expiry
}

TEST(DeadlineQueue, AnExpiryHandlerMayQueueAgain) {
  DeadlineQueue queue;
  const auto t0 = clock_type::now();
  queue.insert(0, t0);
  int calls = 0;
  queue.expire(t0, [&](std::uint32_t index) {
    ++calls;
    queue.insert(index, t0 + 1s);  // later than `now`: not expired in this round
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(queue.contains(0));
}

}  // namespace
}  // namespace hivemind::mcp_detail

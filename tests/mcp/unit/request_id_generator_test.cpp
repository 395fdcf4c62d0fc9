#include "mcp/request_id_generator.hpp"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace hivemind::mcp_detail {
namespace {

TEST(RequestIdGenerator, IdsAreNonEmptyStringsCountingFromOne) {
  RequestIdGenerator ids("abc");
  EXPECT_EQ(ids.next(), "abc-1");
  EXPECT_EQ(ids.next(), "abc-2");
}

TEST(RequestIdGenerator, TwoGeneratorsNeverShareAnId) {
  // Two clients on one relay: the relay routes by id, so a shared id steals answers.
  RequestIdGenerator first;
  RequestIdGenerator second;
  EXPECT_NE(first.prefix(), second.prefix());
  EXPECT_EQ(first.prefix().size(), 16u);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(first.next()).second);
    EXPECT_TRUE(seen.insert(second.next()).second);
  }
}

TEST(RequestIdGenerator, IsUniqueUnderConcurrentUse) {
  RequestIdGenerator ids;
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& bucket : per_thread) {
    threads.emplace_back([&ids, &bucket] {
      for (int i = 0; i < 500; ++i) bucket.push_back(ids.next());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& bucket : per_thread) all.insert(bucket.begin(), bucket.end());
  EXPECT_EQ(all.size(), 2000u);
}

}  // namespace
}  // namespace hivemind::mcp_detail

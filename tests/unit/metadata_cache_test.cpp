// MetadataCache without a container: expiry, eviction, invalidation, counters.
#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"
#include "hivemind/journal/metadata_cache.hpp"

using namespace hivemind;
using namespace std::chrono_literals;

namespace {

class MetadataCacheTest : public ::testing::Test {
 protected:
  MetadataCache::Clock::time_point now{};

  MetadataCache make_cache(std::chrono::milliseconds ttl, std::size_t max_entries = 8) {
    return MetadataCache({ttl, max_entries}, [this] { return now; });
  }

  static SessionMetadata session(const std::string& uuid, const std::string& task = "task") {
    SessionMetadata metadata;
    metadata.session_id = uuid;
    metadata.task = task;
    return metadata;
  }
};

}  // namespace

TEST_F(MetadataCacheTest, AnswersWithinTheTtlAndForgetsAtIt) {
  auto cache = make_cache(100ms);
  cache.store(session("a", "first"));
  now += 99ms;
  const auto found = cache.find("a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->task, "first");
  now += 1ms;
  EXPECT_FALSE(cache.find("a"));
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 0u) << "an expired entry is dropped when found expired";
}

TEST_F(MetadataCacheTest, StoringAgainReplacesAndRestartsTheTtl) {
  auto cache = make_cache(100ms);
  cache.store(session("a", "old"));
  now += 60ms;
  cache.store(session("a", "new"));
  now += 60ms;
  const auto found = cache.find("a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->task, "new");
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST_F(MetadataCacheTest, DropsTheOldestStoredBeyondMaxEntries) {
  auto cache = make_cache(1s, 2);
  cache.store(session("a"));
  cache.store(session("b"));
  cache.store(session("a"));  // now younger than b
  cache.store(session("c"));
  EXPECT_TRUE(cache.find("a"));
  EXPECT_FALSE(cache.find("b"));
  EXPECT_TRUE(cache.find("c"));
  EXPECT_EQ(cache.stats().evictions, 1u);
  EXPECT_EQ(cache.stats().entries, 2u);
}

TEST_F(MetadataCacheTest, InvalidateAndClearForget) {
  auto cache = make_cache(1s);
  cache.store(session("a"));
  cache.store(session("b"));
  cache.invalidate("a");
  cache.invalidate("never-stored");
  EXPECT_FALSE(cache.find("a"));
  EXPECT_TRUE(cache.find("b"));
  cache.clear();
  EXPECT_FALSE(cache.find("b"));
  EXPECT_EQ(cache.stats().entries, 0u);
}

TEST_F(MetadataCacheTest, RefusesOptionsThatCannotWork) {
  const auto code_of = [](MetadataCacheOptions options) {
    try {
      MetadataCache cache(options);
    } catch (const Error& error) {
      return error.code();
    }
    return std::error_code();
  };
  EXPECT_EQ(code_of({0ms, 8}), errc::invalid_argument);
  EXPECT_EQ(code_of({-5ms, 8}), errc::invalid_argument);
  EXPECT_EQ(code_of({1s, 0}), errc::invalid_argument);
  EXPECT_EQ(code_of({1s, 1}), std::error_code());
}

// ClientOptions::metadata_cache against the mock container: which `get` calls reach the
// container (counted in the fake docker's invocation log) and which the cache answers.
#include <gtest/gtest.h>

#include <memory>

#include <boost/asio/use_future.hpp>

#include "hivemind/common/error.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/journal/metadata_cache.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using hivemind::testing::MockContainer;
using namespace std::chrono_literals;

namespace {

class CachedClient : public ::testing::Test {
 protected:
  MockContainer container;
  // An hour: nothing in these tests expires by time, so every exec counted is a
  // decision of the client, not of the clock (expiry is covered by the unit tests).
  std::shared_ptr<MetadataCache> cache = std::make_shared<MetadataCache>(MetadataCacheOptions{1h});
  HiveMindClient client{options_with_cache()};

  ClientOptions options_with_cache() const {
    auto options = container.options();
    options.metadata_cache = cache;
    return options;
  }
};

}  // namespace

TEST_F(CachedClient, RepeatedGetsOfOneSessionCostOneExec) {
  const auto uuid = client.create("cached task");
  const auto first = client.get(uuid);
  const auto second = client.get(uuid);
  const auto third = client.async_get(uuid, boost::asio::use_future).get();
  EXPECT_EQ(container.count_verb("get"), 1u);
  EXPECT_EQ(second.task, "cached task");
  EXPECT_EQ(third.raw, first.raw);
  EXPECT_EQ(cache->stats().hits, 2u);
}

TEST_F(CachedClient, ClientsSharingTheOptionsShareTheCache) {
  const auto uuid = client.create("shared");
  (void)client.get(uuid);
  const HiveMindClient other(options_with_cache());
  (void)other.get(uuid);
  EXPECT_EQ(container.count_verb("get"), 1u);
}

TEST_F(CachedClient, UpdateStatusMakesTheNextGetAskTheContainer) {
  const auto uuid = client.create("will change");
  EXPECT_EQ(client.get(uuid).status, SessionStatus::Kind::created);
  client.update_status(uuid, "failed");
  EXPECT_EQ(client.get(uuid).status, SessionStatus::Kind::failed);
  EXPECT_EQ(container.count_verb("get"), 2u);
}

TEST_F(CachedClient, CleanupForgetsEverything) {
  const auto uuid = client.create("to be forgotten");
  (void)client.get(uuid);
  (void)client.cleanup(24);
  EXPECT_EQ(cache->stats().entries, 0u);
  (void)client.get(uuid);
  EXPECT_EQ(container.count_verb("get"), 2u);
}

TEST_F(CachedClient, RefreshAlwaysAsksAndUpdatesTheCache) {
  const auto session = SessionHandle::from_uuid(client, client.create("refreshed"));
  (void)session.metadata();
  // Another client changes the session behind this one's back: only refresh() sees it.
  container.run_script({"update-status", session.uuid(), "completed"});
  EXPECT_EQ(session.metadata().status, SessionStatus::Kind::created);
  EXPECT_EQ(session.refresh().status, SessionStatus::Kind::completed);
  EXPECT_EQ(session.metadata().status, SessionStatus::Kind::completed);
  EXPECT_EQ(session.async_refresh(boost::asio::use_future).get().status,
            SessionStatus::Kind::completed);
  EXPECT_EQ(container.count_verb("get"), 3u);
}

TEST_F(CachedClient, WaitEndsWithFreshMetadataNotTheCachedOne) {
  auto session = client.spawn_task("quick #sleep=0.2");
  const auto before = session.metadata();  // cached while still created or running
  ASSERT_FALSE(before.status.is_terminal());
  WaitOptions options;
  options.initial_interval = 20ms;
  options.max_interval = 100ms;
  const auto result = session.wait_for_completion(options);
  ASSERT_EQ(result.outcome, WaitOutcome::completed);
  EXPECT_EQ(result.metadata.status, SessionStatus::Kind::completed);
}

TEST_F(CachedClient, UnknownSessionIsNeverCached) {
  const std::string unknown = "00000000-0000-4000-8000-000000000000";
  EXPECT_THROW((void)client.get(unknown), Error);
  EXPECT_THROW((void)client.get(unknown), Error);
  EXPECT_EQ(container.count_verb("get"), 2u);
  EXPECT_EQ(cache->stats().entries, 0u);
}

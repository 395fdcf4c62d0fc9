// HiveMindFleet over three mock containers (one root each): placement balance, the merged
// list, a target that goes down (new sessions go elsewhere, waits pause and resume), a target
// killed mid-run (its sessions found dead once it answers again, every journal record kept,
// recovered by a new fleet), a target that vanishes (its waits end `lost`), deadlines and
// refused input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/fleet/hivemind_fleet.hpp"
#include "hivemind/journal/session_journal.hpp"
#include "support/capture_error.hpp"
#include "support/mock_container.hpp"

using namespace hivemind;
using namespace std::chrono_literals;
using hivemind::testing::capture_error;
using hivemind::testing::eventually;
using hivemind::testing::MockContainer;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace fleet_test {

namespace fs = std::filesystem;

// Three mock containers "a", "b" and "c", a discovery the test can change, and the target
// events the fleet reported.
class Fleet : public ::testing::Test {
 protected:
  Fleet() {
    journal_dir = containers[0].root().parent_path() /
                  ("fleet-journal-" + containers[0].root().filename().string());
    for (std::size_t i = 0; i < names.size(); ++i) {
      announced.push_back({names[i], containers[i].options()});
    }
  }
  ~Fleet() override { fs::remove_all(journal_dir); }

  FleetOptions options() {
    FleetOptions options;
    options.discovery = [this] {
      std::lock_guard lock(mutex);
      return announced;
    };
    options.refresh_interval = 0ms;  // only on refresh(): the test decides when
    options.down_probe_interval = 50ms;
    options.watcher.interval = 50ms;
    options.watcher.liveness_interval = 100ms;
    options.on_target_event = [this](const TargetEvent& event) {
      std::lock_guard lock(mutex);
      events.push_back(std::string(to_string(event.kind)) + " " + event.target);
    };
    return options;
  }

  void withdraw(const std::string& name) {
    std::lock_guard lock(mutex);
    std::erase_if(announced, [&](const FleetTarget& target) { return target.name == name; });
  }
  std::vector<std::string> seen_events() {
    std::lock_guard lock(mutex);
    return events;
  }
  const MockContainer& container(const std::string& name) const {
    return containers[static_cast<std::size_t>(name[0] - 'a')];
  }
  static std::map<std::string, int> per_target(const std::vector<SessionHandle>& sessions) {
    std::map<std::string, int> counts;
    for (const auto& session : sessions) ++counts[session.client().options().target_name];
    return counts;
  }

  const std::vector<std::string> names{"a", "b", "c"};
  MockContainer containers[3];
  fs::path journal_dir;
  std::mutex mutex;
  std::vector<FleetTarget> announced;
  std::vector<std::string> events;
};

TEST_F(Fleet, SpreadsABurstOfSessionsEvenlyAndEachLandsOnItsOwnTarget) {
  HiveMindFleet fleet(options());
  std::vector<SessionHandle> sessions;
  for (int i = 0; i < 9; ++i) sessions.push_back(fleet.spawn_task("burst #sleep=5"));

  EXPECT_EQ(per_target(sessions), (std::map<std::string, int>{{"a", 3}, {"b", 3}, {"c", 3}}));
  for (const auto& session : sessions) {
    const auto& name = session.client().options().target_name;
    for (const auto& other : names) {
      EXPECT_EQ(fs::exists(container(other).session_dir(session.uuid())), other == name)
          << session.uuid() << " placed on " << name << ", looked on " << other;
    }
  }
  for (const auto& target : fleet.targets()) {
    EXPECT_EQ(target.placed_sessions, 3U) << target.name;
    EXPECT_EQ(target.health, TargetHealth::up);
  }
}

TEST_F(Fleet, LeastRunningSessionsFillsTheTargetThatIsLeastBusy) {
  // b already runs two sessions that this fleet did not place.
  const HiveMindClient b(container("b").options());
  for (int i = 0; i < 2; ++i) {
    const auto session = b.spawn_task("busy #sleep=30");
    ASSERT_TRUE(eventually([&] { return session.status() == SessionStatus::Kind::running; }));
  }
  HiveMindFleet fleet(options());
  std::vector<SessionHandle> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(fleet.spawn_task("more #sleep=5"));
  // a and c take two each before b, which is at two already, gets any.
  EXPECT_EQ(per_target(sessions), (std::map<std::string, int>{{"a", 2}, {"c", 2}}));
}

TEST_F(Fleet, RoundRobinTakesEachTargetInTurn) {
  auto fleet_options = options();
  fleet_options.placement = round_robin();
  HiveMindFleet fleet(std::move(fleet_options));
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) {
    order.push_back(fleet.spawn_task("turn").client().options().target_name);
  }
  EXPECT_THAT(order, ElementsAre("a", "b", "c", "a", "b", "c"));
}

TEST_F(Fleet, CreateTaskPlacesWithoutStartingAndCountsForPlacement) {
  HiveMindFleet fleet(options());
  const auto created = fleet.create_task("created only");
  EXPECT_EQ(created.client().options().target_name, "a");
  EXPECT_EQ(created.status(), SessionStatus::Kind::created);
  EXPECT_EQ(container("a").count_verb("start"), 0U);
  // a has one placed: the next goes to b.
  EXPECT_EQ(fleet.spawn_task("next").client().options().target_name, "b");
}

TEST_F(Fleet, ListMergesEveryTargetAndFindReturnsAHandleOnTheRightTarget) {
  HiveMindFleet fleet(options());
  std::vector<SessionHandle> sessions;
  for (int i = 0; i < 6; ++i) sessions.push_back(fleet.spawn_task("listed " + std::to_string(i)));

  const auto index = fleet.list();
  ASSERT_EQ(index.sessions.size(), 6U);
  EXPECT_TRUE(std::is_sorted(index.sessions.begin(), index.sessions.end(),
                             [](const auto& x, const auto& y) { return x.target < y.target; }));
  ASSERT_EQ(index.targets.size(), 3U);
  for (const auto& session : sessions) {
    const auto* listed = index.find(session.uuid());
    ASSERT_NE(listed, nullptr) << session.uuid();
    EXPECT_EQ(listed->target, session.client().options().target_name);
    const auto found = fleet.find(session.uuid());
    EXPECT_EQ(found.client().options().target_name, listed->target);
    EXPECT_EQ(found.metadata().session_id, session.uuid());
  }
  EXPECT_EQ(capture_error([&] { fleet.find("00000000-0000-4000-8000-000000000000"); }).kind(),
            errc::session_not_found);
  EXPECT_EQ(capture_error([&] { fleet.find("not-a-uuid"); }).kind(), errc::invalid_argument);
}

TEST_F(Fleet, WaitsOnSessionsOfAllTargetsCostOneListPerTargetPerTick) {
  HiveMindFleet fleet(options());
  std::vector<SessionHandle> sessions;
  for (int i = 0; i < 12; ++i) sessions.push_back(fleet.spawn_task("watched #sleep=1"));
  std::vector<std::future<WaitResult>> waits;
  for (const auto& session : sessions) {
    waits.push_back(
        std::async(std::launch::async, [&fleet, session] { return fleet.wait(session, 30s); }));
  }
  for (auto& wait : waits) EXPECT_EQ(wait.get().outcome, WaitOutcome::completed);
  for (const auto& [name, stats] : fleet.watcher_stats()) {
    // Four waiters per target, yet one list per tick.
    EXPECT_GT(stats.ticks, 0U) << name;
    EXPECT_EQ(stats.list_calls, stats.ticks) << name;
  }
}

TEST_F(Fleet, NewSessionsGoElsewhereWhileATargetIsDownAndItComesBack) {
  HiveMindFleet fleet(options());
  container("b").set_switch("daemon-down", true);
  std::vector<SessionHandle> sessions;
  for (int i = 0; i < 6; ++i) sessions.push_back(fleet.spawn_task("elsewhere"));

  EXPECT_EQ(per_target(sessions), (std::map<std::string, int>{{"a", 3}, {"c", 3}}));
  const auto b = fleet.targets()[1];
  EXPECT_EQ(b.health, TargetHealth::down);
  EXPECT_THAT(b.last_error, HasSubstr("Cannot connect to the Docker daemon"));
  EXPECT_THAT(seen_events(), Contains("down b"));
  const auto index = fleet.list();
  EXPECT_EQ(index.targets[1].health, TargetHealth::down);
  EXPECT_EQ(index.sessions.size(), 6U);

  container("b").set_switch("daemon-down", false);
  ASSERT_TRUE(eventually([&] { return fleet.targets()[1].health == TargetHealth::up; }));
  EXPECT_THAT(seen_events(), Contains("up b"));
  EXPECT_EQ(fleet.spawn_task("back").client().options().target_name, "b");
}

TEST_F(Fleet, NoTargetUpIsContainerUnavailableNamingEachTargetsError) {
  HiveMindFleet fleet(options());
  for (const auto& name : names) container(name).set_switch("daemon-down", true);
  const auto error = capture_error([&] { fleet.spawn_task("nowhere"); });
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  for (const auto& name : names) EXPECT_THAT(error.what(), HasSubstr(name + ": down"));
  // Each target was tried once (with the client's retries) and none holds a session.
  for (const auto& name : names) {
    container(name).set_switch("daemon-down", false);
    EXPECT_TRUE(HiveMindClient(container(name).options()).list().sessions.empty()) << name;
  }
}

TEST_F(Fleet, ATargetKilledMidRunLosesNoSessionRecord) {
  // b's agents run far longer than the test: only the kill can end them.
  for (auto& [name, value] : announced[1].options.cli_environment) {
    if (name == "MOCK_AGENT_SECONDS") value = "600";
  }
  auto fleet_options = options();
  fleet_options.journal_dir = journal_dir;
  std::vector<std::string> on_b;
  std::set<std::string> all;
  {
    auto fleet = std::make_unique<HiveMindFleet>(fleet_options);
    std::vector<SessionHandle> sessions;
    for (int i = 0; i < 6; ++i) sessions.push_back(fleet->spawn_task("long"));
    std::vector<std::future<WaitResult>> waits;
    for (const auto& session : sessions) {
      all.insert(session.uuid());
      if (session.client().options().target_name == "b") on_b.push_back(session.uuid());
      waits.push_back(
          std::async(std::launch::async, [&fleet, session] { return fleet->wait(session, 60s); }));
    }
    ASSERT_EQ(on_b.size(), 2U);
    // b's engine goes away and its container restarts: every process in it is killed.
    container("b").set_switch("daemon-down", true);
    container("b").control("restart");
    ASSERT_TRUE(eventually([&] { return fleet->targets()[1].health == TargetHealth::down; }));
    // Meanwhile new work goes to a and c.
    EXPECT_NE(fleet->spawn_task("while b is down").client().options().target_name, "b");
    container("b").set_switch("daemon-down", false);
    for (std::size_t i = 0; i < waits.size(); ++i) {
      const bool was_on_b = sessions[i].client().options().target_name == "b";
      EXPECT_EQ(waits[i].get().outcome, was_on_b ? WaitOutcome::dead : WaitOutcome::completed)
          << sessions[i].uuid();
    }
  }
  // Every session is in the journal of the target it was placed on, with its verdict.
  std::map<std::string, std::string> journaled;
  for (const auto& name : names) {
    for (const auto& entry : SessionJournal::read(journal_dir / name)) {
      journaled[entry.session_id] = name + " " + entry.status;
    }
  }
  for (const auto& uuid : all) {
    const bool was_on_b = std::find(on_b.begin(), on_b.end(), uuid) != on_b.end();
    if (was_on_b) {
      EXPECT_EQ(journaled[uuid], "b dead");
    } else {
      EXPECT_THAT(journaled[uuid], HasSubstr(" completed"));
    }
  }
  EXPECT_EQ(journaled.size(), all.size() + 1);  // and the one placed while b was down
  // A new fleet (the application restarted) opens the same journals.
  HiveMindFleet again(fleet_options);
  for (const auto& uuid : on_b) {
    EXPECT_EQ(again.find(uuid).client().options().journal_dir, journal_dir / "b");
  }
}

TEST_F(Fleet, AWaitPausesWhileItsTargetIsDownAndPastItsDeadlineNamesTheTarget) {
  HiveMindFleet fleet(options());
  const auto session = fleet.spawn_task("paused #sleep=30");
  const auto& name = session.client().options().target_name;
  container(name).set_switch("daemon-down", true);
  const auto error = capture_error([&] { fleet.wait(session, 1500ms); });
  EXPECT_EQ(error.kind(), errc::timeout);
  EXPECT_THAT(error.what(), HasSubstr("on target " + name));
  EXPECT_THAT(error.what(), HasSubstr("Cannot connect to the Docker daemon"));
}

TEST_F(Fleet, AWaitEndsLostWhenItsTargetVanishesFromDiscovery) {
  HiveMindFleet fleet(options());
  const auto session = fleet.spawn_task("orphan #sleep=30");
  const auto name = session.client().options().target_name;
  auto wait = std::async(std::launch::async, [&] { return fleet.wait(session); });
  ASSERT_TRUE(eventually([&] { return fleet.watcher_stats()[name].watched_sessions == 1; }));
  withdraw(name);
  fleet.refresh();
  const auto result = wait.get();
  EXPECT_EQ(result.outcome, WaitOutcome::lost);
  EXPECT_THAT(result.evidence, HasSubstr("vanished"));
  EXPECT_THAT(seen_events(), Contains("vanished " + name));
  EXPECT_EQ(fleet.targets().size(), 2U);
  EXPECT_EQ(capture_error([&] { fleet.client(name); }).kind(), errc::invalid_argument);
}

TEST_F(Fleet, TheBackgroundRefreshTakesInATargetThatAppears) {
  const auto c = announced.back();
  withdraw("c");
  auto refreshing = options();
  refreshing.refresh_interval = 100ms;
  HiveMindFleet fleet(std::move(refreshing));
  ASSERT_EQ(fleet.targets().size(), 2U);
  {
    std::lock_guard lock(mutex);
    announced.push_back(c);
  }
  ASSERT_TRUE(eventually([&] { return fleet.targets().size() == 3; }));
  EXPECT_THAT(seen_events(), Contains("appeared c"));
  // The newcomer takes its share of new sessions.
  std::vector<SessionHandle> sessions;
  for (int i = 0; i < 3; ++i) sessions.push_back(fleet.spawn_task("shared #sleep=5"));
  EXPECT_EQ(per_target(sessions), (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}}));
}

TEST_F(Fleet, AStopRequestCancelsAWaitOnATargetThatIsDown) {
  HiveMindFleet fleet(options());
  const auto session = fleet.spawn_task("stopped #sleep=30");
  container(session.client().options().target_name).set_switch("daemon-down", true);
  std::stop_source stop;
  auto wait = std::async(std::launch::async,
                         [&] { return fleet.wait(session, std::nullopt, stop.get_token()); });
  ASSERT_TRUE(eventually([&] {
    const auto targets = fleet.targets();
    return std::any_of(targets.begin(), targets.end(),
                       [](const auto& t) { return t.health == TargetHealth::down; });
  }));
  stop.request_stop();
  EXPECT_EQ(capture_error([&] { wait.get(); }).kind(), errc::cancelled);
}

TEST_F(Fleet, RefusesOptionsAndTargetsItCannotUse) {
  auto no_discovery = options();
  no_discovery.discovery = nullptr;
  EXPECT_EQ(capture_error([&] { HiveMindFleet{std::move(no_discovery)}; }).kind(),
            errc::invalid_argument);

  announced.push_back(announced[0]);
  auto twice = capture_error([&] { HiveMindFleet{options()}; });
  EXPECT_EQ(twice.kind(), errc::invalid_argument);
  EXPECT_THAT(twice.what(), HasSubstr("\"a\" is given twice"));

  announced.pop_back();
  announced[0].name = "../escape";
  EXPECT_THAT(capture_error([&] { HiveMindFleet{options()}; }).what(), HasSubstr("\"../escape\""));

  announced[0].name = "a";
  auto bad_policy = options();
  bad_policy.placement = [](std::span<const TargetLoad> candidates) { return candidates.size(); };
  HiveMindFleet fleet(std::move(bad_policy));
  EXPECT_EQ(capture_error([&] { fleet.spawn_task("where?"); }).kind(), errc::invalid_argument);
  EXPECT_EQ(container("a").count_verb("create") + container("b").count_verb("create") +
                container("c").count_verb("create"),
            0U);
}

}  // namespace fleet_test

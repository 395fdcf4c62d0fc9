// HiveMindFleet at scale: 1,000 sessions spawned over 10 mock containers and waited on
// through the fleet. Reports what issue 16 asks for:
//   - execs per tick: `list` calls of all watchers per watcher tick (one per target, whatever
//     the number of sessions) and, as the baseline of the same run, the execs that one
//     `status` poll per session would cost per tick (= sessions still waited on);
//   - placement balance: max/min sessions per target;
//   - time from a target going down (its engine stops answering) to the fleet reporting it
//     down, with sessions being waited on there.
// Each container runs the lean session manager of the load tests (tests/load): the full
// mock runs jq about eleven times per verb, which would make 1,000 sessions take minutes of
// CPU that measure the mock, not the SDK.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/fleet/hivemind_fleet.hpp"
#include "support/mock_container.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::size_t kTargets = 10;
constexpr std::size_t kSessions = 1000;
constexpr std::size_t kSpawners = 8;

void install_lean_session_manager(const hivemind::testing::MockContainer& container) {
  const auto script = container.root() / "app" / "scripts" / "hive-session-manager.sh";
  fs::remove(script);
  fs::copy_file(HIVEMIND_LEAN_SESSION_MANAGER, script);
}

// Records when each target was reported down.
struct DownEvents {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, Clock::time_point> at;

  void on(const hivemind::TargetEvent& event) {
    if (event.kind != hivemind::TargetEventKind::down) return;
    std::lock_guard lock(mutex);
    at.emplace(event.target, Clock::now());
    changed.notify_all();
  }
  Clock::time_point wait_for(const std::string& target) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return at.contains(target); });
    return at[target];
  }
};

void BM_FleetSpawnAndWatch(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<std::unique_ptr<hivemind::testing::MockContainer>> containers;
    std::vector<hivemind::FleetTarget> targets;
    for (std::size_t i = 0; i < kTargets; ++i) {
      containers.push_back(std::make_unique<hivemind::testing::MockContainer>());
      install_lean_session_manager(*containers.back());
      auto options = containers.back()->options();
      options.call_timeout = 60s;
      targets.push_back({"hive-" + std::to_string(i), std::move(options)});
    }
    auto down_events = std::make_shared<DownEvents>();
    hivemind::FleetOptions options;
    options.discovery = hivemind::fixed_targets(targets);
    options.refresh_interval = 0ms;
    options.down_probe_interval = 500ms;
    options.watcher.interval = 1s;
    options.watcher.liveness_interval = std::nullopt;  // the lean manager has no agents
    options.on_target_event = [down_events](const auto& event) { down_events->on(event); };
    hivemind::HiveMindFleet fleet(std::move(options));

    // Spawn: target 0's sessions run far longer than the rest, to be waited on when it
    // goes down; the others end within a few ticks.
    const auto spawn_started = Clock::now();
    std::vector<hivemind::SessionHandle> sessions(kSessions);
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> spawners;
    for (std::size_t s = 0; s < kSpawners; ++s) {
      spawners.emplace_back([&] {
        for (auto i = next++; i < kSessions; i = next++) {
          sessions[i] = fleet.spawn_task("bench task " + std::to_string(i) + " #sleep=8");
        }
      });
    }
    spawners.clear();
    const auto spawn_seconds = std::chrono::duration<double>(Clock::now() - spawn_started).count();

    std::map<std::string, std::size_t> per_target;
    for (const auto& session : sessions) ++per_target[session.client().options().target_name];
    const auto [fewest, most] =
        std::minmax_element(per_target.begin(), per_target.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; });

    // Wait on every session; sample the sessions still waited on at each tick.
    std::vector<std::future<hivemind::WaitResult>> waits;
    waits.reserve(kSessions);
    for (const auto& session : sessions) {
      waits.push_back(
          std::async(std::launch::async, [&fleet, session] { return fleet.wait(session, 5min); }));
    }
    for (auto& wait : waits) wait.get();
    std::uint64_t list_calls = 0;
    std::uint64_t ticks = 0;
    for (const auto& [name, stats] : fleet.watcher_stats()) {
      list_calls += stats.list_calls;
      ticks = std::max(ticks, stats.ticks);
    }

    // A target goes down while sessions are waited on there.
    const auto& victim = targets[0].name;
    constexpr std::size_t kPaused = 20;
    std::stop_source end_paused;
    std::vector<std::future<void>> paused;
    for (std::size_t i = 0; i < kPaused; ++i) {
      const auto session = fleet.client(victim).spawn_task("long #sleep=600");
      paused.push_back(std::async(std::launch::async, [&fleet, session, &end_paused] {
        try {
          fleet.wait(session, std::nullopt, end_paused.get_token());
        } catch (const hivemind::Error&) {
          // cancelled below, once the measurement is done
        }
      }));
    }
    while (fleet.watcher_stats()[victim].watched_sessions < kPaused) {
      std::this_thread::sleep_for(10ms);
    }
    const auto went_down = Clock::now();
    containers[0]->set_switch("daemon-down", true);
    const auto reported = down_events->wait_for(victim);
    end_paused.request_stop();
    for (auto& wait : paused) wait.get();

    state.counters["targets"] = kTargets;
    state.counters["sessions"] = kSessions;
    state.counters["spawn_s"] = spawn_seconds;
    state.counters["balance_max"] = static_cast<double>(most->second);
    state.counters["balance_min"] = static_cast<double>(fewest->second);
    state.counters["list_calls"] = static_cast<double>(list_calls);
    state.counters["watcher_ticks"] = static_cast<double>(ticks);
    state.counters["execs_per_tick"] =
        ticks == 0 ? 0.0 : static_cast<double>(list_calls) / static_cast<double>(ticks);
    // Baseline: one `status` per waited session per tick (SessionHandle::wait_for_completion).
    state.counters["baseline_execs_per_tick"] = kSessions;
    state.counters["down_to_report_ms"] =
        std::chrono::duration<double, std::milli>(reported - went_down).count();
  }
}
BENCHMARK(BM_FleetSpawnAndWatch)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

// What a HiveMindFleet knows: its targets, each with its client, its shared watcher and its
// health, and the background refresh. Shared by the fleet's operations (hivemind_fleet.cpp,
// fleet_wait.cpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "hivemind/common/error.hpp"
#include "hivemind/fleet/hivemind_fleet.hpp"

namespace hivemind {

// One target. `state` and `vanished` are guarded by the fleet's mutex.
struct FleetTargetEntry {
  FleetTargetEntry(FleetTarget target, HiveMindClient target_client,
                   const WatcherOptions& watcher_options);

  const FleetTarget target;
  const HiveMindClient client;
  const SessionWatcher watcher;  // polls only while someone waits on this target
  TargetState state;
  bool vanished = false;
  // Requested once the target vanished from discovery: ends the waits on its sessions.
  std::stop_source retired;
};

using FleetTargetPtr = std::shared_ptr<FleetTargetEntry>;

// Errors that say the target itself is unreachable (not that a request was wrong).
bool is_target_failure(const Error& error);

class HiveMindFleet::State {
 public:
  explicit State(FleetOptions options);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  const FleetOptions& options() const noexcept { return options_; }

  // Runs the discovery once and applies it; `initial`: its error propagates.
  void discover(bool initial);
  // One `list` per target given, side by side; health and loads updated. Failed targets
  // map to nullopt.
  std::vector<std::pair<FleetTargetPtr, std::optional<SessionIndex>>> list(
      const std::vector<FleetTargetPtr>& targets);
  void start_background_refresh();

  std::vector<FleetTargetPtr> entries() const;  // in name order
  std::vector<FleetTargetPtr> entries_down() const;
  FleetTargetPtr entry(std::string_view name) const;  // invalid_argument when unknown
  std::vector<TargetState> states() const;
  TargetState state_of(const FleetTargetPtr& target) const;
  bool has_vanished(const FleetTargetPtr& target) const;

  // The placement policy's pick among the targets up and not in `excluded`, counted as
  // placed; container_unavailable naming each target's state when there is none.
  FleetTargetPtr place(const std::set<std::string, std::less<>>& excluded);
  void unplace(const FleetTargetPtr& target);

  void mark_down(const FleetTargetPtr& target, const std::string& reason);
  // Blocks until the target is up again or vanished, `deadline` passes or `stop` is
  // requested; returns whether it is up.
  bool wait_until_up(const FleetTargetPtr& target,
                     std::optional<std::chrono::steady_clock::time_point> deadline,
                     std::stop_token stop) const;

 private:
  void mark_up(const FleetTargetPtr& target, const SessionIndex& index,
               std::vector<TargetEvent>& events);
  void emit(const std::vector<TargetEvent>& events) const;
  void refresh_loop(std::stop_token stop);

  const FleetOptions options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable_any changed_;
  std::map<std::string, FleetTargetPtr, std::less<>> targets_;
  std::jthread refresher_;  // last: stopped and joined first
};

}  // namespace hivemind

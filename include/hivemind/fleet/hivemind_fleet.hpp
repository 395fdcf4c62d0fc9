// HiveMindFleet: many hive-mind containers (Docker hosts, podman, Kubernetes pods) used as
// one. New sessions are placed on a target by a PlacementPolicy; `list` merges every target;
// waits share one SessionWatcher per target, so watching N sessions costs one `list` per
// target per tick whatever N is. A target that fails is marked down: new sessions go
// elsewhere and waits on its sessions pause until it answers again. With a journal
// directory each target's client journals its sessions in a subdirectory named after the
// target, so SessionLifecycle::recover works per target across a restart.
//
// Thread-safe. Each target's client owns its own io_context thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/control/session_watcher.hpp"
#include "hivemind/control/wait_options.hpp"
#include "hivemind/fleet/placement_policy.hpp"
#include "hivemind/fleet/target_discovery.hpp"
#include "hivemind/models/priority.hpp"
#include "hivemind/models/session_index.hpp"

namespace hivemind {

enum class TargetHealth { up, down };
std::string_view to_string(TargetHealth health) noexcept;

struct TargetState {
  std::string name;
  TargetHealth health = TargetHealth::up;
  std::size_t running_sessions = 0;  // starting or running in its last list, plus placed since
  std::size_t known_sessions = 0;    // sessions in its last list
  std::size_t placed_sessions = 0;   // placed there by this fleet
  std::string last_error;            // why it is down; empty while up
  std::optional<std::chrono::system_clock::time_point> down_since;
};

enum class TargetEventKind { appeared, vanished, down, up };
std::string_view to_string(TargetEventKind kind) noexcept;

struct TargetEvent {
  TargetEventKind kind = TargetEventKind::appeared;
  std::string target;
  std::string reason;  // for `down`: the error that marked it; else empty
};

struct FleetOptions {
  TargetDiscovery discovery;  // required
  PlacementPolicy placement = least_running_sessions();
  // Discovery plus one `list` per target, in the background. Zero: only on refresh().
  std::chrono::milliseconds refresh_interval{30'000};
  // How often a target that is down is probed (one `list`) to see it back.
  std::chrono::milliseconds down_probe_interval{2'000};
  // Each target's client journals into journal_dir / target name. Empty: no journal.
  std::filesystem::path journal_dir;
  WatcherOptions watcher;  // of the per-target SessionWatchers
  // Called when a target appears, vanishes, goes down or comes back; from the thread that
  // saw it (never with a fleet lock held). Must not throw.
  std::function<void(const TargetEvent& event)> on_target_event;
};

struct FleetSessionSummary {
  std::string target;
  SessionSummary session;
};

struct FleetIndex {
  std::vector<FleetSessionSummary> sessions;  // by target name, then creation time
  std::vector<TargetState> targets;           // all of them; a target down lists no session
  const FleetSessionSummary* find(std::string_view session_id) const;  // nullptr: unknown
};

class HiveMindFleet {
 public:
  // Runs the discovery once (its error propagates: a fleet needs targets to start with)
  // and lists every target. Target names must be unique, non-empty relative paths without
  // "..", of [A-Za-z0-9._:/@-] (invalid_argument otherwise).
  explicit HiveMindFleet(FleetOptions options);
  ~HiveMindFleet();
  HiveMindFleet(const HiveMindFleet&) = delete;
  HiveMindFleet& operator=(const HiveMindFleet&) = delete;

  // In name order.
  std::vector<TargetState> targets() const;
  // Discovery (a failing discovery keeps the targets known), then one `list` per target.
  void refresh();
  // The client of one target; invalid_argument names an unknown target.
  HiveMindClient client(std::string_view target) const;

  // create on the target the placement policy picks among those up, without starting it
  // (start it with handle.client().start(handle.uuid())). A target that refuses before the
  // script ran (container_unavailable, connection_failed) is marked down and the next pick
  // is tried; other errors propagate. Throws container_unavailable naming every target's
  // last error when none is up.
  SessionHandle create_task(std::string_view task, Priority priority = Priority::medium,
                            const nlohmann::json& metadata = nullptr);
  // create + start on the target the placement policy picks among those up. A target that
  // refuses before the script ran (container_unavailable, connection_failed) is marked down
  // and the next pick is tried; other errors propagate (the session may exist there).
  // Throws container_unavailable naming every target's last error when none is up.
  // The handle's client().options().target_name names the target.
  SessionHandle spawn_task(std::string_view task, Priority priority = Priority::medium,
                           const nlohmann::json& metadata = nullptr);

  // One `list` per target, side by side; a target that fails is marked down and listed
  // with its error, its sessions absent.
  FleetIndex list() const;
  // The session's handle, from whichever target knows it (session_not_found otherwise).
  SessionHandle find(std::string_view session_id) const;

  // Waits through the target's shared SessionWatcher. While the target is down the wait
  // pauses; once the target answers again today's rules decide (completed, failed, dead
  // when its process did not survive, lost when the container forgot it). A target that
  // vanishes from discovery ends the wait as `lost`. Past `timeout` throws timeout naming
  // the target and its last error; a stop request throws cancelled.
  WaitResult wait(const SessionHandle& session,
                  std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                  std::stop_token stop = {}) const;

  // Per target: the watcher's ticks and `list` calls so far.
  std::map<std::string, WatcherStats> watcher_stats() const;

 private:
  class State;
  std::shared_ptr<State> state_;
};

}  // namespace hivemind

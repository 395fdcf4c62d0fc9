// How SessionHandle::wait_for_completion (and SessionWatcher) follow a session to its end.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "hivemind/models/session_metadata.hpp"
#include "hivemind/models/session_status.hpp"

namespace hivemind {

struct WaitOptions {
  // Polls back off exponentially between these bounds, each pause jittered by ±jitter.
  std::chrono::milliseconds initial_interval{1000};
  std::chrono::milliseconds max_interval{30'000};
  double multiplier = 2.0;
  double jitter = 0.1;

  // Overall deadline; when it passes the wait fails with errc::timeout. nullopt: none.
  std::optional<std::chrono::milliseconds> timeout;

  // While the status is starting/running, how often to check that the session's
  // `hive-session-manager.sh start UUID` process still exists in the container (the
  // deployed script never writes `failed`: a crashed session stays `running` forever).
  // nullopt disables the check.
  std::optional<std::chrono::milliseconds> liveness_interval = std::chrono::seconds(10);
  // Record `failed` with update-status when the session is found dead.
  bool mark_dead_as_failed = false;

  // End the wait as `stale` when the session's log has not grown for this long while it
  // runs. nullopt (default): never.
  std::optional<std::chrono::milliseconds> stale_after;

  // Called on every status change seen, including the first status observed.
  std::function<void(const SessionStatus& status)> on_status_change;
};

enum class WaitOutcome {
  completed,  // status `completed`
  failed,     // status `failed` (written by update-status, e.g. after a cancel)
  dead,       // status still starting/running, but the session's process is gone
  stale,      // running, but the log did not grow for WaitOptions::stale_after
  lost,       // the container no longer knows the session (recreated, cleaned up)
};

std::string_view to_string(WaitOutcome outcome) noexcept;

struct WaitResult {
  WaitOutcome outcome = WaitOutcome::completed;
  SessionStatus status;      // the last status the container reported
  SessionMetadata metadata;  // `get` at the end of the wait
  std::string evidence;      // for dead/stale: what was observed
};

}  // namespace hivemind

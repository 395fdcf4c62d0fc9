// SessionWatcher: one shared poller for many sessions. Waiting on N sessions costs one
// `list` exec per tick (plus one `pgrep` per liveness interval), whatever N is; each
// waiter gets its result from that shared view.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "hivemind/common/async_completion.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/wait_options.hpp"
#include "hivemind/journal/cleanup_policy.hpp"

namespace hivemind {

struct WatcherOptions {
  std::chrono::milliseconds interval{2000};  // one `list` per tick
  // How often to check, with one `pgrep` for all sessions, that running sessions still
  // have their process. nullopt disables dead-session detection.
  std::optional<std::chrono::milliseconds> liveness_interval = std::chrono::seconds(10);
  bool mark_dead_as_failed = false;  // record `failed` for sessions found dead
  // After a tick in which watched sessions ended: SessionLifecycle::cleanup_finished(policy)
  // (archive outputs and failed logs, then the container's cleanup). Its failures are
  // logged and never fail a wait. nullopt: none.
  std::optional<CleanupPolicy> cleanup;
  // How many of the sessions that ended in one tick are finalized at once (a `get` for
  // the final metadata each, and for a suspected dead session a `pgrep` and a `status`
  // first). At least 1.
  std::size_t max_concurrent_finalizations = 8;
};

struct WatcherStats {
  std::uint64_t ticks = 0;
  std::uint64_t list_calls = 0;
  std::uint64_t liveness_calls = 0;
  std::size_t watched_sessions = 0;
};

class SessionWatcher {
 public:
  explicit SessionWatcher(const HiveMindClient& client, WatcherOptions options = {});
  // Pending waits complete with errc::cancelled.
  ~SessionWatcher();  // NOLINT(bugprone-exception-escape): see its definition
  SessionWatcher(const SessionWatcher&) = delete;
  SessionWatcher& operator=(const SessionWatcher&) = delete;

  // Blocks until the session completes, fails or is found dead; throws cancelled when
  // `stop` is requested, session_not_found when the registry loses it.
  WaitResult wait(std::string_view session_id, std::stop_token stop = {}) const;

  // Completes with (std::exception_ptr, WaitResult); per-operation cancellation works.
  template <class Token>
  auto async_wait(std::string session_id, Token&& token) const {
    return async_complete<WaitResult>(
        std::forward<Token>(token),
        [this, session_id = std::move(session_id)](Completion<WaitResult> done) mutable {
          launch_wait(std::move(session_id), std::move(done));
        });
  }

  WatcherStats stats() const;

  class Core;

 private:
  void launch_wait(std::string session_id, Completion<WaitResult> done) const;

  std::shared_ptr<Core> core_;
  HiveMindClient::executor_type executor_;
};

}  // namespace hivemind

// HiveMindFleet::wait: a SessionWatcher wait on the session's target that survives the
// target going down (it pauses until the target answers again) and ends as `lost` when the
// target vanishes from discovery or forgets the session.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "control/session_end.hpp"
#include "fleet/fleet_state.hpp"
#include "hivemind/common/error.hpp"

namespace hivemind {
namespace {

using Clock = std::chrono::steady_clock;

struct RequestStop {
  std::stop_source source;
  void operator()() const noexcept { source.request_stop(); }
};

// One stop token for the whole wait: the caller's stop, the target's retirement and the
// wait's deadline (an alarm thread) each request it; afterwards it tells which one did.
class WaitStops {
 public:
  WaitStops(const std::stop_token& caller, const std::stop_token& retired,
            std::optional<Clock::time_point> deadline)
      : from_caller_(caller, RequestStop{merged_}), from_retired_(retired, RequestStop{merged_}) {
    if (!deadline) return;
    alarm_ = std::jthread([this, at = *deadline](const std::stop_token& dismissed) {
      std::mutex mutex;
      std::condition_variable_any never_notified;
      std::unique_lock lock(mutex);
      never_notified.wait_until(lock, dismissed, at, [] { return false; });
      if (dismissed.stop_requested()) return;
      timed_out_ = true;
      merged_.request_stop();
    });
  }

  std::stop_token token() const noexcept { return merged_.get_token(); }
  bool timed_out() const noexcept { return timed_out_; }

 private:
  std::stop_source merged_;
  std::stop_callback<RequestStop> from_caller_;
  std::stop_callback<RequestStop> from_retired_;
  std::atomic<bool> timed_out_{false};
  std::jthread alarm_;  // last: dismissed and joined first
};

WaitResult lost(std::string evidence) {
  WaitResult result;
  result.outcome = WaitOutcome::lost;
  result.status = SessionStatus::Kind::not_found;
  result.evidence = std::move(evidence);
  return result;
}

}  // namespace

WaitResult HiveMindFleet::wait(const SessionHandle& session,
                               std::optional<std::chrono::milliseconds> timeout,
                               std::stop_token stop) const {
  const auto& name = session.client().options().target_name;
  if (name.empty()) {
    throw Error(errc::invalid_argument,
                "session " + session.uuid() + " was not placed by a fleet (no target name)");
  }
  const auto target = state_->entry(name);
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  const WaitStops stops(stop, target->retired.get_token(), deadline);

  // The verdict the watcher did not reach goes to the target's journal as its own would.
  const auto lost_there = [&](std::string evidence) {
    auto result = lost(std::move(evidence));
    detail::record_session_end(target->client, session.uuid(), result);
    return result;
  };
  const auto ended_early = [&]() -> WaitResult {
    if (state_->has_vanished(target)) {
      return lost_there("target " + name + " vanished from the fleet's discovery");
    }
    if (stops.timed_out() || (deadline && Clock::now() >= *deadline)) {
      const auto last = state_->state_of(target);
      throw Error(errc::timeout,
                  "waiting for session " + session.uuid() + " on target " + name + " timed out" +
                      (last.last_error.empty() ? std::string()
                                               : " (target down: " + last.last_error + ")"));
    }
    throw Error(errc::cancelled, "waiting for session " + session.uuid() + " was cancelled");
  };

  for (;;) {
    if (!state_->wait_until_up(target, deadline, stops.token())) return ended_early();
    try {
      return target->watcher.wait(session.uuid(), stops.token());
    } catch (const Error& e) {
      if (e.kind() == errc::session_not_found) {
        return lost_there("target " + name + " no longer knows the session");
      }
      if (e.kind() == errc::cancelled && stops.token().stop_requested()) return ended_early();
      if (!is_target_failure(e)) throw;
      // The watcher's `list` failed after the client's retries: wait for the target's return.
      state_->mark_down(target, e.what());
    }
  }
}

}  // namespace hivemind

// SessionHandle::wait_for_completion: polling with backoff, liveness and staleness checks.
#include <algorithm>

#include "common/cancellation.hpp"
#include "common/run_sync.hpp"
#include "control/client_operations.hpp"
#include "control/session_end.hpp"
#include "control/session_processes.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "hivemind/common/retry_policy.hpp"
#include "hivemind/control/session_handle.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

RetryPolicy poll_policy(const WaitOptions& options) {
  RetryPolicy policy;
  policy.initial_delay = options.initial_interval;
  policy.max_delay = options.max_interval;
  policy.multiplier = options.multiplier;
  policy.jitter = options.jitter;
  return policy;
}

// Tracks when the session's log last grew.
struct LogGrowth {
  std::optional<std::uint64_t> size;
  Clock::time_point last_change = Clock::now();

  // Whether the log has been still for longer than `limit` as of `now`.
  bool stalled(std::optional<std::uint64_t> observed, Clock::time_point now,
               std::chrono::milliseconds limit) {
    if (observed != size) {
      size = observed;
      last_change = now;
    }
    return now - last_change > limit;
  }
};

std::string millis(Clock::duration duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(duration).count()) +
         " ms";
}

}  // namespace

std::string_view to_string(WaitOutcome outcome) noexcept {
  switch (outcome) {
    case WaitOutcome::completed:
      return "completed";
    case WaitOutcome::failed:
      return "failed";
    case WaitOutcome::dead:
      return "dead";
    case WaitOutcome::stale:
      return "stale";
    case WaitOutcome::lost:
      return "lost";
  }
  return "unknown";
}

asio::awaitable<WaitResult> detail::wait_op(SessionHandle session, WaitOptions options) {
  const auto& config = detail::ClientAccess::config(session.client());
  const auto& uuid = session.uuid();
  const auto started = Clock::now();
  const auto deadline = options.timeout ? started + *options.timeout : Clock::time_point::max();
  const auto policy = poll_policy(options);
  std::optional<SessionStatus> last_seen;
  auto next_liveness_check = started;
  LogGrowth log_growth;
  std::string log_path;

  WaitResult result;
  for (int poll = 1;; ++poll) {
    auto status = co_await detail::status_op(config, uuid);
    if (!last_seen || *last_seen != status) {
      last_seen = status;
      if (options.on_status_change) options.on_status_change(status);
    }
    if (status.is_terminal()) {
      result.outcome =
          status == SessionStatus::Kind::completed ? WaitOutcome::completed : WaitOutcome::failed;
      result.status = std::move(status);
      break;
    }

    const auto now = Clock::now();
    if (status.is_running() && options.liveness_interval && now >= next_liveness_check) {
      next_liveness_check = now + *options.liveness_interval;
      const auto alive = co_await detail::session_process_alive(*config, uuid);
      // The session may have finished between the two checks: only a status that still
      // says running with no process behind it is dead.
      if (alive == false) {
        status = co_await detail::status_op(config, uuid);
        if (status.is_running()) {
          std::string evidence = "status '" + status.text() + "' but no process matching '" +
                                 detail::start_process_pattern(uuid) + "' in container '" +
                                 config->container + "'";
          logger()->warn("session {} is dead: {}", uuid, evidence);
          if (options.mark_dead_as_failed) {
            co_await detail::update_status_op(config, uuid, "failed");
            evidence += "; recorded as failed";
          }
          result = WaitResult{WaitOutcome::dead, std::move(status), {}, std::move(evidence)};
          break;
        }
        continue;  // it moved on meanwhile: look at the new status right away
      }
    }

    if (status.is_running() && options.stale_after) {
      if (log_path.empty()) log_path = co_await detail::log_file_op(config, uuid);
      const auto size = co_await detail::container_file_size(*config, log_path);
      if (log_growth.stalled(size, Clock::now(), *options.stale_after)) {
        auto evidence = "log " + log_path + " did not grow for " +
                        millis(Clock::now() - log_growth.last_change) + " (size " +
                        (size ? std::to_string(*size) : std::string("absent")) + ")";
        result = WaitResult{WaitOutcome::stale, std::move(status), {}, std::move(evidence)};
        break;
      }
    }

    const auto remaining = deadline - Clock::now();
    if (remaining <= Clock::duration::zero()) {
      throw Error(errc::timeout, "session " + uuid + " still '" + status.text() + "' after " +
                                     millis(Clock::now() - started));
    }
    co_await detail::pause(std::min<Clock::duration>(backoff_delay(policy, poll), remaining));
  }
  // The final answer must match the final status, never a cached earlier one.
  result.metadata = co_await detail::get_op(config, uuid, detail::MetadataSource::container);
  detail::record_session_end(session.client(), uuid, result);
  co_return result;
}

asio::awaitable<CancelOutcome> detail::cancel_op(SessionHandle session) {
  const auto& config = detail::ClientAccess::config(session.client());
  const auto& uuid = session.uuid();
  if ((co_await detail::status_op(config, uuid)).is_terminal()) {
    co_return CancelOutcome::already_finished;
  }
  co_await detail::kill_session_processes(*config, uuid);
  // The session may have completed just before its processes were ended; keep that.
  if ((co_await detail::status_op(config, uuid)).is_terminal()) {
    co_return CancelOutcome::already_finished;
  }
  co_await detail::update_status_op(config, uuid, "failed");
  co_return CancelOutcome::cancelled;
}

WaitResult SessionHandle::wait_for_completion(const WaitOptions& options,
                                              std::stop_token stop) const {
  return detail::run_sync(detail::wait_op(*this, options), std::move(stop));
}

std::optional<bool> SessionHandle::is_process_alive() const {
  return detail::run_sync(detail::session_process_alive(client_.options(), uuid_));
}

CancelOutcome SessionHandle::cancel() const {
  return detail::run_sync(detail::cancel_op(*this));
}

}  // namespace hivemind

// SessionLifecycle: the journal layer over a HiveMindClient, for sessions that outlive the
// application (docs/lifecycle.md). The client journals what it creates when
// ClientOptions::journal_dir is set; this type reads that journal back: recovery after a
// restart of the application, waits that outlast restarts of the container, and archiving
// before the container's cleanup.
//
// Each operation has a synchronous form that throws hivemind::Error and an asynchronous
// form taking any Asio completion token, as HiveMindClient's verbs do. Copies share the
// client's state; safe to use from several threads at once.
#pragma once

#include <stop_token>
#include <string>
#include <string_view>

#include "hivemind/common/async_completion.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/wait_options.hpp"
#include "hivemind/journal/cleanup_policy.hpp"
#include "hivemind/journal/recovery_report.hpp"
#include "hivemind/journal/restart_tolerant_wait.hpp"

namespace hivemind {

class SessionJournal;

class SessionLifecycle {
 public:
  explicit SessionLifecycle(HiveMindClient client) : client_(std::move(client)) {}

  const HiveMindClient& client() const noexcept { return client_; }
  // The journal opened from the client's ClientOptions::journal_dir; null without one.
  SessionJournal* journal() const noexcept;

  // Reconciles the journal's unfinished sessions with the container (invalid_argument
  // without a journal): finished ones get their final status, running ones come back as
  // handles, unknown ones are marked lost and running ones without a process dead.
  RecoveryReport recover() const;
  // Archives finished sessions per the policy, then runs the container's cleanup.
  CleanupFinishedReport cleanup_finished(const CleanupPolicy& policy) const;
  // As SessionHandle::wait_for_completion, but a container that becomes unreachable is
  // retried with backoff up to a deadline; once back, the session is reconciled (it may
  // have become dead or lost meanwhile, or still run: then the wait goes on).
  WaitResult wait_through_restarts(std::string_view session_id,
                                   const RestartTolerantWaitOptions& options,
                                   std::stop_token stop = {}) const;

  template <class Token>
  auto async_recover(Token&& token) const {
    return async_complete<RecoveryReport>(std::forward<Token>(token),
                                          [self = *this](Completion<RecoveryReport> done) mutable {
                                            self.launch_recover(std::move(done));
                                          });
  }
  template <class Token>
  auto async_cleanup_finished(CleanupPolicy policy, Token&& token) const {
    return async_complete<CleanupFinishedReport>(
        std::forward<Token>(token),
        [self = *this, policy = std::move(policy)](Completion<CleanupFinishedReport> done) mutable {
          self.launch_cleanup_finished(std::move(policy), std::move(done));
        });
  }
  template <class Token>
  auto async_wait_through_restarts(std::string session_id, RestartTolerantWaitOptions options,
                                   Token&& token) const {
    return async_complete<WaitResult>(
        std::forward<Token>(token),
        [self = *this, session_id = std::move(session_id),
         options = std::move(options)](Completion<WaitResult> done) mutable {
          self.launch_wait_through_restarts(std::move(session_id), std::move(options),
                                            std::move(done));
        });
  }

 private:
  // The asynchronous operations, compiled into the library (async_complete).
  void launch_recover(Completion<RecoveryReport> done) const;
  void launch_cleanup_finished(CleanupPolicy policy, Completion<CleanupFinishedReport> done) const;
  void launch_wait_through_restarts(std::string session_id, RestartTolerantWaitOptions options,
                                    Completion<WaitResult> done) const;

  HiveMindClient client_;
};

}  // namespace hivemind

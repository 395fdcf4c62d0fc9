// Sessions that outlive the application: recovery from the journal, waits that outlast
// container restarts, and archiving before cleanup (docs/lifecycle.md).
#include <fstream>
#include <set>
#include <unordered_map>

#include "common/cancellation.hpp"
#include "common/run_sync.hpp"
#include "control/client_operations.hpp"
#include "control/session_end.hpp"
#include "control/session_processes.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/journal/recovery_report.hpp"
#include "hivemind/journal/session_journal.hpp"
#include "hivemind/journal/session_lifecycle.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::system_clock;

std::optional<SessionEnd> end_of(WaitOutcome outcome) {
  switch (outcome) {
    case WaitOutcome::completed:
      return SessionEnd::completed;
    case WaitOutcome::failed:
      return SessionEnd::failed;
    case WaitOutcome::dead:
      return SessionEnd::dead;
    case WaitOutcome::lost:
      return SessionEnd::lost;
    case WaitOutcome::stale:
      return std::nullopt;  // it may still finish
  }
  return std::nullopt;
}

std::chrono::milliseconds since(system_clock::time_point start, system_clock::time_point end) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
}

void report_end(const HiveMindClient& client, const std::string& session_id, SessionEnd end,
                std::optional<std::chrono::milliseconds> duration) {
  if (const auto& metrics = client.options().metrics) {
    metrics->on_session_ended(session_id, end, duration);
  }
}

// What the container says about a session, judged once.
struct Verdict {
  enum class Kind { running, finished, dead, lost } kind = Kind::running;
  SessionStatus status;
  std::string evidence;
};

std::string describe_registry(const SessionIndex& index) {
  std::string text = std::to_string(index.sessions.size()) + " sessions listed";
  if (index.created) text += ", registry created " + index.created->to_string();
  return text;
}

}  // namespace

namespace detail {

void record_session_end(const HiveMindClient& client, const std::string& session_id,
                        const WaitResult& result) {
  const auto end = end_of(result.outcome);
  if (!end) return;
  if (auto* journal = detail::ClientAccess::journal(client)) {
    journal->record_status(session_id, to_string(result.outcome), result.evidence);
  }
  std::optional<std::chrono::milliseconds> duration;
  const auto& meta = result.metadata;
  if (meta.created.utc.time_since_epoch().count() != 0) {
    const system_clock::time_point ended = meta.updated && result.status.is_terminal()
                                               ? system_clock::time_point(meta.updated->utc)
                                               : system_clock::now();
    duration = since(meta.created.utc, ended);
  }
  report_end(client, session_id, *end, duration);
}

}  // namespace detail

namespace {

// One `list` (and one `pgrep` when something still runs) for all of `session_ids`.
asio::awaitable<std::unordered_map<std::string, Verdict>> reconcile(
    const HiveMindClient& client, const std::vector<std::string>& session_ids) {
  const auto& options = client.options();
  const auto& config = detail::ClientAccess::config(client);
  const SessionIndex index = co_await detail::list_op(config);
  // Processes after the registry: a session that ended meanwhile shows a final status
  // when confirmed below, rather than being judged dead.
  bool any_running = false;
  for (const auto& id : session_ids) {
    const auto* summary = index.find(id);
    any_running = any_running || (summary && summary->status.is_running());
  }
  std::optional<std::set<std::string>> live;
  if (any_running) live = co_await detail::live_sessions(options);

  std::unordered_map<std::string, Verdict> verdicts;
  for (const auto& id : session_ids) {
    Verdict verdict;
    const auto* summary = index.find(id);
    if (summary == nullptr) {
      verdict.kind = Verdict::Kind::lost;
      verdict.evidence = "not in the container's session list (" + describe_registry(index) +
                         "); the container was recreated or the session cleaned up";
    } else if (summary->status.is_terminal()) {
      verdict.kind = Verdict::Kind::finished;
      verdict.status = summary->status;
    } else if (summary->status.is_running() && live && !live->contains(id)) {
      // Confirmed on its own, as SessionHandle::wait_for_completion does.
      verdict.status = co_await detail::status_op(config, id);
      if (verdict.status.is_terminal()) {
        verdict.kind = Verdict::Kind::finished;
      } else if (verdict.status.is_running()) {
        verdict.kind = Verdict::Kind::dead;
        verdict.evidence = "status '" + verdict.status.text() + "' but no process matching '" +
                           detail::start_process_pattern(id) + "' in container '" +
                           options.container + "'";
      }
    } else {
      verdict.status = summary->status;
    }
    verdicts.emplace(id, std::move(verdict));
  }
  co_return verdicts;
}

bool container_gone(const Error& error) {
  return error.kind() == errc::container_unavailable || error.kind() == errc::docker_exec_failed;
}

void write_log_file(const fs::path& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& line : lines) out << line << '\n';
  out.flush();
  if (!out) {
    throw Error(std::make_error_code(std::errc::io_error), "cannot write " + path.string());
  }
}

// What a restart-tolerant wait throws when the container stayed unreachable too long.
Error still_unreachable(const std::string& container, std::chrono::milliseconds deadline,
                        const std::string& session_id, const std::string& failure) {
  return Error(errc::container_unavailable, "container '" + container + "' still unreachable " +
                                                std::to_string(deadline.count()) +
                                                " ms after waiting for session " + session_id +
                                                " was interrupted: " + failure);
}

}  // namespace

asio::awaitable<RecoveryReport> detail::recover_op(HiveMindClient client) {
  auto* journal = detail::ClientAccess::journal(client);
  if (journal == nullptr) {
    throw Error(errc::invalid_argument, "recover() needs a journal (ClientOptions::journal_dir)");
  }
  std::vector<JournalEntry> pending;
  for (auto& entry : journal->entries()) {
    if (!entry.is_final()) pending.push_back(std::move(entry));
  }
  RecoveryReport report;
  if (pending.empty()) co_return report;
  std::vector<std::string> ids;
  ids.reserve(pending.size());
  for (const auto& entry : pending) ids.push_back(entry.session_id);
  const auto verdicts = co_await reconcile(client, ids);

  const auto now = system_clock::now();
  for (const auto& entry : pending) {
    const auto& verdict = verdicts.at(entry.session_id);
    RecoveredSession recovered{entry.session_id, entry.status, verdict.status.text(),
                               verdict.evidence};
    switch (verdict.kind) {
      case Verdict::Kind::running:
        journal->record_status(entry.session_id, verdict.status.text());
        report.running.push_back(SessionHandle::from_uuid(client, entry.session_id));
        if (const auto& metrics = client.options().metrics) {
          metrics->on_session_resumed(entry.session_id);
        }
        continue;
      case Verdict::Kind::finished:
        report_end(client, entry.session_id,
                   verdict.status == SessionStatus::Kind::completed ? SessionEnd::completed
                                                                    : SessionEnd::failed,
                   since(entry.created, now));
        report.finished.push_back(std::move(recovered));
        break;
      case Verdict::Kind::dead:
        recovered.status = "dead";
        report_end(client, entry.session_id, SessionEnd::dead, since(entry.created, now));
        report.dead.push_back(std::move(recovered));
        break;
      case Verdict::Kind::lost:
        recovered.status = "lost";
        report_end(client, entry.session_id, SessionEnd::lost, since(entry.created, now));
        report.lost.push_back(std::move(recovered));
        break;
    }
    journal->record_status(entry.session_id,
                           verdict.kind == Verdict::Kind::finished ? verdict.status.text()
                           : verdict.kind == Verdict::Kind::dead   ? "dead"
                                                                   : "lost",
                           verdict.evidence);
  }
  co_return report;
}

asio::awaitable<WaitResult> detail::wait_through_restarts_op(HiveMindClient client,
                                                             std::string session_id,
                                                             RestartTolerantWaitOptions options) {
  const auto session = SessionHandle::from_uuid(client, session_id);
  for (;;) {
    std::exception_ptr interruption;
    try {
      co_return co_await detail::wait_op(session, options.wait);
    } catch (const Error& e) {
      if (!container_gone(e) && e.kind() != errc::session_not_found) throw;
      logger()->warn("waiting for session {}: {}; retrying until the container is back", session_id,
                     e.what());
      interruption = std::current_exception();
    }

    // Reach the container again, then judge the session afresh.
    const auto give_up = Clock::now() + options.unavailable_deadline;
    std::optional<Verdict> verdict;
    for (int attempt = 1; !verdict; ++attempt) {
      std::string failure;
      try {
        const std::vector<std::string> ids(1, session_id);
        auto verdicts = co_await reconcile(client, ids);
        verdict = std::move(verdicts.at(session_id));
      } catch (const Error& e) {
        if (!container_gone(e)) throw;
        failure = e.what();
      }
      if (verdict) break;
      const auto remaining = give_up - Clock::now();
      if (remaining <= Clock::duration::zero()) {
        throw still_unreachable(client.options().container, options.unavailable_deadline,
                                session_id, failure);
      }
      co_await detail::pause(
          std::min<Clock::duration>(backoff_delay(options.backoff, attempt), remaining));
    }

    if (verdict->kind == Verdict::Kind::running) continue;  // it survived: wait on
    WaitResult result;
    result.status = verdict->status;
    result.evidence = verdict->evidence;
    switch (verdict->kind) {
      case Verdict::Kind::finished:
        result.outcome = verdict->status == SessionStatus::Kind::completed ? WaitOutcome::completed
                                                                           : WaitOutcome::failed;
        result.metadata = co_await detail::get_op(detail::ClientAccess::config(client), session_id);
        break;
      case Verdict::Kind::dead:
        result.outcome = WaitOutcome::dead;
        result.metadata = co_await detail::get_op(detail::ClientAccess::config(client), session_id);
        break;
      case Verdict::Kind::lost: {
        result.outcome = WaitOutcome::lost;
        const auto* journal = detail::ClientAccess::journal(client);
        if (const auto entry = journal ? journal->find(session_id) : std::nullopt) {
          result.metadata.session_id = session_id;
          result.metadata.task = entry->task;
          result.metadata.priority = entry->priority;
          result.metadata.metadata = entry->metadata;
        }
        break;
      }
      case Verdict::Kind::running:
        break;
    }
    detail::record_session_end(client, session_id, result);
    co_return result;
  }
}

asio::awaitable<CleanupFinishedReport> detail::cleanup_finished_op(HiveMindClient client,
                                                                   CleanupPolicy policy) {
  // The finished sessions not archived yet: the journal knows them all (dead ones
  // included); without one, the container's completed and failed sessions are taken
  // and an existing archive directory marks one as done.
  std::vector<ArchivedSession> finished;
  if (auto* journal = detail::ClientAccess::journal(client)) {
    for (const auto& entry : journal->entries()) {
      if (entry.is_final() && entry.status != "lost" && entry.archive_dir.empty()) {
        finished.push_back({entry.session_id, entry.status, {}, 0, false, {}});
      }
    }
  } else {
    const SessionIndex index = co_await detail::list_op(detail::ClientAccess::config(client));
    for (const auto& [id, summary] : index.sessions) {
      if (!summary.status.is_terminal()) continue;
      if (!policy.archive_dir.empty() && fs::exists(policy.archive_dir / id)) continue;
      finished.push_back({id, summary.status.text(), {}, 0, false, {}});
    }
  }

  CleanupFinishedReport report;
  for (auto& archived : finished) {
    const auto session = SessionHandle::from_uuid(client, archived.session_id);
    if (!policy.archive_dir.empty()) {
      const auto directory = policy.archive_dir / archived.session_id;
      try {
        fs::create_directories(directory);
        if (policy.archive_outputs) {
          archived.output_files = session.copy_outputs_to(directory / "outputs").copied.size();
        }
        if (policy.preserve_failed_logs && archived.status != "completed") {
          const auto lines = co_await detail::read_log_op(session, policy.log_lines);
          write_log_file(directory / "session.log", lines);
          archived.log_saved = true;
        }
        archived.directory = directory;
        if (auto* journal = detail::ClientAccess::journal(client))
          journal->record_archive(archived.session_id, directory);
      } catch (const std::exception& e) {
        archived.error = e.what();
        logger()->warn("archiving session {} failed: {}", archived.session_id, e.what());
      }
    }
    if (archived.status == "dead" && policy.mark_dead_as_failed && archived.error.empty()) {
      co_await detail::update_status_op(detail::ClientAccess::config(client), archived.session_id,
                                        "failed");
    }
    report.sessions.push_back(std::move(archived));
  }
  if (policy.container_cleanup) {
    report.container =
        co_await detail::cleanup_op(detail::ClientAccess::config(client), policy.max_age_hours);
  }
  co_return report;
}

SessionJournal* SessionLifecycle::journal() const noexcept {
  return detail::ClientAccess::journal(client_);
}

RecoveryReport SessionLifecycle::recover() const {
  return detail::run_sync(detail::recover_op(client_));
}

CleanupFinishedReport SessionLifecycle::cleanup_finished(const CleanupPolicy& policy) const {
  return detail::run_sync(detail::cleanup_finished_op(client_, policy));
}

WaitResult SessionLifecycle::wait_through_restarts(std::string_view session_id,
                                                   const RestartTolerantWaitOptions& options,
                                                   std::stop_token stop) const {
  return detail::run_sync(
      detail::wait_through_restarts_op(client_, std::string(session_id), options), std::move(stop));
}

void SessionLifecycle::launch_recover(Completion<RecoveryReport> done) const {
  detail::co_spawn_typed(client_.get_executor(), detail::recover_op(client_), std::move(done));
}

void SessionLifecycle::launch_cleanup_finished(CleanupPolicy policy,
                                               Completion<CleanupFinishedReport> done) const {
  detail::co_spawn_typed(client_.get_executor(),
                         detail::cleanup_finished_op(client_, std::move(policy)), std::move(done));
}

void SessionLifecycle::launch_wait_through_restarts(std::string session_id,
                                                    RestartTolerantWaitOptions options,
                                                    Completion<WaitResult> done) const {
  detail::co_spawn_typed(
      client_.get_executor(),
      detail::wait_through_restarts_op(client_, std::move(session_id), std::move(options)),
      std::move(done));
}

}  // namespace hivemind

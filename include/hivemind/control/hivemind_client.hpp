// HiveMindClient: the control plane. Drives hive-session-manager.sh inside the
// container through `docker exec` (argv only, never a shell), one CLI process per call.
//
// Every verb has a synchronous form that throws hivemind::Error, and an asynchronous
// form `async_VERB(..., token)` taking any Asio completion token. Asynchronous
// completions have the signature `void(std::exception_ptr, T)` (`void(std::exception_ptr)`
// for verbs without a result), so `asio::use_future` yields std::future<T> and
// `asio::use_awaitable` throws on failure. Per-operation cancellation through the token's
// cancellation slot kills the CLI process and completes with errc::cancelled.
//
// Copies share one state; a client is safe to use from several threads at once.
#pragma once

#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hivemind/control/client_options.hpp"
#include "hivemind/control/wait_options.hpp"
#include "hivemind/detail/typed_cancellation.hpp"
#include "hivemind/journal/cleanup_policy.hpp"
#include "hivemind/journal/restart_tolerant_wait.hpp"
#include "hivemind/models/cleanup_report.hpp"
#include "hivemind/models/priority.hpp"
#include "hivemind/models/session_index.hpp"
#include "hivemind/models/session_metadata.hpp"
#include "hivemind/models/session_status.hpp"

namespace hivemind {

class SessionHandle;
class SessionJournal;
struct RecoveryReport;
namespace detail {
struct ClientAccess;
}

class HiveMindClient {
 public:
  using executor_type = boost::asio::any_io_executor;

  // Asynchronous operations run on an io_context owned by the client, with one
  // background thread (stopped and joined when the last copy is destroyed).
  explicit HiveMindClient(ClientOptions options = {});
  // Asynchronous operations run on the caller's executor.
  HiveMindClient(executor_type executor, ClientOptions options);

  const ClientOptions& options() const noexcept;
  executor_type get_executor() const noexcept;

  // create TASK PRIORITY METADATA -> the new session's UUID. The task is validated and
  // escaped (see ClientOptions::single_quotes); never retried once the script ran.
  std::string create(std::string_view task, Priority priority = Priority::medium,
                     const nlohmann::json& metadata = nullptr) const;
  // start UUID [extra args] detached (`exec -d`); returns once the container accepted it.
  // Refuses (invalid_argument) a session whose status is not `created`: start is not
  // idempotent, a second start runs the task again.
  void start(std::string_view session_id, const std::vector<std::string>& extra_args = {}) const;
  // create + start.
  SessionHandle spawn_task(std::string_view task, Priority priority = Priority::medium,
                           const nlohmann::json& metadata = nullptr) const;
  SessionStatus status(std::string_view session_id) const;
  SessionMetadata get(std::string_view session_id) const;
  SessionIndex list() const;
  std::string output_dir(std::string_view session_id) const;  // container path
  std::string log_file(std::string_view session_id) const;    // container path
  void update_status(std::string_view session_id, std::string_view status) const;
  CleanupReport cleanup(int max_age_hours = 24) const;
  void init() const;

  // Sessions that outlive the application (docs/lifecycle.md; recover() needs
  // hivemind/recovery_report.hpp). The journal opened from ClientOptions::journal_dir, null without
  // one.
  SessionJournal* journal() const noexcept { return journal_.get(); }
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
  auto async_create(std::string task, Priority priority, nlohmann::json metadata,
                    Token&& token) const {
    return spawn(create_recorded_op(*this, std::move(task), priority, std::move(metadata)),
                 std::forward<Token>(token));
  }
  template <class Token>
  auto async_start(std::string session_id, std::vector<std::string> extra_args,
                   Token&& token) const {
    return spawn(start_op(config_, std::move(session_id), std::move(extra_args)),
                 std::forward<Token>(token));
  }
  template <class Token>
  auto async_spawn_task(std::string task, Priority priority, nlohmann::json metadata,
                        Token&& token) const {
    return spawn(spawn_task_op(*this, std::move(task), priority, std::move(metadata)),
                 std::forward<Token>(token));
  }
  template <class Token>
  auto async_status(std::string session_id, Token&& token) const {
    return spawn(status_op(config_, std::move(session_id)), std::forward<Token>(token));
  }
  template <class Token>
  auto async_get(std::string session_id, Token&& token) const {
    return spawn(get_op(config_, std::move(session_id)), std::forward<Token>(token));
  }
  template <class Token>
  auto async_list(Token&& token) const {
    return spawn(list_op(config_), std::forward<Token>(token));
  }
  template <class Token>
  auto async_output_dir(std::string session_id, Token&& token) const {
    return spawn(output_dir_op(config_, std::move(session_id)), std::forward<Token>(token));
  }
  template <class Token>
  auto async_log_file(std::string session_id, Token&& token) const {
    return spawn(log_file_op(config_, std::move(session_id)), std::forward<Token>(token));
  }
  template <class Token>
  auto async_update_status(std::string session_id, std::string status, Token&& token) const {
    return spawn(update_status_op(config_, std::move(session_id), std::move(status)),
                 std::forward<Token>(token));
  }
  template <class Token>
  auto async_cleanup(int max_age_hours, Token&& token) const {
    return spawn(cleanup_op(config_, max_age_hours), std::forward<Token>(token));
  }
  template <class Token>
  auto async_init(Token&& token) const {
    return spawn(init_op(config_), std::forward<Token>(token));
  }
  template <class Token>
  auto async_recover(Token&& token) const {
    return spawn(recover_op(*this), std::forward<Token>(token));
  }
  template <class Token>
  auto async_cleanup_finished(CleanupPolicy policy, Token&& token) const {
    return spawn(cleanup_finished_op(*this, std::move(policy)), std::forward<Token>(token));
  }
  template <class Token>
  auto async_wait_through_restarts(std::string session_id, RestartTolerantWaitOptions options,
                                   Token&& token) const {
    return spawn(wait_through_restarts_op(*this, std::move(session_id), std::move(options)),
                 std::forward<Token>(token));
  }

  using Config = std::shared_ptr<const ClientOptions>;

 private:
  friend class SessionHandle;
  friend struct detail::ClientAccess;
  class Runner;
  struct EmptyTag {};
  // The client inside a default-constructed SessionHandle: owns no thread, and its
  // operations fail validation before touching a container.
  explicit HiveMindClient(EmptyTag);

  // Whether `get` may answer from ClientOptions::metadata_cache.
  enum class MetadataSource { cache_or_container, container };

  template <class Op, class Token>
  auto spawn(Op op, Token&& token) const {
    return detail::co_spawn_typed(executor_, std::move(op), std::forward<Token>(token));
  }

  static boost::asio::awaitable<std::string> create_op(Config config, std::string task,
                                                       Priority priority, nlohmann::json metadata);
  static boost::asio::awaitable<void> start_op(Config config, std::string session_id,
                                               std::vector<std::string> extra_args);
  static boost::asio::awaitable<SessionHandle> spawn_task_op(HiveMindClient client,
                                                             std::string task, Priority priority,
                                                             nlohmann::json metadata);
  static boost::asio::awaitable<SessionStatus> status_op(Config config, std::string session_id);
  static boost::asio::awaitable<SessionMetadata> get_op(
      Config config, std::string session_id,
      MetadataSource source = MetadataSource::cache_or_container);
  static boost::asio::awaitable<SessionIndex> list_op(Config config);
  static boost::asio::awaitable<std::string> output_dir_op(Config config, std::string session_id);
  static boost::asio::awaitable<std::string> log_file_op(Config config, std::string session_id);
  static boost::asio::awaitable<void> update_status_op(Config config, std::string session_id,
                                                       std::string status);
  static boost::asio::awaitable<CleanupReport> cleanup_op(Config config, int max_age_hours);
  static boost::asio::awaitable<void> init_op(Config config);
  // create, then the journal record (when there is a journal) before the UUID is returned.
  static boost::asio::awaitable<std::string> create_recorded_op(HiveMindClient client,
                                                                std::string task, Priority priority,
                                                                nlohmann::json metadata);
  static boost::asio::awaitable<RecoveryReport> recover_op(HiveMindClient client);
  static boost::asio::awaitable<CleanupFinishedReport> cleanup_finished_op(HiveMindClient client,
                                                                           CleanupPolicy policy);
  static boost::asio::awaitable<WaitResult> wait_through_restarts_op(
      HiveMindClient client, std::string session_id, RestartTolerantWaitOptions options);
  void open_journal();

  Config config_;
  std::shared_ptr<Runner> runner_;  // null when running on the caller's executor
  executor_type executor_;
  std::shared_ptr<SessionJournal> journal_;  // null without ClientOptions::journal_dir
};

}  // namespace hivemind

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
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>

#include "hivemind/common/async_completion.hpp"
#include "hivemind/control/client_options.hpp"
#include "hivemind/control/wait_options.hpp"
#include "hivemind/models/cleanup_report.hpp"
#include "hivemind/models/priority.hpp"
#include "hivemind/models/session_index.hpp"
#include "hivemind/models/session_metadata.hpp"
#include "hivemind/models/session_status.hpp"

namespace hivemind {

class SessionHandle;
class SessionJournal;
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

  // Sessions that outlive the application: with ClientOptions::journal_dir set, the
  // client journals every session it creates; SessionLifecycle
  // (hivemind/journal/session_lifecycle.hpp) reads the journal back.

  template <class Token>
  auto async_create(std::string task, Priority priority, nlohmann::json metadata,
                    Token&& token) const {
    return async_complete<std::string>(
        std::forward<Token>(token),
        [self = *this, task = std::move(task), priority,
         metadata = std::move(metadata)](Completion<std::string> done) mutable {
          self.launch_create(std::move(task), priority, std::move(metadata), std::move(done));
        });
  }
  template <class Token>
  auto async_start(std::string session_id, std::vector<std::string> extra_args,
                   Token&& token) const {
    return async_complete<void>(
        std::forward<Token>(token),
        [self = *this, session_id = std::move(session_id),
         extra_args = std::move(extra_args)](Completion<void> done) mutable {
          self.launch_start(std::move(session_id), std::move(extra_args), std::move(done));
        });
  }
  template <class Token>
  auto async_spawn_task(std::string task, Priority priority, nlohmann::json metadata,
                        Token&& token) const {
    return async_complete<SessionHandle>(
        std::forward<Token>(token),
        [self = *this, task = std::move(task), priority,
         metadata = std::move(metadata)](Completion<SessionHandle> done) mutable {
          self.launch_spawn_task(std::move(task), priority, std::move(metadata), std::move(done));
        });
  }
  template <class Token>
  auto async_status(std::string session_id, Token&& token) const {
    return async_complete<SessionStatus>(
        std::forward<Token>(token),
        [self = *this, session_id = std::move(session_id)](Completion<SessionStatus> done) mutable {
          self.launch_status(std::move(session_id), std::move(done));
        });
  }
  template <class Token>
  auto async_get(std::string session_id, Token&& token) const {
    return async_complete<SessionMetadata>(
        std::forward<Token>(token), [self = *this, session_id = std::move(session_id)](
                                        Completion<SessionMetadata> done) mutable {
          self.launch_get(std::move(session_id), std::move(done));
        });
  }
  template <class Token>
  auto async_list(Token&& token) const {
    return async_complete<SessionIndex>(std::forward<Token>(token),
                                        [self = *this](Completion<SessionIndex> done) mutable {
                                          self.launch_list(std::move(done));
                                        });
  }
  template <class Token>
  auto async_output_dir(std::string session_id, Token&& token) const {
    return async_complete<std::string>(
        std::forward<Token>(token),
        [self = *this, session_id = std::move(session_id)](Completion<std::string> done) mutable {
          self.launch_output_dir(std::move(session_id), std::move(done));
        });
  }
  template <class Token>
  auto async_log_file(std::string session_id, Token&& token) const {
    return async_complete<std::string>(
        std::forward<Token>(token),
        [self = *this, session_id = std::move(session_id)](Completion<std::string> done) mutable {
          self.launch_log_file(std::move(session_id), std::move(done));
        });
  }
  template <class Token>
  auto async_update_status(std::string session_id, std::string status, Token&& token) const {
    return async_complete<void>(
        std::forward<Token>(token), [self = *this, session_id = std::move(session_id),
                                     status = std::move(status)](Completion<void> done) mutable {
          self.launch_update_status(std::move(session_id), std::move(status), std::move(done));
        });
  }
  template <class Token>
  auto async_cleanup(int max_age_hours, Token&& token) const {
    return async_complete<CleanupReport>(
        std::forward<Token>(token),
        [self = *this, max_age_hours](Completion<CleanupReport> done) mutable {
          self.launch_cleanup(max_age_hours, std::move(done));
        });
  }
  template <class Token>
  auto async_init(Token&& token) const {
    return async_complete<void>(
        std::forward<Token>(token),
        [self = *this](Completion<void> done) mutable { self.launch_init(std::move(done)); });
  }

 private:
  friend class SessionHandle;
  friend struct detail::ClientAccess;
  class Runner;
  struct EmptyTag {};
  // The client inside a default-constructed SessionHandle: owns no thread, and its
  // operations fail validation before touching a container.
  explicit HiveMindClient(EmptyTag);

  // The asynchronous operations, compiled into the library (async_complete).
  void launch_create(std::string task, Priority priority, nlohmann::json metadata,
                     Completion<std::string> done) const;
  void launch_start(std::string session_id, std::vector<std::string> extra_args,
                    Completion<void> done) const;
  void launch_spawn_task(std::string task, Priority priority, nlohmann::json metadata,
                         Completion<SessionHandle> done) const;
  void launch_status(std::string session_id, Completion<SessionStatus> done) const;
  void launch_get(std::string session_id, Completion<SessionMetadata> done) const;
  void launch_list(Completion<SessionIndex> done) const;
  void launch_output_dir(std::string session_id, Completion<std::string> done) const;
  void launch_log_file(std::string session_id, Completion<std::string> done) const;
  void launch_update_status(std::string session_id, std::string status,
                            Completion<void> done) const;
  void launch_cleanup(int max_age_hours, Completion<CleanupReport> done) const;
  void launch_init(Completion<void> done) const;
  void open_journal();

  std::shared_ptr<const ClientOptions> config_;
  std::shared_ptr<Runner> runner_;  // null when running on the caller's executor
  executor_type executor_;
  std::shared_ptr<SessionJournal> journal_;  // null without ClientOptions::journal_dir
};

}  // namespace hivemind

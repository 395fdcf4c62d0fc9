// SessionHandle: one session UUID tied to the client that created or found it.
// Cheap to copy; copies refer to the same session.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "hivemind/control/follow_log_options.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/session_outputs.hpp"
#include "hivemind/control/wait_options.hpp"

namespace hivemind {

enum class CancelOutcome {
  cancelled,         // the session's processes were ended (if any) and `failed` recorded
  already_finished,  // it was completed or failed already: nothing was changed
};

class SessionHandle {
 public:
  // An empty handle (uuid() is empty; every operation fails with invalid_argument).
  // Exists because asynchronous completions need a default-constructible result.
  SessionHandle() : client_(HiveMindClient::EmptyTag{}) {}

  // Validates the UUID (invalid_argument otherwise); does not contact the container.
  static SessionHandle from_uuid(HiveMindClient client, std::string_view session_id);

  const std::string& uuid() const noexcept { return uuid_; }
  const HiveMindClient& client() const noexcept { return client_; }

  SessionStatus status() const { return client_.status(uuid_); }
  // The `get` answer; from ClientOptions::metadata_cache when one is set and remembers it.
  SessionMetadata metadata() const { return client_.get(uuid_); }
  // The `get` answer from the container, whatever the cache holds (which it then updates).
  SessionMetadata refresh() const;
  std::string output_dir() const { return client_.output_dir(uuid_); }
  std::string log_file() const { return client_.log_file(uuid_); }

  // The session's output files on the host, under ClientOptions::host_ext_dir (or
  // $HIVEMIND_HOST_EXT_DIR, or ./workspace/ext). Contacts no container.
  SessionOutputs outputs() const;
  // The container's `output-dir` answer mapped to the host (invalid_argument when it is
  // not under /workspace/ext, the bind-mounted directory).
  std::filesystem::path host_output_dir() const;
  std::vector<OutputFile> list_output_files() const { return outputs().list(); }
  std::string read_output_file(const std::filesystem::path& relative_path) const {
    return outputs().read(relative_path);
  }
  CopyReport copy_outputs_to(const std::filesystem::path& destination) const {
    return outputs().copy_to(destination);
  }
  // The same copy for a container that shares no directory with this host (another Docker
  // host, a pod): `tar -cf -` of the output directory runs in the container through the
  // client's exec transport, and its stream is unpacked under copy_outputs_to's rules
  // (only regular files, nothing outside `destination`, links skipped and reported). Files
  // that changed while tar read them are skipped and reported. Throws session_not_found
  // when the container has no output directory for the session; `stop` cancels.
  CopyReport fetch_outputs_to(const std::filesystem::path& destination,
                              std::stop_token stop = {}) const;

  // The last `last_n_lines` lines of the session's log, oldest first (empty while the log
  // does not exist yet).
  std::vector<std::string> read_log(std::size_t last_n_lines) const;

  // Calls `on_line` with each log line, whole and in order, as the session writes it; a
  // log that does not exist yet is waited for. Returns normally once the session has ended
  // (see FollowLogOptions::until_session_ends), after the log's last line was delivered,
  // or when `stop` is requested (its process in the container then ended and reaped).
  // Throws when the container goes away (connection_lost / container_unavailable).
  void follow_log(const std::function<void(std::string_view line)>& on_line, std::stop_token stop,
                  const FollowLogOptions& options = {}) const;

  // Polls until the session completes, fails, is found dead (its process is gone while
  // the status still says running) or stale; see WaitOptions. Throws timeout past
  // WaitOptions::timeout and cancelled when `stop` is requested.
  WaitResult wait_for_completion(const WaitOptions& options = {}, std::stop_token stop = {}) const;

  // Whether the session's start process currently exists in the container (nullopt when
  // the container cannot tell).
  std::optional<bool> is_process_alive() const;

  // Ends the session's processes in the container and records `failed`. Idempotent.
  CancelOutcome cancel() const;

  template <class Token>
  auto async_status(Token&& token) const {
    return client_.async_status(uuid_, std::forward<Token>(token));
  }
  template <class Token>
  auto async_metadata(Token&& token) const {
    return client_.async_get(uuid_, std::forward<Token>(token));
  }
  template <class Token>
  auto async_refresh(Token&& token) const {
    return async_complete<SessionMetadata>(
        std::forward<Token>(token),
        [self = *this](Completion<SessionMetadata> done) { self.launch_refresh(std::move(done)); });
  }
  // Completes with (std::exception_ptr, WaitResult). Per-operation cancellation works.
  template <class Token>
  auto async_wait_for_completion(WaitOptions options, Token&& token) const {
    return async_complete<WaitResult>(
        std::forward<Token>(token),
        [self = *this, options = std::move(options)](Completion<WaitResult> done) mutable {
          self.launch_wait(std::move(options), std::move(done));
        });
  }
  // Completes with (std::exception_ptr): null once the session has ended and its last line
  // was delivered; cancel it through the token's cancellation slot (it then completes with
  // errc::cancelled).
  template <class Token>
  auto async_follow_log(std::function<void(std::string_view line)> on_line,
                        FollowLogOptions options, Token&& token) const {
    return async_complete<void>(
        std::forward<Token>(token),
        [self = *this, on_line = std::move(on_line), options](Completion<void> done) mutable {
          self.launch_follow_log(std::move(on_line), options, std::move(done));
        });
  }
  template <class Token>
  auto async_read_log(std::size_t last_n_lines, Token&& token) const {
    return async_complete<std::vector<std::string>>(
        std::forward<Token>(token),
        [self = *this, last_n_lines](Completion<std::vector<std::string>> done) {
          self.launch_read_log(last_n_lines, std::move(done));
        });
  }
  template <class Token>
  auto async_cancel(Token&& token) const {
    return async_complete<CancelOutcome>(
        std::forward<Token>(token),
        [self = *this](Completion<CancelOutcome> done) { self.launch_cancel(std::move(done)); });
  }

 private:
  SessionHandle(HiveMindClient client, std::string session_id)
      : client_(std::move(client)), uuid_(std::move(session_id)) {}

  // The asynchronous operations, compiled into the library (async_complete).
  void launch_refresh(Completion<SessionMetadata> done) const;
  void launch_wait(WaitOptions options, Completion<WaitResult> done) const;
  void launch_follow_log(std::function<void(std::string_view line)> on_line,
                         FollowLogOptions options, Completion<void> done) const;
  void launch_read_log(std::size_t last_n_lines, Completion<std::vector<std::string>> done) const;
  void launch_cancel(Completion<CancelOutcome> done) const;

  HiveMindClient client_;
  std::string uuid_;
};

}  // namespace hivemind

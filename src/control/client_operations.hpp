// The control plane's operations, each written once as a coroutine. HiveMindClient and
// SessionHandle spawn them for their synchronous and asynchronous forms; the watcher, the
// log follower and the journal layer compose them. Private: the public headers declare
// only the API (hivemind/common/async_completion.hpp says how the two meet).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hivemind/control/client_options.hpp"
#include "hivemind/control/follow_log_options.hpp"
#include "hivemind/control/hivemind_client.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/control/wait_options.hpp"
#include "hivemind/journal/cleanup_policy.hpp"
#include "hivemind/journal/recovery_report.hpp"
#include "hivemind/journal/restart_tolerant_wait.hpp"
#include "hivemind/models/cleanup_report.hpp"
#include "hivemind/models/priority.hpp"
#include "hivemind/models/session_index.hpp"
#include "hivemind/models/session_metadata.hpp"
#include "hivemind/models/session_status.hpp"

namespace hivemind::detail {

// A client's options, shared by its copies and by the operations in flight.
using ClientConfig = std::shared_ptr<const ClientOptions>;

// The one door into HiveMindClient's state for the other SDK components.
struct ClientAccess {
  static const ClientConfig& config(const HiveMindClient& client) { return client.config_; }
  // Null without ClientOptions::journal_dir.
  static SessionJournal* journal(const HiveMindClient& client) { return client.journal_.get(); }
};

// ---- verbs of hive-session-manager.sh ----
boost::asio::awaitable<std::string> create_op(ClientConfig config, std::string task,
                                              Priority priority, nlohmann::json metadata);
// Refuses a session that is not `created` (start is not idempotent).
boost::asio::awaitable<void> start_op(ClientConfig config, std::string session_id,
                                      std::vector<std::string> extra_args);
boost::asio::awaitable<SessionStatus> status_op(ClientConfig config, std::string session_id);
// Whether `get` may answer from ClientOptions::metadata_cache.
enum class MetadataSource { cache_or_container, container };
boost::asio::awaitable<SessionMetadata> get_op(
    ClientConfig config, std::string session_id,
    MetadataSource source = MetadataSource::cache_or_container);
boost::asio::awaitable<SessionIndex> list_op(ClientConfig config);
boost::asio::awaitable<std::string> output_dir_op(ClientConfig config, std::string session_id);
boost::asio::awaitable<std::string> log_file_op(ClientConfig config, std::string session_id);
boost::asio::awaitable<void> update_status_op(ClientConfig config, std::string session_id,
                                              std::string status);
boost::asio::awaitable<CleanupReport> cleanup_op(ClientConfig config, int max_age_hours);
boost::asio::awaitable<void> init_op(ClientConfig config);

// ---- compositions ----
// create, then the journal record (when there is a journal) before the UUID is returned.
boost::asio::awaitable<std::string> create_recorded_op(HiveMindClient client, std::string task,
                                                       Priority priority, nlohmann::json metadata);
boost::asio::awaitable<SessionHandle> spawn_task_op(HiveMindClient client, std::string task,
                                                    Priority priority, nlohmann::json metadata);
boost::asio::awaitable<WaitResult> wait_op(SessionHandle session, WaitOptions options);
boost::asio::awaitable<CancelOutcome> cancel_op(SessionHandle session);
boost::asio::awaitable<std::vector<std::string>> read_log_op(SessionHandle session,
                                                             std::size_t last_n_lines);
boost::asio::awaitable<void> follow_log_op(SessionHandle session, FollowLogOptions options,
                                           std::function<void(std::string_view line)> on_line);

// ---- the journal layer (journal/session_lifecycle.cpp) ----
boost::asio::awaitable<RecoveryReport> recover_op(HiveMindClient client);
boost::asio::awaitable<CleanupFinishedReport> cleanup_finished_op(HiveMindClient client,
                                                                  CleanupPolicy policy);
boost::asio::awaitable<WaitResult> wait_through_restarts_op(HiveMindClient client,
                                                            std::string session_id,
                                                            RestartTolerantWaitOptions options);

}  // namespace hivemind::detail

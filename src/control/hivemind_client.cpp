#include "hivemind/control/hivemind_client.hpp"

#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/system_executor.hpp>

#include "common/run_sync.hpp"
#include "control/input_validation.hpp"
#include "control/session_manager_output.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/journal/metadata_cache.hpp"
#include "hivemind/journal/recovery_report.hpp"
#include "hivemind/journal/session_journal.hpp"
#include "process/container_exec.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
using detail::ContainerResult;
using detail::ExecMode;

asio::awaitable<ContainerResult> run_verb(const ClientOptions& options, ExecMode mode,
                                          std::vector<std::string> verb_and_args) {
  verb_and_args.insert(verb_and_args.begin(), options.script);
  co_return co_await detail::exec_in_container(options, mode, std::move(verb_and_args));
}

[[noreturn]] void fail_unexpected(std::string_view verb, const ContainerResult& result) {
  const auto err = detail::trim(result.err);
  throw Error(errc::docker_exec_failed,
              "'" + std::string(verb) + "' exited with status " + std::to_string(result.exit_code) +
                  (err.empty() ? std::string() : ": " + std::string(err.substr(0, 500))),
              detail::context_of(result));
}

// Called before a verb that changes the session, so that no later `get` answers from
// the cache with what it was before.
void forget_metadata(const ClientOptions& options, std::string_view session_id) {
  if (options.metadata_cache) options.metadata_cache->invalidate(session_id);
}

[[noreturn]] void fail_not_found(std::string_view session_id, const ContainerResult& result) {
  throw Error(errc::session_not_found,
              "session " + std::string(session_id) + " is not known to the container",
              detail::context_of(result));
}

}  // namespace

// Owns the io_context that asynchronous operations run on when the application
// supplied no executor.
class HiveMindClient::Runner {
 public:
  // The thread shares ownership of the io_context, so that the context outlives a Runner
  // destroyed on that very thread and is destroyed (closing its descriptors) once run()
  // returned.
  Runner()
      : io_(std::make_shared<asio::io_context>(1)),
        work_(asio::make_work_guard(*io_)),
        thread_([io = io_] { io->run(); }) {}

  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  ~Runner() {
    work_.reset();
    io_->stop();
    if (thread_.get_id() == std::this_thread::get_id()) {
      // The last copy of the client died inside one of its own completion handlers: the
      // io_context is still running this very call. Let the thread finish on its own; its
      // reference destroys the context after run() returned.
      thread_.detach();
    } else {
      thread_.join();
    }
  }

  executor_type get_executor() const { return io_->get_executor(); }

 private:
  std::shared_ptr<asio::io_context> io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

HiveMindClient::HiveMindClient(ClientOptions options)
    : config_(std::make_shared<const ClientOptions>(std::move(options))),
      runner_(std::make_shared<Runner>()),
      executor_(runner_->get_executor()) {
  open_journal();
}

HiveMindClient::HiveMindClient(executor_type executor, ClientOptions options)
    : config_(std::make_shared<const ClientOptions>(std::move(options))),
      executor_(std::move(executor)) {
  open_journal();
}

void HiveMindClient::open_journal() {
  if (config_->journal_dir.empty()) return;
  journal_ = std::make_shared<SessionJournal>(config_->journal_dir);
  if (!config_->recover_on_start) return;
  try {
    const auto report = detail::run_sync(recover_op(*this));
    logger()->info(
        "session journal {}: {} running, {} finished, {} dead, {} lost since the last run",
        config_->journal_dir.string(), report.running.size(), report.finished.size(),
        report.dead.size(), report.lost.size());
  } catch (const Error& e) {
    // The application may well start before its container; recover() can be called later.
    logger()->warn("session journal {}: recovery at start failed: {}",
                   config_->journal_dir.string(), e.what());
  }
}

HiveMindClient::HiveMindClient(EmptyTag)
    : config_(std::make_shared<const ClientOptions>()), executor_(asio::system_executor()) {}

const ClientOptions& HiveMindClient::options() const noexcept {
  return *config_;
}

HiveMindClient::executor_type HiveMindClient::get_executor() const noexcept {
  return executor_;
}

// ---- operations (each written once, as a coroutine) ----

asio::awaitable<std::string> HiveMindClient::create_op(Config config, std::string task,
                                                       Priority priority, nlohmann::json metadata) {
  auto task_argument = detail::encode_task(task, config->single_quotes);
  auto metadata_argument = detail::encode_metadata(metadata);
  std::vector<std::string> command{"create", std::move(task_argument),
                                   std::string(to_string(priority)), std::move(metadata_argument)};
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code != 0) fail_unexpected("create", result);
  co_return detail::parse_created_uuid(result.out);
}

namespace {

asio::awaitable<void> start_detached(const ClientOptions& options, std::string session_id,
                                     std::vector<std::string> extra_args) {
  std::vector<std::string> verb{"start", std::move(session_id)};
  verb.insert(verb.end(), std::make_move_iterator(extra_args.begin()),
              std::make_move_iterator(extra_args.end()));
  const auto result = co_await run_verb(options, ExecMode::detached, std::move(verb));
  if (result.exit_code != 0) fail_unexpected("start", result);
}

}  // namespace

asio::awaitable<void> HiveMindClient::start_op(Config config, std::string session_id,
                                               std::vector<std::string> extra_args) {
  detail::validate_uuid(session_id);
  detail::validate_start_args(extra_args);
  const auto current = co_await status_op(config, session_id);
  if (current != SessionStatus::Kind::created) {
    throw Error(errc::invalid_argument,
                "session " + session_id + " is '" + current.text() +
                    "', not 'created': start is not idempotent and would run the task again");
  }
  forget_metadata(*config, session_id);
  co_await start_detached(*config, std::move(session_id), std::move(extra_args));
}

namespace {

// Durable before the UUID reaches the caller: a crash right after never loses a session.
void record_created(const HiveMindClient& client, const std::string& session_id, std::string task,
                    Priority priority, nlohmann::json metadata) {
  if (auto* journal = client.journal()) {
    JournalEntry entry;
    entry.session_id = session_id;
    entry.task = std::move(task);
    entry.priority = priority;
    entry.metadata = std::move(metadata);
    entry.created = entry.status_seen = std::chrono::system_clock::now();
    try {
      journal->record(entry);
    } catch (const Error& e) {
      throw Error(e.code(), "session " + session_id +
                                " was created in the container but not journaled: " + e.what());
    }
  }
  if (const auto& metrics = client.options().metrics) metrics->on_session_created(session_id);
}

}  // namespace

asio::awaitable<std::string> HiveMindClient::create_recorded_op(HiveMindClient client,
                                                                std::string task, Priority priority,
                                                                nlohmann::json metadata) {
  auto session_id = co_await create_op(client.config_, task, priority, metadata);
  record_created(client, session_id, std::move(task), priority, std::move(metadata));
  co_return session_id;
}

asio::awaitable<SessionHandle> HiveMindClient::spawn_task_op(HiveMindClient client,
                                                             std::string task, Priority priority,
                                                             nlohmann::json metadata) {
  auto session_id =
      co_await create_recorded_op(client, std::move(task), priority, std::move(metadata));
  co_await start_detached(*client.config_, session_id, std::vector<std::string>{});
  co_return SessionHandle::from_uuid(std::move(client), session_id);
}

asio::awaitable<SessionStatus> HiveMindClient::status_op(Config config, std::string session_id) {
  detail::validate_uuid(session_id);
  std::vector<std::string> command{"status", session_id};
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code == 0) co_return detail::parse_status_output(result.out);
  if (result.exit_code == 1 && detail::trim(result.out) == "not_found") {
    fail_not_found(session_id, result);
  }
  // The deployed script exits with jq's status (4) and prints nothing when the session
  // file is not valid JSON, which a task with raw quotes or control characters causes.
  throw Error(errc::protocol_error,
              "status of session " + session_id + " is unreadable (exit " +
                  std::to_string(result.exit_code) + "); its session file is probably broken",
              detail::context_of(result));
}

asio::awaitable<SessionMetadata> HiveMindClient::get_op(Config config, std::string session_id,
                                                        MetadataSource source) {
  detail::validate_uuid(session_id);
  const auto& cache = config->metadata_cache;
  if (cache && source == MetadataSource::cache_or_container) {
    if (auto remembered = cache->find(session_id)) co_return std::move(*remembered);
  }
  std::vector<std::string> command{"get", session_id};
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code == 0) {
    auto metadata = detail::parse_session_json(result.out);
    if (cache) cache->store(metadata);
    co_return metadata;
  }
  if (result.exit_code == 1 && result.out.find("Session not found") != std::string::npos) {
    fail_not_found(session_id, result);
  }
  // A `cleanup` removing the session while `get` runs: the directory was still there but
  // its session.json no longer is, so `cat` fails with nothing on stdout.
  if (result.exit_code == 1 && detail::trim(result.out).empty() &&
      result.err.find("session.json: No such file or directory") != std::string::npos) {
    fail_not_found(session_id, result);
  }
  fail_unexpected("get", result);
}

asio::awaitable<SessionIndex> HiveMindClient::list_op(Config config) {
  std::vector<std::string> command{"list"};
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code != 0) fail_unexpected("list", result);
  co_return detail::parse_index_json(result.out);
}

namespace {

asio::awaitable<std::string> path_verb(const ClientOptions& options, std::string verb,
                                       std::string session_id) {
  detail::validate_uuid(session_id);
  std::vector<std::string> command{verb, session_id};
  const auto result = co_await run_verb(options, ExecMode::attached, std::move(command));
  if (result.exit_code == 0) co_return detail::parse_path_line(result.out, verb + " output");
  if (result.exit_code == 1 && detail::trim(result.out).empty()) fail_not_found(session_id, result);
  fail_unexpected(verb, result);
}

}  // namespace

asio::awaitable<std::string> HiveMindClient::output_dir_op(Config config, std::string session_id) {
  co_return co_await path_verb(*config, "output-dir", std::move(session_id));
}

asio::awaitable<std::string> HiveMindClient::log_file_op(Config config, std::string session_id) {
  co_return co_await path_verb(*config, "log", std::move(session_id));
}

asio::awaitable<void> HiveMindClient::update_status_op(Config config, std::string session_id,
                                                       std::string status) {
  detail::validate_uuid(session_id);
  detail::validate_status_text(status);
  std::vector<std::string> command{"update-status", session_id, status};
  forget_metadata(*config, session_id);
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code == 1) fail_not_found(session_id, result);
  if (result.exit_code != 0) fail_unexpected("update-status", result);
}

asio::awaitable<CleanupReport> HiveMindClient::cleanup_op(Config config, int max_age_hours) {
  if (max_age_hours < 0) {
    throw Error(errc::invalid_argument, "cleanup max_age_hours must not be negative (got " +
                                            std::to_string(max_age_hours) + ")");
  }
  std::vector<std::string> command{"cleanup", std::to_string(max_age_hours)};
  if (config->metadata_cache) config->metadata_cache->clear();
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code != 0) fail_unexpected("cleanup", result);
  co_return detail::parse_cleanup_output(result.out);
}

asio::awaitable<void> HiveMindClient::init_op(Config config) {
  std::vector<std::string> command{"init"};
  const auto result = co_await run_verb(*config, ExecMode::attached, std::move(command));
  if (result.exit_code != 0) fail_unexpected("init", result);
}

// ---- synchronous forms ----

std::string HiveMindClient::create(std::string_view task, Priority priority,
                                   const nlohmann::json& metadata) const {
  return detail::run_sync(create_recorded_op(*this, std::string(task), priority, metadata));
}

void HiveMindClient::start(std::string_view session_id,
                           const std::vector<std::string>& extra_args) const {
  detail::run_sync(start_op(config_, std::string(session_id), extra_args));
}

SessionHandle HiveMindClient::spawn_task(std::string_view task, Priority priority,
                                         const nlohmann::json& metadata) const {
  return detail::run_sync(spawn_task_op(*this, std::string(task), priority, metadata));
}

SessionStatus HiveMindClient::status(std::string_view session_id) const {
  return detail::run_sync(status_op(config_, std::string(session_id)));
}

SessionMetadata HiveMindClient::get(std::string_view session_id) const {
  return detail::run_sync(get_op(config_, std::string(session_id)));
}

SessionIndex HiveMindClient::list() const {
  return detail::run_sync(list_op(config_));
}

std::string HiveMindClient::output_dir(std::string_view session_id) const {
  return detail::run_sync(output_dir_op(config_, std::string(session_id)));
}

std::string HiveMindClient::log_file(std::string_view session_id) const {
  return detail::run_sync(log_file_op(config_, std::string(session_id)));
}

void HiveMindClient::update_status(std::string_view session_id, std::string_view status) const {
  detail::run_sync(update_status_op(config_, std::string(session_id), std::string(status)));
}

CleanupReport HiveMindClient::cleanup(int max_age_hours) const {
  return detail::run_sync(cleanup_op(config_, max_age_hours));
}

void HiveMindClient::init() const {
  detail::run_sync(init_op(config_));
}

}  // namespace hivemind

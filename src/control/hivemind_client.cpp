#include "hivemind/control/hivemind_client.hpp"

#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/system_executor.hpp>

#include "common/run_sync.hpp"
#include "common/typed_cancellation.hpp"
#include "control/client_operations.hpp"
#include "control/input_validation.hpp"
#include "control/session_manager_output.hpp"
#include "control/verb_outcome.hpp"
#include "hivemind/common/error.hpp"
#include "hivemind/common/logging.hpp"
#include "hivemind/control/session_handle.hpp"
#include "hivemind/journal/metadata_cache.hpp"
#include "hivemind/journal/recovery_report.hpp"
#include "hivemind/journal/session_journal.hpp"
#include "process/container_exec.hpp"
#include "process/exec_token.hpp"

namespace hivemind {
namespace {

namespace asio = boost::asio;
using detail::ContainerResult;
using detail::ExecMode;

// Runs one verb of the session manager and throws the typed error its outcome stands for
// (control/verb_outcome.hpp); returns the result of a successful run.
asio::awaitable<ContainerResult> run_verb(const ClientOptions& options, detail::Verb verb,
                                          std::string session_id, std::vector<std::string> args,
                                          ExecMode mode = ExecMode::attached,
                                          std::string exec_token = {}) {
  args.insert(args.begin(), std::string(detail::verb_name(verb)));
  args.insert(args.begin(), options.script);
  auto result =
      co_await detail::exec_in_container(options, mode, std::move(args), std::move(exec_token));
  if (auto failure =
          detail::verb_failure(verb, session_id, {result.exit_code, result.out, result.err})) {
    throw Error(failure->code, std::move(failure->message), detail::context_of(result));
  }
  co_return result;
}

// Called before a verb that changes the session, so that no later `get` answers from
// the cache with what it was before.
void forget_metadata(const ClientOptions& options, std::string_view session_id) {
  if (options.metadata_cache) options.metadata_cache->invalidate(session_id);
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
    const auto report = detail::run_sync(detail::recover_op(*this));
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

namespace detail {

asio::awaitable<std::string> create_op(ClientConfig config, std::string task, Priority priority,
                                       nlohmann::json metadata) {
  auto task_argument = encode_task(task, config->single_quotes);
  auto metadata_argument = encode_metadata(metadata);
  std::vector<std::string> args{std::move(task_argument), std::string(to_string(priority)),
                                std::move(metadata_argument)};
  const auto result = co_await run_verb(*config, Verb::create, "", std::move(args));
  co_return parse_created_uuid(result.out);
}

namespace {

asio::awaitable<void> start_detached(const ClientOptions& options, std::string session_id,
                                     std::vector<std::string> extra_args) {
  extra_args.insert(extra_args.begin(), session_id);
  auto token = detail::session_exec_token(session_id);  // what a cancel kills (session_processes)
  co_await run_verb(options, Verb::start, session_id, std::move(extra_args), ExecMode::detached,
                    std::move(token));
}

// Durable before the UUID reaches the caller: a crash right after never loses a session.
void record_created(const HiveMindClient& client, const std::string& session_id, std::string task,
                    Priority priority, nlohmann::json metadata) {
  if (auto* journal = detail::ClientAccess::journal(client)) {
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

// `output-dir` and `log`: one container path.
asio::awaitable<std::string> path_verb(const ClientOptions& options, Verb verb,
                                       std::string session_id) {
  validate_uuid(session_id);
  const std::string what = std::string(verb_name(verb)) + " output";
  std::vector<std::string> args{session_id};
  const auto result = co_await run_verb(options, verb, session_id, std::move(args));
  co_return parse_path_line(result.out, what);
}

}  // namespace

asio::awaitable<void> start_op(ClientConfig config, std::string session_id,
                               std::vector<std::string> extra_args) {
  validate_uuid(session_id);
  validate_start_args(extra_args);
  const auto current = co_await status_op(config, session_id);
  if (current != SessionStatus::Kind::created) {
    throw Error(errc::invalid_argument,
                "session " + session_id + " is '" + current.text() +
                    "', not 'created': start is not idempotent and would run the task again");
  }
  forget_metadata(*config, session_id);
  co_await start_detached(*config, std::move(session_id), std::move(extra_args));
}

asio::awaitable<std::string> create_recorded_op(HiveMindClient client, std::string task,
                                                Priority priority, nlohmann::json metadata) {
  auto session_id = co_await create_op(ClientAccess::config(client), task, priority, metadata);
  record_created(client, session_id, std::move(task), priority, std::move(metadata));
  co_return session_id;
}

asio::awaitable<SessionHandle> spawn_task_op(HiveMindClient client, std::string task,
                                             Priority priority, nlohmann::json metadata) {
  auto session_id =
      co_await create_recorded_op(client, std::move(task), priority, std::move(metadata));
  co_await start_detached(client.options(), session_id, std::vector<std::string>{});
  co_return SessionHandle::from_uuid(std::move(client), session_id);
}

asio::awaitable<SessionStatus> status_op(ClientConfig config, std::string session_id) {
  validate_uuid(session_id);
  std::vector<std::string> args{session_id};
  const auto result = co_await run_verb(*config, Verb::status, session_id, std::move(args));
  co_return parse_status_output(result.out);
}

asio::awaitable<SessionMetadata> get_op(ClientConfig config, std::string session_id,
                                        MetadataSource source) {
  validate_uuid(session_id);
  const auto& cache = config->metadata_cache;
  if (cache && source == MetadataSource::cache_or_container) {
    if (auto remembered = cache->find(session_id)) co_return std::move(*remembered);
  }
  std::vector<std::string> args{session_id};
  const auto result = co_await run_verb(*config, Verb::get, session_id, std::move(args));
  auto metadata = parse_session_json(result.out);
  if (cache) cache->store(metadata);
  co_return metadata;
}

asio::awaitable<SessionIndex> list_op(ClientConfig config) {
  std::vector<std::string> args{};
  const auto result = co_await run_verb(*config, Verb::list, "", std::move(args));
  co_return parse_index_json(result.out);
}

asio::awaitable<std::string> output_dir_op(ClientConfig config, std::string session_id) {
  co_return co_await path_verb(*config, Verb::output_dir, std::move(session_id));
}

asio::awaitable<std::string> log_file_op(ClientConfig config, std::string session_id) {
  co_return co_await path_verb(*config, Verb::log, std::move(session_id));
}

asio::awaitable<void> update_status_op(ClientConfig config, std::string session_id,
                                       std::string status) {
  validate_uuid(session_id);
  validate_status_text(status);
  forget_metadata(*config, session_id);
  std::vector<std::string> args{session_id, std::move(status)};
  co_await run_verb(*config, Verb::update_status, session_id, std::move(args));
}

asio::awaitable<CleanupReport> cleanup_op(ClientConfig config, int max_age_hours) {
  if (max_age_hours < 0) {
    throw Error(errc::invalid_argument, "cleanup max_age_hours must not be negative (got " +
                                            std::to_string(max_age_hours) + ")");
  }
  if (config->metadata_cache) config->metadata_cache->clear();
  std::vector<std::string> args{std::to_string(max_age_hours)};
  const auto result = co_await run_verb(*config, Verb::cleanup, "", std::move(args));
  co_return parse_cleanup_output(result.out);
}

asio::awaitable<void> init_op(ClientConfig config) {
  std::vector<std::string> args{};
  co_await run_verb(*config, Verb::init, "", std::move(args));
}

}  // namespace detail

// ---- asynchronous forms: each spawns its operation on the client's executor ----

void HiveMindClient::launch_create(std::string task, Priority priority, nlohmann::json metadata,
                                   Completion<std::string> done) const {
  detail::co_spawn_typed(
      get_executor(),
      detail::create_recorded_op(*this, std::move(task), priority, std::move(metadata)),
      std::move(done));
}
void HiveMindClient::launch_start(std::string session_id, std::vector<std::string> extra_args,
                                  Completion<void> done) const {
  detail::co_spawn_typed(get_executor(),
                         detail::start_op(config_, std::move(session_id), std::move(extra_args)),
                         std::move(done));
}
void HiveMindClient::launch_spawn_task(std::string task, Priority priority, nlohmann::json metadata,
                                       Completion<SessionHandle> done) const {
  detail::co_spawn_typed(
      get_executor(), detail::spawn_task_op(*this, std::move(task), priority, std::move(metadata)),
      std::move(done));
}
void HiveMindClient::launch_status(std::string session_id, Completion<SessionStatus> done) const {
  detail::co_spawn_typed(get_executor(), detail::status_op(config_, std::move(session_id)),
                         std::move(done));
}
void HiveMindClient::launch_get(std::string session_id, Completion<SessionMetadata> done) const {
  detail::co_spawn_typed(get_executor(), detail::get_op(config_, std::move(session_id)),
                         std::move(done));
}
void HiveMindClient::launch_list(Completion<SessionIndex> done) const {
  detail::co_spawn_typed(get_executor(), detail::list_op(config_), std::move(done));
}
void HiveMindClient::launch_output_dir(std::string session_id, Completion<std::string> done) const {
  detail::co_spawn_typed(get_executor(), detail::output_dir_op(config_, std::move(session_id)),
                         std::move(done));
}
void HiveMindClient::launch_log_file(std::string session_id, Completion<std::string> done) const {
  detail::co_spawn_typed(get_executor(), detail::log_file_op(config_, std::move(session_id)),
                         std::move(done));
}
void HiveMindClient::launch_update_status(std::string session_id, std::string status,
                                          Completion<void> done) const {
  detail::co_spawn_typed(
      get_executor(), detail::update_status_op(config_, std::move(session_id), std::move(status)),
      std::move(done));
}
void HiveMindClient::launch_cleanup(int max_age_hours, Completion<CleanupReport> done) const {
  detail::co_spawn_typed(get_executor(), detail::cleanup_op(config_, max_age_hours),
                         std::move(done));
}
void HiveMindClient::launch_init(Completion<void> done) const {
  detail::co_spawn_typed(get_executor(), detail::init_op(config_), std::move(done));
}

// ---- synchronous forms ----

std::string HiveMindClient::create(std::string_view task, Priority priority,
                                   const nlohmann::json& metadata) const {
  return detail::run_sync(detail::create_recorded_op(*this, std::string(task), priority, metadata));
}

void HiveMindClient::start(std::string_view session_id,
                           const std::vector<std::string>& extra_args) const {
  detail::run_sync(detail::start_op(config_, std::string(session_id), extra_args));
}

SessionHandle HiveMindClient::spawn_task(std::string_view task, Priority priority,
                                         const nlohmann::json& metadata) const {
  return detail::run_sync(detail::spawn_task_op(*this, std::string(task), priority, metadata));
}

SessionStatus HiveMindClient::status(std::string_view session_id) const {
  return detail::run_sync(detail::status_op(config_, std::string(session_id)));
}

SessionMetadata HiveMindClient::get(std::string_view session_id) const {
  return detail::run_sync(detail::get_op(config_, std::string(session_id)));
}

SessionIndex HiveMindClient::list() const {
  return detail::run_sync(detail::list_op(config_));
}

std::string HiveMindClient::output_dir(std::string_view session_id) const {
  return detail::run_sync(detail::output_dir_op(config_, std::string(session_id)));
}

std::string HiveMindClient::log_file(std::string_view session_id) const {
  return detail::run_sync(detail::log_file_op(config_, std::string(session_id)));
}

void HiveMindClient::update_status(std::string_view session_id, std::string_view status) const {
  detail::run_sync(detail::update_status_op(config_, std::string(session_id), std::string(status)));
}

CleanupReport HiveMindClient::cleanup(int max_age_hours) const {
  return detail::run_sync(detail::cleanup_op(config_, max_age_hours));
}

void HiveMindClient::init() const {
  detail::run_sync(detail::init_op(config_));
}

}  // namespace hivemind
